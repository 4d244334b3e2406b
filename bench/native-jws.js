#!/usr/bin/env node
// Does the native JWS check (src/identity/native-jws.ts) still pay? In one process, two verifiers over the demo
// providers, `fastSignatures: true` (as `serve` builds it, signature checks queued per turn) and `false` (jose
// alone), verify the same RS256 tokens in alternating rounds (A B B A ...), so drift of the machine hits both alike.
//
//   npm run build && node bench/native-jws.js
//
// Scenarios: N distinct tokens, each verified once (cache misses: full verification); one token verified N times
// (the verified-claims cache answers after its second sight); one token verified N times with the cache off.
// Each verification is awaited with CONCURRENCY others in flight, as a server under load has them.
// Prints wall and CPU (process.cpuUsage: every thread of the process, libuv's pool included) per verification, and
// the native/jose ratios. Environment: BENCH_N=2000, BENCH_ROUNDS=6, BENCH_CONCURRENCY=32, BENCH_SCHEDULE=turn|now.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mintTokens, userIdFor } from './lib/tokens.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const N = Number(process.env.BENCH_N ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SCHEDULE = process.env.BENCH_SCHEDULE ?? 'turn';

const load = (path) => import(pathToFileURL(join(ROOT, 'dist', path)).href);
const { loadConfig } = await load('src/config/load.js');
const { createTokenVerifier } = await load('src/identity/verifier.js');
const { createTurnQueue } = await load('src/server/turn-batch.js');

const config = await loadConfig(join(ROOT, 'policies'), { accountId: '123456789012' });
const specs = Array.from({ length: N + 1 }, (_, i) => ({ branch: 'main', userId: userIdFor(i), jti: `native-jws-${i}` }));
const minted = await mintTokens(ROOT, specs);
const distinct = minted.slice(0, N);
const repeated = Array.from({ length: N }, () => minted[N]);

function verifiers(fastSignatures, claimsCache) {
  const options = { fastSignatures, ...(claimsCache ? {} : { claimsCache: false }) };
  if (fastSignatures && SCHEDULE === 'turn') options.schedule = createTurnQueue();
  return createTokenVerifier(config.providers, options);
}

/** Verifies `tokens` with at most CONCURRENCY in flight; returns wall and CPU microseconds per verification. */
async function run(verifier, tokens) {
  const now = new Date();
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const token = tokens[next++];
      await verifier.verify(token, now);
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wall = Number(process.hrtime.bigint() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall: wall / tokens.length, cpu: (cpu.user + cpu.system) / tokens.length };
}

const scenarios = [
  { name: `${N} distinct tokens`, tokens: distinct, cache: true },
  { name: `one token x ${N}`, tokens: repeated, cache: true },
  { name: `one token x ${N}, no cache`, tokens: repeated, cache: false },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f = (x) => x.toFixed(1).padStart(7);

console.log(`node ${process.version} · N=${N} · ${ROUNDS} rounds per side · concurrency ${CONCURRENCY} · schedule ${SCHEDULE}`);
for (const s of scenarios) {
  // Warm-up: one pass each (JIT, key import, key objects); fresh verifiers per round so caches start empty.
  await run(verifiers(true, s.cache), s.tokens);
  await run(verifiers(false, s.cache), s.tokens);
  const native = [];
  const jose = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [true, false] : [false, true];
    for (const fast of order) (fast ? native : jose).push(await run(verifiers(fast, s.cache), s.tokens));
  }
  console.log(`\n${s.name}: µs per verification (wall / CPU)`);
  for (let r = 0; r < ROUNDS; r++) {
    console.log(
      `  round ${r + 1}: native ${f(native[r].wall)} /${f(native[r].cpu)}   jose ${f(jose[r].wall)} /${f(jose[r].cpu)}   native/jose wall ${(native[r].wall / jose[r].wall).toFixed(2)} cpu ${(native[r].cpu / jose[r].cpu).toFixed(2)}`,
    );
  }
  const [nw, nc, jw, jc] = [
    median(native.map((x) => x.wall)),
    median(native.map((x) => x.cpu)),
    median(jose.map((x) => x.wall)),
    median(jose.map((x) => x.cpu)),
  ];
  console.log(
    `  median:  native ${f(nw)} /${f(nc)}   jose ${f(jw)} /${f(jc)}   native/jose wall ${(nw / jw).toFixed(2)} cpu ${(nc / jc).toFixed(2)}`,
  );
}
