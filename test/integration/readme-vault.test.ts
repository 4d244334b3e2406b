/**
 * README's "HashiCorp Vault (JWT auth)", run as written: the `token` line of its shell block through the CLI, then its
 * JavaScript block verbatim with node-vault in a child process against a running emulator with the default policies
 * (only the port changes, to a free one); what the section says the login grants, and the refusal it quotes for
 * another branch.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { startEmulator } from '../../src/index.js';
import { runMain } from '../cli/helpers.js';
import { REPO_ROOT } from '../helpers/harness.js';
import { block, section } from '../helpers/readme.js';

test('README "HashiCorp Vault (JWT auth)": node-vault logs in with the minted token and looks itself up; another branch gets the quoted message', async (t) => {
  const text = section('## HashiCorp Vault (JWT auth)');
  const sh = block(text, 'sh');
  const line = sh.split('\n').find((l) => l.includes('npx sts-emulator token '));
  assert.ok(line !== undefined);
  const args = /npx sts-emulator (token [^)]*)\)/.exec(line)?.[1]?.split(/\s+/);
  assert.ok(args !== undefined);
  const minted = await runMain(args);
  assert.equal(minted.code, 0, minted.stderr);

  const emu = await startEmulator();
  const work = await mkdtemp(join(tmpdir(), 'sts-emulator-readme-vault-'));
  t.after(async () => {
    await emu.stop();
    await rm(work, { recursive: true, force: true });
  });
  await symlink(join(REPO_ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
  const js = block(text, 'js').replace('http://127.0.0.1:8733', emu.endpoint);
  await writeFile(join(work, 'snippet.mjs'), `${js}\nprocess.stdout.write(JSON.stringify({ auth, data }));\n`);
  const { stdout } = await promisify(execFile)(process.execPath, ['snippet.mjs'], {
    cwd: work,
    timeout: 30_000,
    env: { ...process.env, CIRCLE_OIDC_TOKEN_V2: minted.stdout.trim() },
  });
  const { auth, data } = JSON.parse(stdout) as { auth: Record<string, unknown>; data: Record<string, unknown> };
  assert.ok(text.includes('`auth.policies` is `["default", "deploy"]`'));
  assert.deepEqual(auth['policies'], ['default', 'deploy']);
  assert.equal((data['meta'] as Record<string, unknown>)['role'], 'circleci-deploy-main');
  assert.equal((data['meta'] as Record<string, unknown>)['vcs_ref'], 'refs/heads/main');

  const other = await runMain(args.map((a) => (a === 'main' ? 'feature/x' : a)));
  const refused = await fetch(`${emu.endpoint}/v1/auth/jwt/login`, {
    method: 'PUT',
    headers: { 'x-vault-request': 'true' },
    body: JSON.stringify({ role: 'circleci-deploy-main', jwt: other.stdout.trim() }),
  });
  assert.equal(refused.status, 400);
  const [message] = ((await refused.json()) as { errors: string[] }).errors;
  assert.ok(text.replace(/\n/g, ' ').includes(`\`${message ?? ''}\``), `README quotes Vault's message: ${String(message)}`);
});
