#!/usr/bin/env node
// Entry point for `npx sts-emulator` and `npm start`: runs the compiled CLI in this process and exits with its status.
// It never compiles: in a clone whose dist/ is missing or older than src/, it says to build (exit 1).
// CommonJS (bin/package.json), so that it runs before node's module loader first uses libuv's thread pool
// (bin/thread-pool.js).
'use strict';
const { availableParallelism } = require('node:os');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { cliEntry, distState } = require('./dist-state.js');
const { servePoolSize } = require('./thread-pool.js');

const root = join(__dirname, '..');
const args = process.argv.slice(2);
const state = distState(root);
if (state === 'fresh') {
  const poolSize = servePoolSize(args, process.env, availableParallelism());
  if (poolSize !== undefined) process.env['UV_THREADPOOL_SIZE'] = poolSize;
  watchNpmShell();
  import(pathToFileURL(cliEntry(root)).href)
    .then(({ main }) => main(args))
    .then((code) => {
      process.exitCode = code;
    });
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
