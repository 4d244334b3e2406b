/** Common options: where the policies come from when --policies is not given. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { commonOptions } from '../../src/cli/options.js';
import { DEMO_POLICIES_DIR } from '../../src/config/index.js';
import { DEMO_POLICIES } from '../helpers/harness.js';

test('the demo policies are the package root policies/', () => {
  assert.equal(DEMO_POLICIES_DIR, DEMO_POLICIES);
});

test('--policies, else STS_EMULATOR_POLICIES, else ./policies, else the package demo policies', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sts-emulator-cwd-'));
  try {
    assert.equal(commonOptions({}, {}, dir).policies, DEMO_POLICIES_DIR, 'a project without policies/ of its own');
    await mkdir(join(dir, 'policies'));
    assert.equal(commonOptions({}, {}, dir).policies, join(dir, 'policies'));
    assert.equal(commonOptions({}, { STS_EMULATOR_POLICIES: 'env-dir' }, dir).policies, join(dir, 'env-dir'));
    assert.equal(commonOptions({ policies: 'flag-dir' }, { STS_EMULATOR_POLICIES: 'env-dir' }, dir).policies, join(dir, 'flag-dir'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
