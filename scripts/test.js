#!/usr/bin/env node
// `npm test`: the build (what `npm run build` runs: scripts/build.js, incremental), then the wall check and every test
// file (run-tests.js, which takes the same filter arguments). The format check (prettier, with its cache of files
// already checked) runs alongside from the start, as the build and a cold prettier each keep one core of two; its
// findings are printed when the tests are done, and fail the run.
// A failed build or wall check stops the run there, with its output.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prettier = join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs');

/**
 * Runs a command with the terminal's streams, or with its output kept (`keep`); resolves to its exit code and the
 * output kept.
 */
function step(command, args, keep = false) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: keep ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (keep) for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => (output += chunk));
    child.on('error', (e) => resolve({ code: 1, output: `${output}npm test: cannot run ${command}: ${e.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128), output }));
  });
}

const format = step(process.execPath, [prettier, '--check', '--cache', '--cache-strategy', 'content', '--log-level', 'warn', '.'], true);
/** The format check's findings, if it failed: printed, and the code npm test then exits with. */
async function formatted() {
  const { code, output } = await format;
  if (code === 0) return 0;
  process.stderr.write(`${output}npm test: the format check failed (npm run format fixes it)\n`);
  return code;
}

for (const [script, args] of [
  ['build.js', []],
  ['check-walls.js', []],
  ['run-tests.js', process.argv.slice(2)],
]) {
  const { code } = await step(process.execPath, [join(root, 'scripts', script), ...args]);
  if (code !== 0) {
    if (script === 'build.js') process.stderr.write('npm test: the build failed\n');
    await formatted();
    process.exit(code);
  }
}
process.exit(await formatted());
