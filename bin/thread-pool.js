// libuv's thread pool checks the token signatures `serve` hands it. Its default, 4 threads, can be more than a machine
// has cores besides the server's own thread, and a pool thread that wakes then takes that thread's core, with every
// request in flight on it (bench/README.md has the runs). libuv reads UV_THREADPOOL_SIZE when the pool is first used,
// and node's ES module loader uses the pool to read the first module: bin/sts-emulator.js (CommonJS) sets it first.
'use strict';

/** libuv's own default pool size, and the most this sets. */
const LIBUV_DEFAULT_THREADS = 4;

/**
 * The UV_THREADPOOL_SIZE `serve` starts with: a core for the server's thread and the others for the pool, between 1
 * and libuv's default; undefined (leave it) for the other commands, or when the user set UV_THREADPOOL_SIZE.
 * @param {readonly string[]} argv the CLI's arguments @param {NodeJS.ProcessEnv} env @param {number} cores
 * @returns {string | undefined}
 */
function servePoolSize(argv, env, cores) {
  if (argv[0] !== 'serve' || env['UV_THREADPOOL_SIZE'] !== undefined) return undefined;
  return String(Math.min(LIBUV_DEFAULT_THREADS, Math.max(1, cores - 1)));
}

module.exports = { servePoolSize };
