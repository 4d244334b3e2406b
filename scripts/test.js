#!/usr/bin/env node
// `npm test`: the build (`npm run build`, incremental: scripts/build.js) and the format check (prettier, with its cache
// of files already checked) side by side, as tsc leaves one of the two cores idle; then the wall check and every test
// file (run-tests.js, which takes the same filter arguments).
// Stops at the first step that fails, with that step's output.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prettier = join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs');

/** Runs a command with the terminal's streams; resolves to its exit code. */
function step(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.on('error', (e) => {
      process.stderr.write(`npm test: cannot run ${command}: ${e.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

const build = step(process.execPath, [join(root, 'scripts', 'build.js')]); // what `npm run build` runs, without npm's start-up
const format = step(process.execPath, [prettier, '--check', '--cache', '--cache-strategy', 'content', '--log-level', 'warn', '.']);
const [built, formatted] = await Promise.all([build, format]);
if (built !== 0 || formatted !== 0) {
  const failed = [built !== 0 ? 'the build' : '', formatted !== 0 ? 'the format check (npm run format fixes it)' : ''];
  process.stderr.write(`npm test: ${failed.filter(Boolean).join(' and ')} failed\n`);
  process.exit(built !== 0 ? built : formatted);
}
for (const [script, args] of [
  ['check-walls.js', []],
  ['run-tests.js', process.argv.slice(2)],
]) {
  const code = await step(process.execPath, [join(root, 'scripts', script), ...args]);
  if (code !== 0) process.exit(code);
}
