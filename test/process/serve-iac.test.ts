/**
 * `serve --policies <plan.json>` as a process: the roles a plan leaves out are reported once on stderr before the ready
 * line, as README's "Policies from CloudFormation, CDK and Terraform" shows, also with --workers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../helpers/harness.js';
import { CLI_ENTRY } from '../helpers/cli-entry.js';

const MAIN = CLI_ENTRY;
const dir = await mkdtemp(join(tmpdir(), 'sts-serve-iac-'));
after(() => rm(dir, { recursive: true, force: true }));
await cp(join(REPO_ROOT, 'test', 'fixtures', 'iac', 'terraform', 'plan.json'), join(dir, 'plan.json'));

/** Starts serve, stops it with SIGTERM once the ready line is out; its output. */
function serve(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--quiet', ...args], {
      cwd: dir,
      env: { PATH: process.env['PATH'] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not finish: ${stdout} ${stderr}`));
    }, 20_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
const shown = readme.split('\n').find((l) => l.startsWith('sts-emulator: skipped role aws_iam_role.deploy_any_branch'));

for (const workers of ['1', '2']) {
  test(`the skipped role is reported once, as README shows it (--workers ${workers})`, async () => {
    assert.ok(shown !== undefined, 'README shows the line');
    const r = await serve(['--policies', 'plan.json', '--workers', workers]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^sts-emulator listening on http:\/\/127\.0\.0\.1:\d+ \(account 123456789012, region us-east-1, 1 roles, 1 providers, /,
    );
    assert.equal(r.stderr.split('\n').filter((l) => l === shown).length, 1, r.stderr);
  });
}
