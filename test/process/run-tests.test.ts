/**
 * scripts/run-tests.js (what `npm test` runs after the build) on a small tree of its own, a copy of the script beside
 * a dist/test/ of tiny test files: in-process files share processes, the client folders and files whose header says
 * "Runs in its own process" get one each, the order follows the last run's times, failures are reported with their
 * file, and a bad setting stops it with a message.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../helpers/harness.js';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const passing = (name: string, header = ''): string =>
  `${header}import { test } from 'node:test';\ntest(${JSON.stringify(name)}, () => {});\n`;

/** A package root with scripts/run-tests.js and these compiled test files under dist/test/. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'run-tests-'));
  roots.push(root);
  mkdirSync(join(root, 'scripts'));
  copyFileSync(join(REPO_ROOT, 'scripts', 'run-tests.js'), join(root, 'scripts', 'run-tests.js'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, 'dist', 'test', file)), { recursive: true });
    writeFileSync(join(root, 'dist', 'test', file), text);
  }
  return root;
}

function run(root: string, env: Record<string, string> = {}): { status: number | null; out: string; entries: string[] } {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'run-tests.js')], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], ...env },
  });
  let entries: string[] = [];
  try {
    entries = readdirSync(join(root, 'dist', 'test-run')).filter((f) => f.endsWith('.test.js'));
  } catch {
    // not written
  }
  return { status: r.status, out: r.stdout + r.stderr, entries: entries.sort() };
}

const FILES = {
  'policy/one.test.js': passing('one'),
  'policy/two.test.js': passing('two'),
  'server/alone.test.js': passing('alone', '/**\n * Runs in its own process: a test of the runner.\n */\n'),
  'integration/client.test.js': passing('client'),
};

test('in-process files share a process; client folders and marked files get one each; times are kept', () => {
  const root = tree(FILES);
  const r = run(root, { TEST_SHARED_PROCESSES: '1' });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /ℹ tests 4\nℹ suites 0\nℹ pass 4\n/);
  assert.equal(r.entries.length, 3, r.entries.join(' '));
  const shared = r.entries.find((e) => e.includes('shared-1')) as string;
  const text = readFileSync(join(root, 'dist', 'test-run', shared), 'utf8');
  assert.ok(text.includes('"../test/policy/one.test.js"') && text.includes('"../test/policy/two.test.js"'), text);
  assert.ok(r.entries.some((e) => e.endsWith('-server-alone.test.js')) && r.entries.some((e) => e.endsWith('-integration-client.test.js')));
  const times = JSON.parse(readFileSync(join(root, 'dist', 'test-times.json'), 'utf8')) as Record<string, number>;
  assert.deepEqual(Object.keys(times).sort(), ['integration/client.test.js', 'server/alone.test.js', 'shared-1']);
});

const LAST_RUN = { 'server/alone.test.js': 9000, 'shared-1': 10, 'integration/client.test.js': 5 };
const KEPT_WITH_PROJECT = { 'integration/client.test.js': 9000, 'server/alone.test.js': 20, 'shared-1': 10 };
const ORDERS: readonly { name: string; lastRun?: object; seed?: object; entries: string[] }[] = [
  {
    name: 'the longest process of the last run starts first',
    lastRun: LAST_RUN,
    entries: ['0-server-alone.test.js', '1-shared-1.test.js', '2-integration-client.test.js'],
  },
  {
    name: "before the first run, the order follows the project's scripts/test-times.json",
    seed: KEPT_WITH_PROJECT,
    entries: ['0-integration-client.test.js', '1-server-alone.test.js', '2-shared-1.test.js'],
  },
  {
    name: "after it, the tree's own times win over the project's",
    lastRun: LAST_RUN,
    seed: KEPT_WITH_PROJECT,
    entries: ['0-server-alone.test.js', '1-shared-1.test.js', '2-integration-client.test.js'],
  },
];
for (const c of ORDERS) {
  test(c.name, () => {
    const root = tree(FILES);
    if (c.lastRun !== undefined) writeFileSync(join(root, 'dist', 'test-times.json'), JSON.stringify(c.lastRun));
    if (c.seed !== undefined) writeFileSync(join(root, 'scripts', 'test-times.json'), JSON.stringify(c.seed));
    const r = run(root, { TEST_SHARED_PROCESSES: '1' });
    assert.equal(r.status, 0, r.out);
    assert.deepEqual(r.entries, c.entries);
  });
}

test('TEST_SHARED_PROCESSES=0: every file in its own process', () => {
  const r = run(tree(FILES), { TEST_SHARED_PROCESSES: '0' });
  assert.equal(r.status, 0, r.out);
  assert.equal(r.entries.length, 4, r.entries.join(' '));
});

test('a failing test in a shared process: exit 1, reported with its file', () => {
  const root = tree({
    ...FILES,
    'policy/bad.test.js': "import assert from 'node:assert';\nimport { test } from 'node:test';\ntest('bad', () => assert.equal(1, 2));\n",
  });
  const r = run(root, { TEST_SHARED_PROCESSES: '1' });
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /test at dist\/test\/policy\/bad\.test\.js:3:1\n✖ bad/);
});

for (const [name, value] of [
  ['TEST_CONCURRENCY', 'abc'],
  ['TEST_CONCURRENCY', '0'],
  ['TEST_SHARED_PROCESSES', '-1'],
] as const) {
  test(`${name}=${value}: exit 2 and what it must be`, () => {
    const r = run(tree(FILES), { [name]: value });
    assert.equal(r.status, 2, r.out);
    assert.match(r.out, new RegExp(`^${name} must be a whole number from [01], got '${value}'\\n$`));
  });
}
