#!/usr/bin/env node
// `npm run build`: the demo page's scripts (ui/tsconfig.json) and the sources and tests (tsconfig.json) compiled by tsc
// incrementally (its build info in dist/, so a rebuild re-checks only what changed and deleting dist/ starts over),
// compiled files whose source is gone deleted, dist/src/cli/main.js's time set to the build's (bin/dist-state.js
// compares it with src/), then the CLI bundle (scripts/bundle-cli.js).
// `--clean` deletes dist/ first (prepack); any other argument goes to tsc (prepack: `--sourceMap false`).
// A build whose inputs (every file tsc and the bundle read from the project, by path, size and time) are what the last
// build saw is skipped: tsc finds nothing to do then too, but takes ~5 s of CPU to read and parse every file to say so.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { buildInputs } from './build-inputs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const args = process.argv.slice(2);
const clean = args.includes('--clean');
const tscArgs = args.filter((a) => a !== '--clean');
if (clean) rmSync(dist, { recursive: true, force: true });

const stamp = join(dist, 'build-inputs.txt');
const seen = tscArgs.length === 0 ? buildInputs(root) : undefined;
const built = (() => {
  try {
    return readFileSync(stamp, 'utf8');
  } catch {
    return undefined;
  }
})();
if (seen !== undefined && seen === built && existsSync(join(dist, 'src', 'cli', 'main.js'))) process.exit(0);
rmSync(stamp, { force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
for (const [project, info] of [
  ['ui/tsconfig.json', 'ui.tsbuildinfo'],
  ['tsconfig.json', 'tsbuildinfo'],
]) {
  const r = spawnSync(process.execPath, [tsc, '-p', project, '--incremental', '--tsBuildInfoFile', join(dist, info), ...tscArgs], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Compiled files (.js, .d.ts, .js.map) under `out` whose source under `from` no longer exists. */
function orphans(out, from) {
  if (!existsSync(out)) return [];
  return readdirSync(out, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .filter((f) => {
      const m = /^(.*?)(\.d\.ts|\.js\.map|\.js)$/.exec(relative(out, f));
      if (m === null) return false;
      const stem = m[1];
      return stem !== 'cli/main.bundle' && !existsSync(join(from, `${stem}.ts`));
    });
}
for (const f of [
  ...orphans(join(dist, 'src'), join(root, 'src')),
  ...orphans(join(dist, 'test'), join(root, 'test')),
  ...orphans(join(dist, 'ui'), join(root, 'ui', 'src')),
]) {
  rmSync(f);
}

// tsc leaves an unchanged output as it was; the build's time is what tells a fresh dist/ from a stale one.
const now = new Date();
utimesSync(join(dist, 'src', 'cli', 'main.js'), now, now);

const bundled = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-cli.js')], { cwd: root, stdio: 'inherit' });
// What this build saw, read before tsc started: a file changed while it ran is built again next time.
if (bundled.status === 0 && seen !== undefined) writeFileSync(stamp, seen);
process.exit(bundled.status ?? 1);
