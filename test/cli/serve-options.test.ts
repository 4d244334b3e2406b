/** `serve`'s options: --quiet and STS_EMULATOR_QUIET; the ready line says when credentials end with the process. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { HELP } from '../../src/cli/help.js';
import { UsageError } from '../../src/cli/options.js';
import { parseServeArgs, readyLine } from '../../src/cli/serve-options.js';
import { loadConfig } from '../../src/config/index.js';
import { ACCOUNT, DEMO_POLICIES, REPO_ROOT } from '../helpers/harness.js';
import { cleanEnv } from './helpers.js';

const IO = { stdout: () => undefined, stderr: () => undefined, cwd: '/tmp' };
const KEY = '0'.repeat(64);
const CONFIG = { roles: [1, 2], providers: [1] };

describe('--quiet', () => {
  const cases: readonly [string, string[], NodeJS.ProcessEnv, boolean][] = [
    ['default: the request log is on', [], {}, false],
    ['--quiet', ['--quiet'], {}, true],
    ['STS_EMULATOR_QUIET=1', [], { STS_EMULATOR_QUIET: '1' }, true],
    ['STS_EMULATOR_QUIET=true', [], { STS_EMULATOR_QUIET: 'true' }, true],
    ['STS_EMULATOR_QUIET=0', [], { STS_EMULATOR_QUIET: '0' }, false],
    ['STS_EMULATOR_QUIET empty', [], { STS_EMULATOR_QUIET: '' }, false],
    ['--quiet wins over STS_EMULATOR_QUIET=0', ['--quiet'], { STS_EMULATOR_QUIET: '0' }, true],
  ];
  for (const [name, argv, env, quiet] of cases) {
    test(name, () => {
      assert.equal(parseServeArgs(argv, cleanEnv(env), IO)?.quiet, quiet);
    });
  }

  test('STS_EMULATOR_QUIET=yes is a usage error', () => {
    assert.throws(
      () => parseServeArgs([], cleanEnv({ STS_EMULATOR_QUIET: 'yes' }), IO),
      (e: unknown) => e instanceof UsageError && /STS_EMULATOR_QUIET must be 1 or 0, got 'yes'/.test(e.message),
    );
  });

  test('--quiet takes no value', () => {
    assert.throws(() => parseServeArgs(['--quiet=1'], cleanEnv(), IO), /quiet/);
  });
});

describe('--keep-decisions', () => {
  const cases: readonly [string, string[], NodeJS.ProcessEnv, number | RegExp][] = [
    ['default: 50 (the package API keeps 500)', [], {}, 50],
    ['--keep-decisions 0 keeps none', ['--keep-decisions', '0'], {}, 0],
    ['STS_EMULATOR_KEEP_DECISIONS=2000', [], { STS_EMULATOR_KEEP_DECISIONS: '2000' }, 2000],
    ['the flag wins over the environment', ['--keep-decisions', '7'], { STS_EMULATOR_KEEP_DECISIONS: '9' }, 7],
    ['a negative number', ['--keep-decisions=-1'], {}, /--keep-decisions must be a whole number from 0, got '-1'/],
    ['not a number', [], { STS_EMULATOR_KEEP_DECISIONS: 'all' }, /--keep-decisions must be a whole number from 0, got 'all'/],
  ];
  for (const [name, argv, env, expected] of cases) {
    test(name, () => {
      if (typeof expected === 'number') assert.equal(parseServeArgs(argv, cleanEnv(env), IO)?.keepDecisions, expected);
      else
        assert.throws(
          () => parseServeArgs(argv, cleanEnv(env), IO),
          (e: unknown) => e instanceof UsageError && expected.test(e.message),
        );
    });
  }
});

describe('the ready line', () => {
  test('a generated key: credentials end with this process, and how to keep them', () => {
    const options = parseServeArgs([], cleanEnv(), IO);
    assert.ok(options !== undefined);
    assert.equal(
      readyLine('127.0.0.1', false, 8733, options, CONFIG),
      'sts-emulator listening on http://127.0.0.1:8733 (account 123456789012, region us-east-1, 2 roles, 1 providers, ' +
        'server key: generated (credentials end with this process; keep them with --server-key-file)); ' +
        'demo page http://127.0.0.1:8733/_emulator/ui\n',
    );
  });

  test('a given key: no hint', () => {
    const options = parseServeArgs(['--server-key', KEY, '--workers', '2'], cleanEnv(), IO);
    assert.ok(options !== undefined);
    assert.equal(
      readyLine('::1', true, 9000, options, CONFIG),
      'sts-emulator listening on http://[::1]:9000 (account 123456789012, region us-east-1, 2 roles, 1 providers, server key: flag, 2 workers); ' +
        'demo page http://[::1]:9000/_emulator/ui\n',
    );
  });

  test('an admin token: the demo page is opened with it (the line never shows the token)', () => {
    const options = parseServeArgs(['--server-key', KEY, '--admin-token', 'a-secret-admin-token-0123'], cleanEnv(), IO);
    assert.ok(options !== undefined);
    const line = readyLine('0.0.0.0', false, 8733, options, CONFIG);
    assert.match(line, /; demo page http:\/\/0\.0\.0\.0:8733\/_emulator\/ui\?token=<admin token>\n$/);
    assert.doesNotMatch(line, /a-secret-admin-token/);
  });
});

test("README's ready line is the one serve prints for the demo policies on the default port", async () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const shown = /^sts-emulator listening on .*$/m.exec(readme)?.[0];
  assert.ok(shown !== undefined, 'README shows the ready line');
  const options = parseServeArgs([], cleanEnv(), IO);
  assert.ok(options !== undefined);
  const config = await loadConfig(DEMO_POLICIES, { accountId: ACCOUNT });
  assert.equal(`${shown}\n`, readyLine('127.0.0.1', false, 8733, options, config));
});

test("README's serve table has a row for every flag of serve --help", () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('### `serve`'), readme.indexOf('### `policies/`'));
  const flags = [...new Set([...(HELP['serve'] ?? '').matchAll(/(?<![\w-])--([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1] as string))];
  assert.ok(flags.includes('quiet'));
  assert.deepEqual(
    flags.filter((f) => !new RegExp(`^\\| \`--${f}[ \`]`, 'm').test(table)),
    [],
  );
});
