/**
 * scripts/test.js (`npm test`) on a tree of its own: a copy of the script beside stand-ins for the build, the wall check,
 * the test runner and prettier, each of which notes that it ran and exits as the case says. The format check runs
 * alongside the rest and its findings come after the tests; a failed build or wall check stops the run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../helpers/harness.js';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A stand-in that prints `ran <name> <args>` (and, for prettier, a finding when it fails), then exits with $EXIT_<NAME> (`-` as `_`). */
const standIn = (name: string, finding = ''): string =>
  [
    `const code = Number(process.env[${JSON.stringify(`EXIT_${name.toUpperCase().replaceAll('-', '_')}`)}] ?? 0);`,
    `process.stdout.write(${JSON.stringify(`ran ${name}`)} + (process.argv.length > 2 && ${JSON.stringify(name)} !== 'prettier' ? ' ' + process.argv.slice(2).join(' ') : '') + '\\n');`,
    finding === '' ? '' : `if (code !== 0) process.stdout.write(${JSON.stringify(finding)});`,
    'process.exit(code);',
    '',
  ].join('\n');

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'npm-test-'));
  roots.push(root);
  mkdirSync(join(root, 'scripts'));
  mkdirSync(join(root, 'node_modules', 'prettier', 'bin'), { recursive: true });
  copyFileSync(join(REPO_ROOT, 'scripts', 'test.js'), join(root, 'scripts', 'test.js'));
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  for (const name of ['build', 'check-walls', 'run-tests']) writeFileSync(join(root, 'scripts', `${name}.js`), standIn(name));
  // prettier's own file is CommonJS (.cjs); the stand-in only uses globals.
  writeFileSync(join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), standIn('prettier', '[warn] src/x.ts\n'));
  return root;
}

function run(env: Record<string, string>, args: readonly string[] = []): { status: number | null; out: string } {
  const root = tree();
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'test.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], ...env },
    timeout: 30_000,
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

const CASES: readonly {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly args?: readonly string[];
  readonly status: number;
  /** Lines expected in this order (the output may hold others between them). */
  readonly lines: readonly string[];
  readonly absent: readonly string[];
}[] = [
  {
    name: 'everything passes: build, walls, tests, and the format check alongside',
    env: {},
    status: 0,
    lines: ['ran build', 'ran check-walls', 'ran run-tests'],
    absent: ['failed', '[warn]'],
  },
  {
    name: 'the format check fails: the tests still run, its findings come after them, exit non-zero',
    env: { EXIT_PRETTIER: '2' },
    status: 2,
    lines: ['ran run-tests', '[warn] src/x.ts', 'npm test: the format check failed (npm run format fixes it)'],
    absent: [],
  },
  {
    name: 'the build fails: no wall check, no tests; its code',
    env: { EXIT_BUILD: '3' },
    status: 3,
    lines: ['ran build', 'npm test: the build failed'],
    absent: ['ran check-walls', 'ran run-tests', 'format check failed'],
  },
  {
    name: 'the build and the format check fail: both reported, the build’s code',
    env: { EXIT_BUILD: '3', EXIT_PRETTIER: '2' },
    status: 3,
    lines: ['npm test: the build failed', '[warn] src/x.ts', 'npm test: the format check failed'],
    absent: ['ran run-tests'],
  },
  {
    name: 'the wall check fails: no tests; its code',
    env: { EXIT_CHECK_WALLS: '1' },
    status: 1,
    lines: ['ran check-walls'],
    absent: ['ran run-tests'],
  },
  {
    name: 'a test fails and so does the format check: the tests’ code, the findings reported',
    env: { EXIT_RUN_TESTS: '1', EXIT_PRETTIER: '2' },
    status: 1,
    lines: ['ran run-tests', '[warn] src/x.ts', 'npm test: the format check failed'],
    absent: [],
  },
  {
    name: 'filter arguments go to the test runner only',
    env: {},
    args: ['policy', 'server'],
    status: 0,
    lines: ['ran build', 'ran run-tests policy server'],
    absent: ['ran build policy'],
  },
];

for (const c of CASES) {
  test(`npm test: ${c.name}`, () => {
    const r = run(c.env, c.args);
    assert.equal(r.status, c.status, r.out);
    let from = 0;
    for (const line of c.lines) {
      const at = r.out.indexOf(line, from);
      assert.ok(at !== -1, `expected ${JSON.stringify(line)} after position ${from} in:\n${r.out}`);
      from = at + line.length;
    }
    for (const text of c.absent) assert.ok(!r.out.includes(text), `did not expect ${JSON.stringify(text)} in:\n${r.out}`);
  });
}
