#!/usr/bin/env node
// The last step of `npm run build`: the compiled CLI (dist/src/cli/main.js and every module it reaches, jose included)
// in one file, dist/src/cli/main.bundle.js, which bin/sts-emulator.js runs. Node 20 has no module compile cache, and
// resolving, reading and compiling ~150 small ES modules was most of serve's time to its first answer. The bundle is the
// same compiled code, not a second implementation: tests run the modules, and the CLI tests that spawn the bin run the
// bundle. It sits in dist/src/cli/ so that paths made from import.meta.url (the default policies/, the page's files)
// resolve as they do from the modules, all of which are three folders below the package root.
// Packages loaded on demand through createRequire (express, yaml, jsonc-parser, @bufbuild/cel, ...) stay in node_modules.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli', 'main.js');
const out = join(root, 'dist', 'src', 'cli', 'main.bundle.js');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // Without esbuild (an install without devDependencies), bin/ runs the modules: slower to start, same behaviour.
  process.stderr.write('sts-emulator: esbuild is not installed; the CLI runs unbundled\n');
  process.exit(0);
}
const result = await esbuild.build({
  entryPoints: [entry],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Loaded with createRequire where they are needed (or only by the package API): left as packages.
  external: ['express', 'yaml', 'jsonc-parser', '@bufbuild/*', 'picomatch'],
  logLevel: 'warning',
  legalComments: 'none',
});
if (result.errors.length > 0) process.exit(1);
