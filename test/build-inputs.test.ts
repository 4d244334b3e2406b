/**
 * scripts/build-inputs.js, what `npm run build` compares to skip a build with nothing to do: over small trees, every
 * change tsc or the bundle would see changes the inputs, and what the build writes does not. Then the real project:
 * with its inputs as the last build saw them, `npm run build` returns at once and leaves dist/ as it was.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { buildInputs } = (await import(pathToFileURL(join(ROOT, 'scripts', 'build-inputs.js')).href)) as {
  buildInputs: (root: string) => string;
};

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'build-inputs-'));
  const files: Record<string, string> = {
    'src/cli/main.ts': 'export const a = 1;\n',
    'src/policy/evaluate.ts': 'export const b = 2;\n',
    'test/policy/evaluate.test.ts': "import '../../src/policy/evaluate.js';\n",
    'ui/src/page.ts': 'export {};\n',
    'tsconfig.json': '{}\n',
    'ui/tsconfig.json': '{}\n',
    'package.json': '{}\n',
    'package-lock.json': '{}\n',
    'scripts/bundle-cli.js': '\n',
    'dist/src/cli/main.js': 'export const a = 1;\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const later = (path: string): void => {
  const t = new Date(statSync(path).mtimeMs + 5000);
  utimesSync(path, t, t);
};

const CHANGES: readonly (readonly [string, (root: string) => void, boolean])[] = [
  ['nothing', () => undefined, false],
  ['a source edited (same size, later time)', (r) => later(join(r, 'src/cli/main.ts')), true],
  ['a source edited (another size)', (r) => writeFileSync(join(r, 'src/policy/evaluate.ts'), 'export const b = 22;\n'), true],
  ['a source added', (r) => writeFileSync(join(r, 'src/policy/new.ts'), 'export {};\n'), true],
  ['a source deleted', (r) => rmSync(join(r, 'src/policy/evaluate.ts')), true],
  ['a source renamed', (r) => renameSync(join(r, 'src/policy/evaluate.ts'), join(r, 'src/policy/evaluated.ts')), true],
  ['a test edited', (r) => later(join(r, 'test/policy/evaluate.test.ts')), true],
  ["the page's script edited", (r) => later(join(r, 'ui/src/page.ts')), true],
  ['tsconfig.json edited', (r) => writeFileSync(join(r, 'tsconfig.json'), '{ "compilerOptions": {} }\n'), true],
  ['package-lock.json changed (other installed types)', (r) => later(join(r, 'package-lock.json')), true],
  ['the bundle script edited', (r) => later(join(r, 'scripts/bundle-cli.js')), true],
  ['dist/ written (what the build writes)', (r) => writeFileSync(join(r, 'dist/src/cli/main.js'), 'changed\n'), false],
  ['a file outside the inputs added', (r) => writeFileSync(join(r, 'README.md'), '# x\n'), false],
  ['a test fixture added (tsc reads only .ts files)', (r) => writeFileSync(join(r, 'test/policy/case.json'), '{}\n'), false],
];

for (const [name, change, differs] of CHANGES) {
  test(`build inputs: ${name} -> ${differs ? 'built again' : 'skipped'}`, () => {
    const root = tree();
    try {
      const before = buildInputs(root);
      change(root);
      assert.equal(buildInputs(root) !== before, differs);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test('build inputs: one line per input file, by path; a missing folder or file is left out', () => {
  const root = tree();
  try {
    rmSync(join(root, 'ui'), { recursive: true });
    const lines = buildInputs(root).split('\n');
    assert.deepEqual(
      lines.map((l) => l.split(' ')[0]),
      [
        'package-lock.json',
        'package.json',
        'scripts/bundle-cli.js',
        'src/cli/main.ts',
        'src/policy/evaluate.ts',
        'test/policy/evaluate.test.ts',
        'tsconfig.json',
      ],
    );
    for (const line of lines) assert.match(line, /^\S+ \d+ \d+(\.\d+)?$/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('npm run build on this project with nothing changed since its last build: nothing rebuilt', (t) => {
  const stamp = join(ROOT, 'dist', 'build-inputs.txt');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== buildInputs(ROOT)) {
    // `npm test` builds first, so this holds there; a tree edited since its last build would be built by this test.
    t.skip('the project changed since its last build (npm test builds it first)');
    return;
  }
  const main = join(ROOT, 'dist', 'src', 'cli', 'main.js');
  const bundle = join(ROOT, 'dist', 'src', 'cli', 'main.bundle.js');
  const times = [statSync(main).mtimeMs, statSync(bundle).mtimeMs];
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout + r.stderr, '');
  assert.deepEqual([statSync(main).mtimeMs, statSync(bundle).mtimeMs], times);
});
