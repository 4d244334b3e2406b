// Whether the compiled CLI can run: 'missing' (no dist/src/cli/main.js), 'stale' (a clone whose src/, ui/src/ or
// tsconfig.json changed after the build: a file or folder under src/ is newer, which also catches a deleted file) or 'fresh'.
// An installed package has no src/, so there it is 'fresh' whenever dist/ is there.
// The one answer for bin/sts-emulator.js (which refuses to run a stale build) and scripts/build-if-stale.js (prestart).
'use strict';
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

/** The newest modification time of a folder, its files and subfolders. */
function newest(dir) {
  let t = statSync(dir).mtimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** @param {string} root the package root @returns {'missing' | 'stale' | 'fresh'} */
function distState(root) {
  const entry = join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(entry)) return 'missing';
  const src = join(root, 'src');
  if (!existsSync(src)) return 'fresh';
  const tsconfig = join(root, 'tsconfig.json');
  const page = join(root, 'ui', 'src'); // the demo page's scripts, compiled to dist/ui/
  const sources = Math.max(newest(src), existsSync(tsconfig) ? statSync(tsconfig).mtimeMs : 0, existsSync(page) ? newest(page) : 0);
  return sources > statSync(entry).mtimeMs ? 'stale' : 'fresh';
}

/**
 * What runs the CLI: the bundle of the compiled CLI (scripts/bundle-cli.js, made by `npm run build`) when it is at
 * least as new as the compiled modules; otherwise (no esbuild, or only `tsc` run since) the modules' main.js.
 * @param {string} root the package root @returns {string}
 */
function cliEntry(root) {
  const modules = join(root, 'dist', 'src', 'cli', 'main.js');
  const bundle = join(root, 'dist', 'src', 'cli', 'main.bundle.js');
  try {
    return statSync(bundle).mtimeMs >= statSync(modules).mtimeMs ? bundle : modules;
  } catch {
    return modules;
  }
}

module.exports = { cliEntry, distState };
