/**
 * A real Vault client against the emulator: node-vault 0.12.0 (npm) logs in through the JWT auth method of the demo
 * mount `jwt` (policies/vault/jwt/) with a CircleCI token minted by the emulated issuer, then looks itself up with
 * the client token it kept (X-Vault-Token); a token from another branch is refused with Vault's exact message.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/index.js';

interface NodeVault {
  token?: string;
  jwtLogin(options: { role: string; jwt: string; mount_point?: string }): Promise<{ auth: Record<string, unknown> }>;
  write(path: string, data: unknown): Promise<{ auth: Record<string, unknown> }>;
  tokenLookupSelf(): Promise<{ data: Record<string, unknown> }>;
}
const require = createRequire(import.meta.url);
const nodeVault = require('node-vault') as (config: { endpoint: string; apiVersion?: string; token?: string }) => NodeVault;

let emu: Emulator;

before(async () => {
  emu = await startEmulator();
});

after(async () => {
  await emu.stop();
});

test('node-vault jwtLogin with a CircleCI token of the main branch, then tokenLookupSelf', async () => {
  const jwt = await emu.mintToken({ preset: 'circleci' });
  const vault = nodeVault({ endpoint: emu.endpoint, apiVersion: 'v1' });
  const login = await vault.jwtLogin({ role: 'circleci-deploy-main', jwt });
  assert.match(String(login.auth['client_token']), /^hvs\./);
  assert.deepEqual(login.auth['policies'], ['default', 'deploy']);
  assert.equal(login.auth['lease_duration'], 3600);
  assert.equal(vault.token, login.auth['client_token'], 'node-vault keeps the client token');
  const me = await vault.tokenLookupSelf();
  assert.equal(me.data['path'], 'auth/jwt/login');
  assert.deepEqual(me.data['meta'], {
    project_id: '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5',
    role: 'circleci-deploy-main',
    vcs_ref: 'refs/heads/main',
  });
});

test("node-vault write('auth/jwt/login') is the same login", async () => {
  const jwt = await emu.mintToken({ preset: 'circleci' });
  const vault = nodeVault({ endpoint: emu.endpoint });
  const login = await vault.write('auth/jwt/login', { role: 'circleci-deploy-main', jwt });
  assert.match(String(login.auth['client_token']), /^hvs\./);
});

test('node-vault: a token of another branch is refused with the documented message', async () => {
  const jwt = await emu.mintToken({ preset: { name: 'circleci', branch: 'feature/x' } });
  const vault = nodeVault({ endpoint: emu.endpoint });
  await assert.rejects(vault.jwtLogin({ role: 'circleci-deploy-main', jwt }), (e: Error & { response?: { statusCode?: number } }) => {
    assert.equal(e.message, 'error validating claims: claim "oidc.circleci.com/vcs-ref" does not match any associated bound claim values');
    assert.equal(e.response?.statusCode, 400);
    return true;
  });
});
