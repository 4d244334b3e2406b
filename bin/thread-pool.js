// libuv's thread pool checks the token signatures `serve` hands it. Its default, 4 threads, is more than a small
// machine has cores besides the server's own thread, and the threads it adds take that thread's core from it when
// they wake: one process at 8 connections on 2 cores did more requests per second with 1 thread than with 4, at the
// same p99 (bench/README.md). libuv reads UV_THREADPOOL_SIZE once, when the pool is first used, and node's ES module
// loader uses the pool to read the first module, so bin/sts-emulator.js (CommonJS) sets it before importing the CLI.
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
