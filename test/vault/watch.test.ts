/**
 * A Vault role edited on disk takes effect without a restart (serve --watch watches vault/, each mount and its
 * roles/), and a new mount directory is picked up too; the last good configuration stays in force otherwise.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startEmulator } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/harness.js';

const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const ISSUER = `https://oidc.circleci.com/org/${ORG}`;
const role = (ref: string): string =>
  JSON.stringify({ role_type: 'jwt', user_claim: 'sub', bound_audiences: [ORG], bound_claims: { 'oidc.circleci.com/vcs-ref': ref } });

async function eventually(check: () => Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('the condition did not become true in time');
}

const dir = await mkdtemp(join(tmpdir(), 'sts-emulator-vault-watch-'));
after(() => rm(dir, { recursive: true, force: true }));
await cp(join(REPO_ROOT, 'policies', 'providers'), join(dir, 'providers'), { recursive: true });
await mkdir(join(dir, 'roles'));
await mkdir(join(dir, 'vault', 'jwt', 'roles'), { recursive: true });
await writeFile(join(dir, 'vault', 'jwt', 'config.json'), JSON.stringify({ oidc_discovery_url: ISSUER, bound_issuer: ISSUER }));
await writeFile(join(dir, 'vault', 'jwt', 'roles', 'deploy.json'), role('refs/heads/main'));
const emu = await startEmulator({ policies: dir, watch: true });
after(() => emu.stop());

async function login(mount: string, branch: string): Promise<number> {
  const jwt = await emu.mintToken({ preset: { name: 'circleci', branch } });
  const r = await fetch(`${emu.endpoint}/v1/auth/${mount}/login`, { method: 'POST', body: JSON.stringify({ role: 'deploy', jwt }) });
  await r.arrayBuffer();
  return r.status;
}

test('watch: an edited Vault role and a new mount take effect without a restart', async () => {
  assert.equal(await login('jwt', 'main'), 200);
  await writeFile(join(dir, 'vault', 'jwt', 'roles', 'deploy.json'), role('refs/heads/release'));
  await eventually(async () => (await login('jwt', 'release')) === 200);
  assert.equal(await login('jwt', 'main'), 400);
  await mkdir(join(dir, 'vault', 'ci', 'roles'), { recursive: true });
  await writeFile(join(dir, 'vault', 'ci', 'roles', 'deploy.json'), role('refs/heads/main'));
  await writeFile(join(dir, 'vault', 'ci', 'config.json'), JSON.stringify({ oidc_discovery_url: ISSUER }));
  await eventually(async () => (await login('ci', 'main')) === 200);
});
