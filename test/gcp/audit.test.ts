/**
 * Google's decisions as records, through the package API over the Google Cloud demo: the token exchange and
 * generateAccessToken reach decisions() (and GET /_emulator/decisions), the audit log file and the request log line,
 * each with its action, role (the provider, the service account), subject (google.subject), issuer, decision (deny for
 * the condition's and the bindings' refusals, error for the others), Google's code and text, the emulator's reason,
 * near misses and the trace `explain --gcp --json` prints.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/index.js';
import { requestLogLine, type AuditRecord } from '../../src/server/index.js';
import { runMain } from '../cli/helpers.js';
import { REPO_ROOT } from '../helpers/harness.js';

const GCP_DEMO_POLICIES = join(REPO_ROOT, 'examples', 'gcp', 'policies');
const DEMO_AUDIENCE =
  '//iam.googleapis.com/projects/314159265358/locations/global/workloadIdentityPools/circleci-pool/providers/circleci-demo';
const DEMO_SERVICE_ACCOUNT = 'deployer@demo-project.iam.gserviceaccount.com';

const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const PROVIDER = DEMO_AUDIENCE.slice('//iam.googleapis.com/'.length);
const ISSUER = `https://oidc.circleci.com/org/${ORG}`;
const RELEASER = 'releaser@demo-project.iam.gserviceaccount.com';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

let emu: Emulator;
let dir: string;
let auditFile: string;
const lines: string[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sts-emulator-gcp-audit-'));
  auditFile = join(dir, 'audit.jsonl');
  emu = await startEmulator({ policies: GCP_DEMO_POLICIES, audit: auditFile, sinks: [(r) => void lines.push(requestLogLine(r))] });
});
after(async () => {
  await emu.stop();
  await rm(dir, { recursive: true, force: true });
});

async function exchange(token: string, audience = DEMO_AUDIENCE): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${emu.endpoint}/v1/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience,
      scope: SCOPE,
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      subject_token: token,
    }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function generate(account: string, federated: string): Promise<number> {
  const r = await fetch(`${emu.endpoint}/v1/projects/-/serviceAccounts/${account}:generateAccessToken`, {
    method: 'POST',
    headers: { authorization: `Bearer ${federated}`, 'content-type': 'application/json' },
    body: JSON.stringify({ scope: [SCOPE] }),
  });
  await r.arrayBuffer();
  return r.status;
}

/** The record of the last decision, once it has reached the decisions (the sinks are told after the answer is sent). */
async function last(action: string): Promise<AuditRecord> {
  for (let i = 0; i < 100; i++) {
    const r = emu.decisions().at(-1);
    if (r !== undefined && r.action === action && lines.length >= emu.decisions().length) return r;
    await new Promise((f) => setTimeout(f, 10));
  }
  assert.fail(`no ${action} decision recorded`);
}

const mint = (options: Record<string, unknown>): Promise<string> => emu.mintToken({ preset: { name: 'circleci', v1: true, ...options } });

test('an allowed exchange and impersonation: two allow records with the provider, the account, the subject and the trace', async () => {
  const token = await mint({ branch: 'main' });
  const ex = await exchange(token);
  assert.equal(ex.status, 200);
  const r = await last('gcp:ExchangeToken');
  assert.equal(r.decision, 'allow');
  assert.equal(r.role, PROVIDER);
  assert.equal(r.issuer, ISSUER);
  assert.match(r.subject ?? '', new RegExp(`^org/${ORG}/project/2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5/user/`));
  assert.deepEqual([r.errorCode, r.message, r.reason, r.sessionName, r.nearMisses], [null, null, null, null, []]);
  const trace = r.trace as Record<string, unknown>;
  assert.equal(trace['result'], 'allow');
  assert.equal(
    trace['principal'],
    `principal://iam.googleapis.com/${PROVIDER.slice(0, PROVIDER.indexOf('/providers/'))}/subject/${r.subject}`,
  );

  assert.equal(await generate(DEMO_SERVICE_ACCOUNT, String(ex.body['access_token'])), 200);
  const g = await last('gcp:GenerateAccessToken');
  assert.deepEqual([g.decision, g.role, g.subject, g.issuer], ['allow', DEMO_SERVICE_ACCOUNT, r.subject, ISSUER]);
  const bindings = (g.trace as { bindings: { bindings: { matched?: string }[] } }).bindings;
  assert.match(bindings.bindings[0]?.matched ?? '', /attribute\.project\/2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5$/);
});

