/**
 * Bad input to every command: a clear error on stderr, exit 2 for usage and 1 for configuration, never a stack
 * trace. (Command-specific errors are in each command's test file.) One row of each command runs the built CLI as a
 * child process, so that the exit code and stderr are the ones a shell sees; serve's configuration errors too, as
 * serve loads its configuration only in serveProcess, which also sets this process's V8 heap flags. The other rows
 * run main() in-process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { assertOneLineError, policiesWith, runMain, spawnCli, tempDir, type CliResult } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let invalid: string;
let emptyDir: string;
before(async () => {
  ({ dir, cleanup } = await tempDir('sts-cli-errors-'));
  invalid = await policiesWith(join(dir, 'invalid'), { 'broken.json': '{"RoleName": "broken",' });
  emptyDir = join(dir, 'empty');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(emptyDir);
});
after(() => cleanup());

/** A minimal valid invocation of each command besides the flag under test. */
const BASE: Record<string, string[]> = {
  serve: ['--port', '0'],
  token: [],
  test: ['examples/demo-cases.yaml'],
  explain: ['--role', 'deploy-main', '--branch', 'main'],
  lint: [],
};

/** The rows that spawn the CLI, by command: every other row runs main() in-process. */
const SPAWNED: Record<string, readonly string[]> = {
  serve: ['non-existent policies directory', 'without providers/ and roles/', 'invalid role file'],
  token: ['unknown flag'],
  test: ['unknown flag'],
  explain: ['unknown flag'],
  lint: ['unknown flag'],
};

/**
 * How the row `row` of `command` runs the CLI: spawned when SPAWNED lists it, else main() in-process (serve's usage
 * errors are thrown by parseServeArgs, before it loads anything or listens).
 */
function runner(command: string, row: string): (argv: readonly string[]) => Promise<CliResult> {
  return SPAWNED[command]?.includes(row) === true ? (argv) => spawnCli(argv) : (argv) => runMain(argv);
}

describe('every command', () => {
  for (const [command, base] of Object.entries(BASE)) {
    test(`${command}: unknown flag -> exit 2`, async () => {
      const run = runner(command, 'unknown flag');
      assertOneLineError(
        await run([command, ...base, '--no-such-flag']),
        2,
        new RegExp(`^sts-emulator ${command}: Unknown option '--no-such-flag'`),
      );
    });
    test(`${command}: bad --account-id / --region / --claim-keys -> exit 2`, async () => {
      const run = runner(command, 'bad common option');
      assertOneLineError(await run([command, ...base, '--account-id', 'abc']), 2, /--account-id must be 12 digits, got 'abc'/);
      assertOneLineError(await run([command, ...base, '--region', 'mars']), 2, /--region must look like us-east-1/);
      assertOneLineError(await run([command, ...base, '--claim-keys', 'some']), 2, /--claim-keys must be 'aws' or 'all'/);
    });
    test(`${command}: missing value of --policies -> exit 2`, async () => {
      const run = runner(command, 'missing value');
      assertOneLineError(await run([command, ...base, '--policies']), 2, /--policies/);
    });
    test(`${command}: non-existent policies directory -> exit 1`, async () => {
      const run = runner(command, 'non-existent policies directory');
      assertOneLineError(
        await run([command, ...base, '--policies', join(dir, 'nowhere')]),
        1,
        /^sts-emulator: invalid configuration: configuration directory .*nowhere: not found$/m,
      );
    });
    test(`${command}: a directory without providers/ and roles/ -> exit 1, one line per problem`, async () => {
      const r = await runner(command, 'without providers/ and roles/')([command, ...base, '--policies', emptyDir]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 2, r.stderr);
      for (const l of lines) assert.match(l, /^sts-emulator: invalid configuration: (providers|roles): /);
    });
    test(`${command}: an invalid role file -> exit 1 with the file`, async () => {
      const r = await runner(command, 'invalid role file')([command, ...base, '--policies', invalid]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^sts-emulator: invalid configuration: roles\/broken\.json: invalid JSON at line 1/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }
});

test('serve: a bad --port is a usage error', async () => {
  assertOneLineError(await runMain(['serve', '--port', 'eighty']), 2, /--port must be 0\.\.65535, got 'eighty'/);
});

test('an environment variable with a bad value is reported like the flag', async () => {
  const r = await runMain(['token'], { ...process.env, STS_EMULATOR_ACCOUNT_ID: 'x' });
  assertOneLineError(r, 2, /--account-id must be 12 digits, got 'x'/);
});
