/**
 * README's "Google Cloud", run as written: the `token` and `gcp credential-config` lines of its shell block through the
 * CLI (the file printed must be the JSON block shown), then its JavaScript block verbatim with google-auth-library in a
 * child process, against a running emulator; only the port (a free one) and the token file (a temporary one) change.
 * The refusal the section quotes for another branch is checked too.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { GoogleAuth } from 'google-auth-library';
import { startEmulator } from '../../src/index.js';
import { runMain } from '../cli/helpers.js';
import { REPO_ROOT } from '../helpers/harness.js';
import { block, section } from '../helpers/readme.js';

/** The arguments of `npx sts-emulator <command> ...` in the shell block, up to a redirection. */
function argsOf(sh: string, command: string): string[] {
  const line = sh.split('\n').find((l) => l.startsWith(`npx sts-emulator ${command} `));
  assert.ok(line !== undefined, `the shell block runs sts-emulator ${command}`);
  return line
    .replace(/\s*>.*$/, '')
    .split(/\s+/)
    .slice(2);
}

test('README "Google Cloud": the credential file shown is the one printed, and google-auth-library gets the access token with it', async (t) => {
  const text = section('## Google Cloud');
  const sh = block(text, 'sh');
  const shown = block(text, 'json');

  const printed = await runMain(argsOf(sh, 'gcp'));
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stdout, shown, 'the JSON block is what the command prints');

  const emu = await startEmulator({ policies: join(REPO_ROOT, 'examples', 'gcp', 'policies') });
  const work = await mkdtemp(join(tmpdir(), 'sts-emulator-readme-gcp-'));
  t.after(async () => {
    await emu.stop();
    await rm(work, { recursive: true, force: true });
  });
  const minted = await runMain(argsOf(sh, 'token'));
  assert.equal(minted.code, 0, minted.stderr);
  const tokenFile = join(work, 'circleci-token');
  await writeFile(tokenFile, minted.stdout);
  const config = shown.replaceAll('http://127.0.0.1:8733', emu.endpoint).replace('"/tmp/circleci-token"', JSON.stringify(tokenFile));
  await writeFile(join(work, 'gcp-credentials.json'), config);

  await symlink(join(REPO_ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
  await writeFile(join(work, 'snippet.mjs'), `${block(text, 'js')}\nprocess.stdout.write(token ?? '');\n`);
  const { stdout: token } = await promisify(execFile)(process.execPath, ['snippet.mjs'], { cwd: work, timeout: 30_000 });
  const info = await fetch(`${emu.endpoint}/_emulator/gcp/tokeninfo?access_token=${encodeURIComponent(token)}`);
  assert.equal(info.status, 200);
  assert.equal(((await info.json()) as Record<string, unknown>)['email'], 'deployer@demo-project.iam.gserviceaccount.com');

  // Another branch: the refusal the section quotes.
  const other = await runMain(argsOf(sh, 'token').map((a) => (a === 'main' ? 'feature-x' : a)));
  await writeFile(tokenFile, other.stdout);
  const auth = new GoogleAuth({ keyFile: join(work, 'gcp-credentials.json'), scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  await assert.rejects((await auth.getClient()).getAccessToken(), (err: Error) => {
    assert.ok(text.replace(/\n/g, ' ').includes(`\`${err.message}\``), `README quotes the library's message: ${err.message}`);
    return true;
  });
  const refused = await fetch(`${emu.endpoint}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: JSON.parse(shown).audience as string,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      subject_token: other.stdout.trim(),
    }),
  });
  const reason = refused.headers.get('x-sts-emulator-reason');
  assert.ok(reason !== null && text.includes(`\`${reason}\``), `README quotes the reason header: ${String(reason)}`);
});
