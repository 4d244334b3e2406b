#!/usr/bin/env node
// The baseline for bench/run.js: a bare node:http server that reads the whole request body and answers a
// fixed reply with the same byte size and the same headers as a real AssumeRoleWithWebIdentity success.
// Usage: node bench/baseline-server.js <reply-bytes> [port]   (prints "baseline listening on http://127.0.0.1:PORT")
import http from 'node:http';

const size = Number(process.argv[2] ?? '1500');
const port = Number(process.argv[3] ?? '0');
if (!Number.isInteger(size) || size < 1) {
  process.stderr.write('usage: baseline-server.js <reply-bytes> [port]\n');
  process.exit(2);
}
const head = '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n';
const tail = '</AssumeRoleWithWebIdentityResponse>\n';
const reply = Buffer.from((head + 'x'.repeat(Math.max(0, size - head.length - tail.length)) + tail).slice(0, size), 'utf8');
const requestId = '00000000-0000-4000-8000-000000000000';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    Buffer.concat(chunks); // the body is read in full, as the emulator does
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/xml');
    res.setHeader('x-amzn-RequestId', requestId);
    res.setHeader('Content-Length', reply.length);
    res.end(reply);
  });
});
server.requestTimeout = 10_000;
server.headersTimeout = 5_000;
server.keepAliveTimeout = 5_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`baseline listening on http://127.0.0.1:${server.address().port} (reply ${reply.length} bytes)\n`);
});
const stop = () => {
  server.close();
  server.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
