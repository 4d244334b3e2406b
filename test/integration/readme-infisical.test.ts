/**
 * README's "Infisical", run as written: the token line of its prose through the CLI, its JavaScript block verbatim
 * (the login, then @infisical/sdk reading the demo secret) in a child process against a running emulator of the
 * default policies (only the URL and the token file change, through the variables the block reads); the refusal it
 * quotes for another branch; its `explain` line; its YAML cases through `test`.
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

test('README "Infisical": the snippet logs in and reads the demo secret; the refusal, explain and cases are as shown', async (t) => {
  const text = section('## Infisical');
  const emu = await startEmulator({ port: 0 });
  const work = await mkdtemp(join(tmpdir(), 'sts-emulator-readme-infisical-'));
  t.after(async () => {
    await emu.stop();
    await rm(work, { recursive: true, force: true });
  });

  const tokenLine = /`npx sts-emulator (token [^`>]*?)\s*> \/tmp\/circleci-token`/.exec(text.replace(/\n/g, ' '))?.[1];
  assert.ok(tokenLine !== undefined, 'the section mints a token');
  const minted = await runMain(tokenLine.split(/\s+/));
  assert.equal(minted.code, 0, minted.stderr);
  const tokenFile = join(work, 'circleci-token');
  await writeFile(tokenFile, minted.stdout);

  await symlink(join(REPO_ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
  await writeFile(join(work, 'snippet.mjs'), block(text, 'js'));
  const run = promisify(execFile)(process.execPath, ['snippet.mjs'], {
    cwd: work,
    timeout: 30_000,
    env: { ...process.env, INFISICAL_URL: emu.endpoint, TOKEN_FILE: tokenFile },
  });
  assert.equal((await run).stdout, 'DATABASE_URL API_KEY\n');

  const other = await runMain(tokenLine.replace('main', 'feature/x').split(/\s+/));
  const refused = await fetch(`${emu.endpoint}/api/v1/auth/oidc-auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identityId: '7c1f2a9e-3b4d-4e5f-8a6b-9c0d1e2f3a4b', jwt: other.stdout.trim() }),
  });
  assert.equal(refused.status, 403);
  const body = (await refused.json()) as Record<string, unknown>;
  const quoted = JSON.stringify({ ...body, reqId: 'req-…' });
  assert.ok(text.replace(/\s+/g, ' ').includes(`\`403 ${quoted}\``), `README quotes ${quoted}`);

  const sh = block(text, 'sh').trim();
  const explained = await runMain(sh.split(/\s+/).slice(2));
  assert.equal(explained.code, 1);
  assert.match(explained.stdout, /Access denied: OIDC subject not allowed\./);

  await writeFile(join(work, 'cases.yaml'), block(text, 'yaml'));
  const cases = await runMain(['test', join(work, 'cases.yaml')]);
  assert.equal(cases.code, 0, cases.stdout);
  assert.match(cases.stdout, /2 passed, 0 failed/);
});
