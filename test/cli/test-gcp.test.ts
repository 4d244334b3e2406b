/** `test` cases with a `gcp` target: the demo's CircleCI tokens through Google's exchange and impersonation. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCases } from '../../src/cli/cases.js';
import { REPO_ROOT } from '../helpers/harness.js';
import { runMain } from './helpers.js';

/** The Google Cloud demo: the default policies/ plus gcp/. */
const GCP_DEMO = join(REPO_ROOT, 'examples', 'gcp', 'policies');

const SA = 'deployer@demo-project.iam.gserviceaccount.com';

const CASES = `
- name: main gets the deployer's token
  gcp: { serviceAccount: ${SA} }
  preset: { name: circleci, v1: true, branch: main }
  expect: allow
- name: a feature branch is refused by the condition
  gcp: { serviceAccount: ${SA} }
  preset: { name: circleci, v1: true, branch: feature-x }
  expect: unauthorized_client
- name: deny covers the condition's refusal
  gcp: true
  preset: { name: circleci, v1: true, branch: feature-x }
  expect: deny
- name: another project is refused by the condition
  gcp: { provider: circleci-demo, serviceAccount: ${SA} }
  preset: { name: circleci, v1: true, projectId: 11111111-2222-4333-8444-555555555555 }
  expect: unauthorized_client
- name: another user is not bound to the releaser
  gcp: { provider: circleci-demo, serviceAccount: releaser@demo-project.iam.gserviceaccount.com }
  preset: { name: circleci, v1: true }
  expect: PERMISSION_DENIED
- name: the V2 subject is too long for google.subject
  gcp: true
  preset: circleci
  expect: invalid_request
- name: a wrong expectation, to see the trace
  gcp: true
  preset: { name: circleci, v1: true, branch: feature-x }
  expect: allow
`;

test("test: gcp cases pass and fail by Google's outcome, a failure shows explain --gcp's trace", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sts-emulator-gcp-cases-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'gcp.yaml'), CASES);
  const r = await runMain(['test', '--policies', GCP_DEMO, join(dir, 'gcp.yaml')]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(
    lines.some((l) => l.startsWith("ok   main gets the deployer's token") && l.endsWith(': allow')),
    r.stdout,
  );
  assert.ok(lines.some((l) => l.startsWith('ok   a feature branch is refused by the condition') && l.endsWith(': unauthorized_client')));
  assert.ok(lines.some((l) => l.startsWith("ok   deny covers the condition's refusal") && l.endsWith(': unauthorized_client')));
  assert.ok(lines.some((l) => l.startsWith('ok   another project is refused') && l.endsWith(': unauthorized_client')));
  assert.ok(lines.some((l) => l.startsWith('ok   another user is not bound') && l.endsWith(': PERMISSION_DENIED')));
  assert.ok(lines.some((l) => l.startsWith('ok   the V2 subject is too long') && l.endsWith(': invalid_request')));
  assert.ok(lines.some((l) => l.startsWith('FAIL a wrong expectation') && l.endsWith('expected allow, got unauthorized_client')));
  assert.ok(lines.includes('       not true: assertion["oidc.circleci.com/vcs-ref"] == "refs/heads/main"    -> false'), r.stdout);
  assert.equal(lines.at(-2), '6 passed, 1 failed');
});

test('test: gcp case problems', () => {
  const { problems } = parseCases(
    'c.json',
    JSON.stringify([
      { name: 'a', gcp: { serviceAccount: 3, colour: 'x' }, role: 'r', preset: 'circleci', expect: 'AccessDenied' },
      { name: 'b', gcp: 'yes', preset: 'circleci', expect: 'allow' },
    ]),
  );
  assert.deepEqual(
    problems.map((p) => `${p.path}: ${p.message}`),
    [
      '[0].gcp.colour: unknown field (known: provider, serviceAccount)',
      '[0].gcp.serviceAccount: must be a non-empty string',
      '[0].role: applies to a role, not to a gcp case',
      "[0].expect: must be allow, deny or one of Google's codes (invalid_request, invalid_target, invalid_grant, unauthorized_client, PERMISSION_DENIED, UNAUTHENTICATED, INVALID_ARGUMENT)",
      '[1].gcp: must be true or {provider, serviceAccount}',
      '[1].role: is required',
    ],
  );
});
