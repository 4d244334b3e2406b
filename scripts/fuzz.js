#!/usr/bin/env node
// The fuzz run at scale (issue "Never down, never silent"): the cases of test/faults/fuzz-cases.ts, sent and checked by
// test/faults/fuzz-client.ts (both compiled to dist/), against `node dist/src/cli/main.js serve --port 0` over several
// keep-alive connections. Exit 1 on any 5xx, a crash (the server process exiting), a hang (no answer within the client
// timeout) or an invalid answer (not STS XML, or a connection closed without one).
// `npm run fuzz` builds first.
//
//   FUZZ_REQUESTS=100000  cases to run          FUZZ_SEED=<uint32>   repeat a run (printed at start and in the summary)
//   FUZZ_CONNECTIONS=16   connections at once   FUZZ_TIMEOUT_MS=15000  client timeout (above serve's 10 s request timeout)
//   FUZZ_CASE=<n>         replay case n of FUZZ_SEED alone: print its mutations, its bytes and the answer
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const cases = await import(new URL('../dist/test/faults/fuzz-cases.js', import.meta.url).href);
const client = await import(new URL('../dist/test/faults/fuzz-client.js', import.meta.url).href);
const { createFuzzContext, fuzzPolicies, fuzzRequest, seedFrom } = cases;
const { FuzzConnection, checkAnswer, runFuzz, emptyStats, statsLine } = client;

const env = process.env;
const number = (name, fallback) => {
  const v = Number(env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number from 1, got '${env[name]}'`);
  return v;
};
const seed = seedFrom(env);
const total = number('FUZZ_REQUESTS', 100_000);
const connections = number('FUZZ_CONNECTIONS', 16);
const timeoutMs = number('FUZZ_TIMEOUT_MS', 15_000);

const policies = await fuzzPolicies();
const child = spawn(process.execPath, [join(root, 'dist/src/cli/main.js'), 'serve', '--port', '0', '--quiet', '--policies', policies.dir], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('STS_EMULATOR_'))),
});
let stderr = '';
child.stderr.on('data', (d) => {
  stderr = (stderr + d.toString()).slice(-20_000);
});
let exited;
const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = code ?? signal))));
const url = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d) => {
    out += d.toString();
    const m = /listening on (http:\/\/[^ ]+)/.exec(out);
    if (m !== null) resolve(m[1]);
  });
  void exit.then((code) => reject(new Error(`serve exited (${code}) before its ready line: ${stderr}`)));
});

const rssMb = () => {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
    return (kb / 1024).toFixed(0);
  } catch {
    return '?';
  }
};

let failed = false;
try {
  const ctx = await createFuzzContext(url);
  if (env.FUZZ_CASE !== undefined) {
    failed = await replay(ctx, Number(env.FUZZ_CASE));
  } else {
    failed = await run(ctx);
  }
} finally {
  if (exited === undefined) child.kill('SIGTERM');
  await exit;
  await policies.remove();
}
process.exitCode = failed ? 1 : 0;

async function run(ctx) {
  console.log(
    `fuzz: seed ${seed} (FUZZ_SEED=${seed} repeats it), ${total} requests over ${connections} connections against ${url} (pid ${child.pid})`,
  );
  const t0 = performance.now();
  const stats = emptyStats();
  let last = 0;
  await runFuzz(
    {
      ctx,
      seed,
      from: 0,
      to: total,
      concurrency: connections,
      timeoutMs,
      stopped: () => exited !== undefined,
      onProgress: (s) => {
        if (s.requests - last < 10_000) return;
        last = s.requests;
        console.log(
          `  ${s.requests} requests, ${((performance.now() - t0) / 1000).toFixed(1)} s, server RSS ${rssMb()} MB: ${statsLine(s)}`,
        );
      },
    },
    stats,
  );
  const elapsed = (performance.now() - t0) / 1000;
  // Give an exit in progress a moment to show.
  await new Promise((r) => setTimeout(r, 200));
  const crashes = exited === undefined ? 0 : 1;
  for (const f of stats.failures)
    console.log(`FAIL case ${f.index} ${f.kind}: ${f.detail}\n  mutations: ${f.labels.join(' ')}\n  request: ${f.request}`);
  if (stats.failures.length > 0) console.log(`replay one: FUZZ_SEED=${seed} FUZZ_CASE=<n> npm run fuzz`);
  if (crashes > 0) console.log(`the server exited (${exited}); its stderr ends with:\n${stderr.slice(-3000)}`);
  else if (stderr.trim() !== '') console.log(`server stderr:\n${stderr.slice(-3000)}`);
  const bad = stats.fivexx + crashes + stats.hangs + stats.invalid + stats.noAnswer;
  console.log(
    `fuzz summary: seed=${seed} ${statsLine(stats)} crashes=${crashes} elapsed=${elapsed.toFixed(1)}s (${Math.round(stats.requests / elapsed)} req/s) server-rss=${rssMb()}MB -> ${bad === 0 && stats.requests === total ? 'PASS' : 'FAIL'}`,
  );
  return bad > 0 || stats.requests !== total;
}

async function replay(ctx, index) {
  const req = await fuzzRequest(ctx, seed, index);
  console.log(
    `case ${index} of seed ${seed}: ${req.labels.join(' ')}${req.fresh ? ' (own connection)' : ''}${req.halfClose ? ' (half-closed)' : ''}`,
  );
  console.log(JSON.stringify(req.bytes.toString('latin1')));
  const conn = new FuzzConnection(ctx.port, ctx.hostname);
  const out = await conn.send(req, timeoutMs);
  conn.close();
  if (out.kind !== 'answer') {
    console.log(`${out.kind} after ${Math.round(out.ms)} ms${out.kind === 'no-answer' ? `: ${out.detail}` : ''}`);
    return true;
  }
  const why = await checkAnswer(req, out.answer);
  console.log(`answer ${out.answer.status} after ${Math.round(out.ms)} ms: ${why ?? 'valid'}`);
  console.log(out.answer.body.toString('utf8').slice(0, 2000));
  return why !== undefined;
}
