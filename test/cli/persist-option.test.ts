/** `serve --persist` and STS_EMULATOR_PERSIST=1: parsed, handed to the emulator, and refused for the demo policies. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { UsageError } from '../../src/cli/options.js';
import { parseServeArgs } from '../../src/cli/serve-options.js';
import { DEMO_POLICIES } from '../helpers/harness.js';
import { cleanEnv } from './helpers.js';

const IO = { stdout: () => undefined, stderr: () => undefined, cwd: '/tmp' };
const dir = mkdtempSync(join(tmpdir(), 'sts-emulator-persist-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const cases: readonly [string, string[], NodeJS.ProcessEnv, boolean][] = [
  ['default: off', ['--policies', dir], {}, false],
  ['--persist', ['--policies', dir, '--persist'], {}, true],
  ['STS_EMULATOR_PERSIST=1', ['--policies', dir], { STS_EMULATOR_PERSIST: '1' }, true],
  ['STS_EMULATOR_PERSIST=0', ['--policies', dir], { STS_EMULATOR_PERSIST: '0' }, false],
  ['off with the demo policies is fine', ['--policies', DEMO_POLICIES], {}, false],
];
for (const [name, argv, env, persist] of cases) {
  test(name, () => {
    assert.equal(parseServeArgs(argv, cleanEnv(env), IO)?.persist, persist);
  });
}

test('--persist with the demo policies (given, or the default) is a usage error', () => {
  for (const argv of [['--persist', '--policies', DEMO_POLICIES], ['--persist']]) {
    assert.throws(
      () => parseServeArgs(argv, cleanEnv({ STS_EMULATOR_POLICIES: DEMO_POLICIES }), IO),
      (e: unknown) =>
        e instanceof UsageError && /--persist would write into the demo policies .*give --policies <dir> of your own/.test(e.message),
    );
  }
});
