/**
 * google-auth-library (Node, the devDependency's version) against the emulator, in-process: an `external_account`
 * credential configuration whose token_url and service_account_impersonation_url point at the emulator and whose
 * credential_source.file holds a CircleCI token the emulator minted (with the trailing newline `echo` writes). With
 * impersonation the library exchanges the token at /v1/token, then calls generateAccessToken; without, it uses the
 * federated token. Another branch is refused with Google's unauthorized_client text, which the library surfaces.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/harness.js';
import { ExternalAccountClient } from 'google-auth-library';
import { startEmulator, type Emulator } from '../../src/index.js';

export const DEMO_AUDIENCE =
  '//iam.googleapis.com/projects/314159265358/locations/global/workloadIdentityPools/circleci-pool/providers/circleci-demo';
export const DEMO_SERVICE_ACCOUNT = 'deployer@demo-project.iam.gserviceaccount.com';
/** The Google Cloud demo: examples/gcp/policies (the default policies/ plus gcp/). */
export const GCP_DEMO_POLICIES = join(REPO_ROOT, 'examples', 'gcp', 'policies');
const LIBRARY_VERSION = (createRequire(import.meta.url)('google-auth-library/package.json') as { version: string }).version;

let emu: Emulator;
let dir: string;
before(async () => {
  emu = await startEmulator({ policies: GCP_DEMO_POLICIES });
  dir = await mkdtemp(join(tmpdir(), 'sts-emulator-gal-'));
});
after(async () => {
  await emu.stop();
  await rm(dir, { recursive: true, force: true });
});

type Options = Parameters<typeof ExternalAccountClient.fromJSON>[0];

async function configFor(branch: string, impersonate: boolean): Promise<Options> {
  const file = join(dir, `token-${branch}-${String(impersonate)}`);
  await writeFile(file, `${await emu.mintToken({ preset: { name: 'circleci', branch, v1: true } })}\n`);
  return {
    type: 'external_account',
    audience: DEMO_AUDIENCE,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${emu.endpoint}/v1/token`,
    ...(impersonate
      ? {
          service_account_impersonation_url: `${emu.endpoint}/v1/projects/-/serviceAccounts/${DEMO_SERVICE_ACCOUNT}:generateAccessToken`,
        }
      : {}),
    credential_source: { file },
  } as Options;
}

async function whoIs(token: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${emu.endpoint}/_emulator/gcp/tokeninfo?access_token=${encodeURIComponent(token)}`);
  assert.equal(r.status, 200);
  return (await r.json()) as Record<string, unknown>;
}

test(`google-auth-library ${LIBRARY_VERSION}: with impersonation, branch main gets the service account's access token`, async () => {
  const client = ExternalAccountClient.fromJSON(await configFor('main', true));
  assert.ok(client !== null);
  client.scopes = ['https://www.googleapis.com/auth/cloud-platform'];
  const { token } = await client.getAccessToken();
  assert.ok(typeof token === 'string' && token.startsWith('ya29.'));
  const info = await whoIs(token);
  assert.equal(info['email'], DEMO_SERVICE_ACCOUNT);
  assert.equal(info['scope'], 'https://www.googleapis.com/auth/cloud-platform');
  assert.match(
    String(info['impersonated_by']),
    /^principal:\/\/iam\.googleapis\.com\/projects\/314159265358\/locations\/global\/workloadIdentityPools\/circleci-pool\/subject\/org\//,
  );
});

test(`google-auth-library ${LIBRARY_VERSION}: without impersonation, the federated token names the pool principal`, async () => {
  const client = ExternalAccountClient.fromJSON(await configFor('main', false));
  assert.ok(client !== null);
  client.scopes = ['https://www.googleapis.com/auth/cloud-platform'];
  const { token } = await client.getAccessToken();
  assert.ok(typeof token === 'string');
  const info = await whoIs(token);
  assert.equal(info['provider'], DEMO_AUDIENCE.slice('//iam.googleapis.com/'.length));
  assert.deepEqual(info['attributes'], {
    org_id: 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d',
    project: '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5',
    vcs_ref: 'refs/heads/main',
  });
  assert.equal(info['email'], undefined);
});

test(`google-auth-library ${LIBRARY_VERSION}: another branch is refused with Google's unauthorized_client text`, async () => {
  for (const impersonate of [true, false]) {
    const client = ExternalAccountClient.fromJSON(await configFor('feature-x', impersonate));
    assert.ok(client !== null);
    client.scopes = ['https://www.googleapis.com/auth/cloud-platform'];
    await assert.rejects(client.getAccessToken(), (err: Error) => {
      assert.match(err.message, /unauthorized_client/);
      assert.match(err.message, /The given credential is rejected by the attribute condition\./);
      return true;
    });
  }
});
