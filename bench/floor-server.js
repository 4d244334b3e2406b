#!/usr/bin/env node
// A reference for bench/run.js: a server that does nothing but verify each token. The baseline's bare node:http
// server (reads the body, answers a fixed reply of a real success's size) plus one RS256 signature verification per
// request of the WebIdentityToken in the body, with node:crypto and a key object made once: no claim checks, no
// policy, no credentials, no XML. Each check is handed to the thread pool and each reply written as its request
// completes (the emulator batches both per event-loop turn, src/server/turn-batch.ts), so it is a reference for
// "distinct tokens, full verification", not a proven ceiling.
// Usage: node bench/floor-server.js <reply-bytes> <public-key.pem> [workers] [sync|async]
//   workers: node:cluster processes sharing the port (default 1); sync: crypto.verify on the main thread,
//   async (default): crypto.verify with a callback, i.e. on libuv's thread pool.
// Prints "floor listening on http://127.0.0.1:PORT" once every worker listens.
import cluster from 'node:cluster';
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [sizeArg = '1500', keyFile, workersArg = '1', mode = 'async'] = process.argv.slice(2);
const size = Number(sizeArg);
const workers = Number(workersArg);
if (
  !Number.isInteger(size) ||
  size < 1 ||
  keyFile === undefined ||
  !Number.isInteger(workers) ||
  workers < 1 ||
  !['sync', 'async'].includes(mode)
) {
  process.stderr.write('usage: floor-server.js <reply-bytes> <public-key.pem> [workers] [sync|async]\n');
  process.exit(2);
}

if (cluster.isPrimary && workers > 1) {
  let listening = 0;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('listening', (_w, address) => {
    if (++listening === workers)
      process.stdout.write(`floor listening on http://127.0.0.1:${address.port} (${workers} workers, ${mode})\n`);
  });
  // Each worker exits on SIGTERM (see serve()); the primary exits once all have.
  let exited = 0;
  cluster.on('exit', () => {
    if (++exited === workers) process.exit(0);
  });
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} else {
  serve();
}

function serve() {
  const key = createPublicKey(readFileSync(keyFile));
  const reply = Buffer.from('<AssumeRoleWithWebIdentityResponse>'.padEnd(size - 1, 'x') + '\n', 'utf8');
  const requestId = '00000000-0000-4000-8000-000000000000';
  const send = (res, ok) => {
    res.statusCode = ok ? 200 : 400;
    res.setHeader('Content-Type', 'text/xml');
    res.setHeader('x-amzn-RequestId', requestId);
    res.setHeader('Content-Length', reply.length);
    res.end(reply);
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const at = body.indexOf('WebIdentityToken=');
      const end = body.indexOf('&', at);
      const token = at < 0 ? '' : body.slice(at + 17, end < 0 ? undefined : end);
      const dot = token.lastIndexOf('.');
      if (dot < 0) return send(res, false);
      const data = Buffer.from(token.slice(0, dot), 'latin1');
      const signature = Buffer.from(token.slice(dot + 1), 'base64url');
      if (mode === 'sync') return send(res, verify('RSA-SHA256', data, key, signature));
      verify('RSA-SHA256', data, key, signature, (err, ok) => send(res, err === null && ok));
    });
  });
  server.keepAliveTimeout = 5_000;
  server.listen(Number(process.env.FLOOR_PORT ?? 0), '127.0.0.1', () => {
    if (workers === 1) process.stdout.write(`floor listening on http://127.0.0.1:${server.address().port} (1 worker, ${mode})\n`);
  });
  // A cluster worker's IPC channel would keep it alive after close(): exit once the server has closed.
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
