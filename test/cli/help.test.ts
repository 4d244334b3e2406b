/** --help: each command's help lists every flag the command accepts, and only those; README mentions each of them. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EXPLAIN_ARGS } from '../../src/cli/explain.js';
import { GCP_ARGS } from '../../src/cli/gcp.js';
import { HELP } from '../../src/cli/help.js';
import { LINT_ARGS } from '../../src/cli/lint.js';
import { COMMAND_NAMES } from '../../src/cli/main.js';
import { COMMON_ARGS } from '../../src/cli/options.js';
import { TEST_ARGS } from '../../src/cli/test-command.js';
import { TOKEN_ARGS } from '../../src/cli/token.js';
import { REPO_ROOT } from '../helpers/harness.js';
import { runMain, spawnCli } from './helpers.js';

/** Every `--flag` mentioned in a help text. */
function flagsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])--([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1] as string));
}

const COMMANDS: Record<string, Record<string, unknown>> = {
  token: { ...COMMON_ARGS, ...TOKEN_ARGS },
  explain: EXPLAIN_ARGS,
  test: TEST_ARGS,
  lint: LINT_ARGS,
  gcp: { ...COMMON_ARGS, ...GCP_ARGS },
};

describe('help lists exactly the flags each command parses', () => {
  for (const [name, options] of Object.entries(COMMANDS)) {
    test(name, async () => {
      const r = await runMain([name, '--help']);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, HELP[name] + '\n');
      const documented = flagsIn(r.stdout);
      const accepted = new Set(Object.keys(options).filter((k) => k !== 'help'));
      const missing = [...accepted].filter((f) => !documented.has(f));
      const unknown = [...documented].filter((f) => !accepted.has(f) && f !== 'help');
      assert.deepEqual(missing, [], `accepted by ${name} but not in its --help`);
      assert.deepEqual(unknown, [], `in ${name} --help but not accepted`);
    });
  }

  test('serve: every flag in its help is accepted (its options object is not exported)', async () => {
    const flags = [...flagsIn(HELP['serve'] ?? '')];
    assert.ok(flags.length >= 8);
    for (const f of flags) {
      // A flag with a value, or a boolean: one of the two parses, and --help then returns before serving (in-process:
      // serve's --help returns before it loads the configuration or listens).
      const withValue = await runMain(['serve', `--${f}`, '1', '--help']);
      const alone = withValue.code === 0 ? withValue : await runMain(['serve', `--${f}`, '--help']);
      assert.equal(alone.code, 0, `serve --${f}: ${alone.stderr}`);
    }
  });
});

test("README mentions every flag of every command's --help", () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const inReadme = flagsIn(readme);
  for (const c of COMMAND_NAMES) {
    const missing = [...flagsIn(HELP[c] ?? '')].filter((f) => f !== 'help' && !inReadme.has(f));
    assert.deepEqual(missing, [], `${c} --help flags absent from README`);
  }
});

describe('main help', () => {
  test('--help lists every command, exit 0', async () => {
    const r = await runMain(['--help']);
    assert.equal(r.code, 0);
    for (const c of COMMAND_NAMES) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
  });

  test("'help <command>' is '<command> --help'", async () => {
    for (const c of COMMAND_NAMES) {
      const direct = await runMain([c, '--help']);
      assert.equal((await runMain(['help', c])).stdout, direct.stdout);
    }
  });

  test('-h works for every command', async () => {
    for (const c of COMMAND_NAMES) assert.equal((await runMain([c, '-h'])).code, 0, c);
  });

  test('no command, unknown command, unknown help topic: one line, exit 2 (the first spawned, the others in-process)', async () => {
    for (const [i, [args, pattern]] of (
      [
        [[], /^sts-emulator: give a command \(serve, token, test, explain, lint, env, gcp\)/],
        [['deploy'], /^sts-emulator: unknown command 'deploy'/],
        [['help', 'deploy'], /^sts-emulator help: unknown command 'deploy'/],
        [['__proto__'], /^sts-emulator: unknown command '__proto__'/],
      ] as const
    ).entries()) {
      const r = i === 0 ? await spawnCli(args) : await runMain(args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.split('\n').length, 2, 'one line');
    }
  });

  test('--version', async () => {
    const r = await runMain(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^sts-emulator \d+\.\d+\.\d+\n$/);
  });
});
