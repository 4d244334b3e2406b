#!/usr/bin/env node
// Entry point for `npx sts-emulator`: (re)builds the TypeScript sources when dist/ is missing or older
// than src/, then runs the CLI and exits with its status.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli', 'main.js');

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const stale = !existsSync(entry) || (existsSync(join(root, 'src')) && newestSource(join(root, 'src')) > statSync(entry).mtimeMs);
if (stale) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    process.stderr.write('sts-emulator: the TypeScript build failed (run `npm run build` to see why)\n');
    process.exit(1);
  }
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
