/**
 * The package API's examples, run as a user would run them: README's "Use it as a dependency" snippet, a node:test
 * suite, a vitest suite with globalSetup, and a pytest fixture that starts the CLI as a subprocess. They import
 * `sts-emulator` by its name (the package refers to itself through its `exports`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/harness.js';
import { CLI_ENTRY } from '../helpers/cli-entry.js';

const EXAMPLES = join(REPO_ROOT, 'examples', 'api');
const CLI = CLI_ENTRY;

function run(
  cmd: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { status: number | null; out: string } {
  // Not this test runner's child context: a node --test inside it would otherwise refuse to run its files.
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  const r = spawnSync(cmd, args, { cwd: options.cwd ?? REPO_ROOT, env: { ...env, ...options.env }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error === undefined ? '' : String(r.error)}` };
}

test("README's five-line example runs as written", async () => {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it as a dependency'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code !== undefined, 'README has a js block under "Use it as a dependency"');
  assert.ok(code.includes("from 'sts-emulator'") && code.includes('startEmulator'), code);
  // Inside the package, so that `import ... from 'sts-emulator'` resolves to it (dist/ is not in git).
  const file = join(REPO_ROOT, 'dist', 'readme-api-example.mjs');
  await writeFile(file, code);
  try {
    const r = run(process.execPath, [file]);
    assert.equal(r.status, 0, r.out);
  } finally {
    await rm(file, { force: true });
  }
});

test('examples/api/node-test: a node:test suite', () => {
  const r = run(process.execPath, ['--test', join(EXAMPLES, 'node-test', 'roles.test.mjs')]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /# pass 3/);
});

test('examples/api/vitest: globalSetup starts the emulator, the tests inject its endpoint', (t) => {
  const vitest = join(REPO_ROOT, 'node_modules', '.bin', 'vitest');
  if (!existsSync(vitest)) return t.skip('vitest not installed (npm ci installs it)');
  const r = run(vitest, ['run', '--root', join(EXAMPLES, 'vitest')], { env: { CI: 'true', NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /Tests\s+2 passed/);
});

test('examples/api/pytest: a session fixture runs the CLI as a subprocess on a free port', (t) => {
  // Found, not imported (importing boto3 is most of a probe's CPU); the run below imports them.
  const probe = run('python3', [
    '-c',
    "import importlib.util as u, sys; gone = [m for m in ('pytest', 'boto3') if u.find_spec(m) is None]; sys.exit(f'No module named {gone}' if gone else 0)",
  ]);
  if (probe.status !== 0)
    return t.skip(`pytest or boto3 not importable by python3 (pip install pytest boto3): ${probe.out.trim().split('\n').at(-1) ?? ''}`);
  const r = run('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', join(EXAMPLES, 'pytest')], {
    // The example's own conftest.py, not the plugins this machine happens to have (pytest-benchmark's import alone
    // doubled the run's CPU).
    env: { STS_EMULATOR_CMD: `${process.execPath} ${CLI}`, PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1' },
  });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /2 passed/);
});
