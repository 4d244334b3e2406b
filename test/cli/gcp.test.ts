/** `sts-emulator gcp credential-config` over argv: the file for the demo provider, with and without impersonation; usage errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/harness.js';
import { runMain } from './helpers.js';

/** The Google Cloud demo: the default policies/ plus gcp/. */
const GCP_DEMO = join(REPO_ROOT, 'examples', 'gcp', 'policies');

const PROVIDER = 'projects/314159265358/locations/global/workloadIdentityPools/circleci-pool/providers/circleci-demo';
const SA = 'deployer@demo-project.iam.gserviceaccount.com';

test('gcp credential-config: the only demo provider, impersonating, with another endpoint and a lifetime', async () => {
  const r = await runMain([
    'gcp',
    'credential-config',
    '--policies',
    GCP_DEMO,
    '--token-file',
    '/t/tok',
    '--service-account',
    SA,
    '--endpoint',
    'http://localhost:9000/',
    '--lifetime',
    '600',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    universe_domain: 'googleapis.com',
    type: 'external_account',
    audience: `//iam.googleapis.com/${PROVIDER}`,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: 'http://localhost:9000/v1/token',
    credential_source: { file: '/t/tok', format: { type: 'text' } },
    service_account_impersonation_url: `http://localhost:9000/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`,
    service_account_impersonation: { token_lifetime_seconds: 600 },
  });
});

test('gcp credential-config: without --service-account, no impersonation URL; --provider by full name', async () => {
  const r = await runMain(['gcp', 'credential-config', '--policies', GCP_DEMO, '--token-file', 't', '--provider', PROVIDER]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(doc['service_account_impersonation_url'], undefined);
  assert.equal(doc['token_url'], 'http://127.0.0.1:8733/v1/token');
});

const usage: [string, string[], RegExp][] = [
  ['no subcommand', ['gcp'], /give the subcommand credential-config \(got none\)/],
  ['another subcommand', ['gcp', 'nope', '--token-file', 't'], /got 'nope'/],
  ['no --token-file', ['gcp', 'credential-config'], /--token-file is required/],
  [
    'an unknown provider',
    ['gcp', 'credential-config', '--policies', GCP_DEMO, '--token-file', 't', '--provider', 'nosuch'],
    /no provider in .*gcp\/pools matches --provider nosuch \(pool\/provider: circleci-pool\/circleci-demo\)/,
  ],
  [
    'an unknown service account',
    ['gcp', 'credential-config', '--policies', GCP_DEMO, '--token-file', 't', '--service-account', 'x@y.iam.gserviceaccount.com'],
    /no service account x@y/,
  ],
  [
    'a lifetime over an hour',
    ['gcp', 'credential-config', '--token-file', 't', '--lifetime', '3601'],
    /--lifetime must be 1 to 3600 seconds/,
  ],
  [
    'a bad endpoint',
    ['gcp', 'credential-config', '--token-file', 't', '--endpoint', 'ftp://x'],
    /--endpoint must be http\(s\):\/\/host:port/,
  ],
];
for (const [name, argv, message] of usage) {
  test(`gcp credential-config usage error: ${name}`, async () => {
    const r = await runMain(argv);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, message);
  });
}