test("a branch the condition refuses: a deny record with Google's code and text, the failing clause, and explain --gcp's trace", async () => {
  const token = await mint({ branch: 'feature-x' });
  assert.equal((await exchange(token)).status, 400);
  const r = await last('gcp:ExchangeToken');
  assert.equal(r.decision, 'deny');
  assert.equal(r.errorCode, 'unauthorized_client');
  assert.equal(r.message, 'The given credential is rejected by the attribute condition.');
  assert.equal(r.reason, 'attribute condition: assertion["oidc.circleci.com/vcs-ref"] == "refs/heads/main" gave false');
  assert.deepEqual(r.nearMisses, [
    `the attribute condition's clause assertion["oidc.circleci.com/vcs-ref"] == "refs/heads/main" is not true for this token`,
  ]);
  // The same trace as explain --gcp --json for the same token.
  const explained = await runMain(['explain', '--policies', GCP_DEMO_POLICIES, '--gcp', '--token', token, '--json']);
  assert.equal(explained.code, 1, explained.stderr);
  assert.deepEqual(r.trace, JSON.parse(explained.stdout));
  const line = lines.at(-1) ?? '';
  assert.match(
    line,
    /^\S+ gcp:ExchangeToken role=projects\/314159265358\/locations\/global\/workloadIdentityPools\/circleci-pool\/providers\/circleci-demo session=- deny unauthorized_client: attribute condition: /,
  );
});

test('a binding that does not name the principal: a deny record for the account, with the members to bind as near miss', async () => {
  const ex = await exchange(await mint({ branch: 'main' }));
  assert.equal(await generate(RELEASER, String(ex.body['access_token'])), 403);
  const r = await last('gcp:GenerateAccessToken');
  assert.deepEqual([r.decision, r.role, r.errorCode], ['deny', RELEASER, 'PERMISSION_DENIED']);
  assert.equal(r.message, "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).");
  assert.match(
    r.nearMisses[0] ?? '',
    new RegExp(`^bind roles/iam\\.workloadIdentityUser on ${RELEASER.replace(/\./g, '\\.')} to one of: principal://`),
  );
  assert.ok(!(r.nearMisses[0] ?? '').includes('/*'), 'never the whole pool');
});

test('errors that are not the policy: an unknown provider, a bad bearer token, a bad request', async () => {
  const unknown = DEMO_AUDIENCE.replace('circleci-demo', 'nosuch-provider');
  assert.equal((await exchange(await mint({}), unknown)).status, 400);
  const t = await last('gcp:ExchangeToken');
  assert.deepEqual([t.decision, t.role, t.errorCode, t.issuer], ['error', null, 'invalid_target', ISSUER]);
  assert.equal((t.trace as Record<string, unknown>)['provider'], undefined);

  assert.equal(await generate(DEMO_SERVICE_ACCOUNT, 'not-a-token'), 401);
  const g = await last('gcp:GenerateAccessToken');
  assert.deepEqual([g.decision, g.role, g.subject, g.errorCode], ['error', DEMO_SERVICE_ACCOUNT, null, 'UNAUTHENTICATED']);

  const bad = await fetch(`${emu.endpoint}/v1/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
  assert.equal(bad.status, 400);
  const b = await last('gcp:ExchangeToken');
  assert.deepEqual(
    [b.decision, b.errorCode, b.message, b.role, b.subject],
    ['error', 'invalid_request', 'Invalid JSON payload received.', null, null],
  );
});

test('the audit log file holds one JSON line per Google decision, the same records as decisions()', async () => {
  await new Promise((f) => setTimeout(f, 50)); // the file is written once per event-loop turn
  const records = (await readFile(auditFile, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditRecord);
  assert.deepEqual(records, JSON.parse(JSON.stringify(emu.decisions())));
  assert.ok(records.every((r) => r.action.startsWith('gcp:')));
  const http = await fetch(`${emu.endpoint}/_emulator/decisions`);
  const listed = (await http.json()) as unknown;
  assert.ok(JSON.stringify(listed).includes('gcp:GenerateAccessToken'));
});
