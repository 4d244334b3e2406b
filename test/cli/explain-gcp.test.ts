/** `explain --gcp`: the demo's CircleCI token through Google's exchange and impersonation, with the trace; usage errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/harness.js';
import { runMain } from './helpers.js';

/** The Google Cloud demo: the default policies/ plus gcp/. */
const GCP_DEMO = join(REPO_ROOT, 'examples', 'gcp', 'policies');

const SA = 'deployer@demo-project.iam.gserviceaccount.com';
const RELEASER = 'releaser@demo-project.iam.gserviceaccount.com';

test('explain --gcp: another branch is refused at STS, the failing clause named', async () => {
  const r = await runMain([
    'explain',
    '--policies',
    GCP_DEMO,
    '--gcp',
    '--preset',
    'circleci',
    '--v1',
    '--branch',
    'feature-x',
    '--impersonate',
    SA,
  ]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(
    lines[0],
    'Result: DENY at STS /v1/token: unauthorized_client (HTTP 400): The given credential is rejected by the attribute condition.',
  );
  assert.equal(lines[1], 'Why: attribute condition: assertion["oidc.circleci.com/vcs-ref"] == "refs/heads/main" gave false');
  assert.ok(lines.includes('  attribute.vcs_ref = "refs/heads/feature-x"    <- assertion[\'oidc.circleci.com/vcs-ref\']'), r.stdout);
  assert.ok(lines.includes('  not true: assertion["oidc.circleci.com/vcs-ref"] == "refs/heads/main"    -> false'), r.stdout);
  assert.ok(
    lines.some((l) => l.startsWith('Audience: "b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d" accepted')),
    r.stdout,
  );
});

test('explain --gcp: main is allowed and the binding that matched is named', async () => {
  const r = await runMain(['explain', '--policies', GCP_DEMO, '--gcp', '--preset', 'circleci', '--v1', '--impersonate', SA]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^Result: ALLOW \(an access token for deployer@demo-project\.iam\.gserviceaccount\.com would be issued\)/);
  assert.match(
    r.stdout,
    /\n {2}roles\/iam\.workloadIdentityUser: matched principalSet:\/\/iam\.googleapis\.com\/projects\/314159265358\/locations\/global\/workloadIdentityPools\/circleci-pool\/attribute\.project\/2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5\n/,
  );
});

test('explain --gcp: another project is refused by the attribute condition (it pins the project)', async () => {
  const r = await runMain([
    'explain',
    '--policies',
    GCP_DEMO,
    '--gcp',
    '--preset',
    'circleci',
    '--v1',
    '--project-id',
    '11111111-2222-4333-8444-555555555555',
    '--impersonate',
    SA,
  ]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[1], 'Why: attribute condition: attribute.project == "2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5" gave false');
});

test('explain --gcp: a user the binding does not name is refused at generateAccessToken, with the binding shown', async () => {
  const r = await runMain([
    'explain',
    '--policies',
    GCP_DEMO,
    '--gcp',
    '--preset',
    'circleci',
    '--v1',
    '--impersonate',
    RELEASER,
    '--json',
  ]);
  assert.equal(r.code, 1, r.stderr);
  const e = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(e['result'], 'deny');
  assert.equal(e['step'], 'impersonation');
  assert.equal(e['status'], 403);
  const bindings = e['bindings'] as { bindings: { role: string; matched?: string; why?: string }[] };
  assert.equal(bindings.bindings[0]?.why, 'no member names this principal or a set it is in');
});

test("explain --gcp: the V2 token's subject is over 127 bytes", async () => {
  const r = await runMain(['explain', '--policies', GCP_DEMO, '--gcp', '--preset', 'circleci']);
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /^Result: DENY at STS \/v1\/token: invalid_request \(HTTP 400\): The size of mapped attribute google\.subject exceeds the 127 bytes limit\./,
  );
});

const usage: [string, string[], RegExp][] = [
  ['--gcp with --role', ['explain', '--gcp', '--role', 'x', '--preset', 'circleci'], /give it without --role/],
  ['--provider without --gcp', ['explain', '--role', 'x', '--provider', 'p', '--preset', 'circleci'], /--provider applies to --gcp/],
  ['--session-name with --gcp', ['explain', '--gcp', '--session-name', 's', '--preset', 'circleci'], /--session-name applies to a role/],
  [
    'an unknown provider',
    ['explain', '--gcp', '--provider', 'nosuch', '--preset', 'circleci'],
    /no Google Cloud provider in gcp\/pools fits --provider nosuch/,
  ],
];
for (const [name, argv, message] of usage) {
  test(`explain --gcp usage error: ${name}`, async () => {
    const r = await runMain(argv);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, message);
  });
}
