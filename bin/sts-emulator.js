#!/usr/bin/env node
// Entry point for `npx sts-emulator` and `npm start`: runs the compiled CLI in this process and exits with its status.
// It never compiles: in a clone whose dist/ is missing or older than src/, it says to build (exit 1).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cliEntry, distState } from './dist-state.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const state = distState(root);
if (state === 'fresh') {
  watchNpmShell();
  const { main } = await import(pathToFileURL(cliEntry(root)).href);
  process.exitCode = await main(process.argv.slice(2));
} else {
  process.stderr.write(`sts-emulator: dist/ is ${state === 'missing' ? 'missing' : 'older than src/'}: run \`npm run build\` in ${root}\n`);
  process.exitCode = 1;
}

// npm runs a bin or a script through a shell (sh -c) and forwards SIGINT/SIGTERM to that shell only; dash dies of it
// without passing it on, so `npx sts-emulator serve & ... kill $!` would leave this process running. When npm started
// us and the shell has nothing else to run (no `&` in the command), the shell going away means that signal: take it.
function watchNpmShell() {
  const script = process.env['npm_lifecycle_script'];
  if (script === undefined || /(^|[^&>])&(?![&>])/.test(script)) return;
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, 250);
  watch.unref();
}
