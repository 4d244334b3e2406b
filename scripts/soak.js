#!/usr/bin/env node
// The soak (issue "Never down, never silent"): `node dist/src/cli/main.js serve --port 0` under a fixed request rate for
// a while, open loop (request i starts at t0 + i / rate whatever the answers do), mixing allowed, denied and invalid
// AssumeRoleWithWebIdentity calls and SigV4-signed GetCallerIdentity. Every 10 s one row: requests started, answers
// by status, errors (connection errors and timeouts, 5xx, answers that are not STS XML), answers other than the one
// expected, p50/p99 latency (from the scheduled start, so a client or server falling behind shows), the server's
// resident memory (VmRSS) and the CPU used by the server, by this client and by anything else on the machine.
// Exit 1 on any error or unexpected answer. `npm run soak` builds first.
//
//   SOAK_SECONDS=60  SOAK_RATE=2000 (requests/s)  SOAK_SOCKETS=64 (keep-alive sockets at most)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintTokens, userIdFor } from '../bench/lib/tokens.js';
import { signedCallerIdentity } from '../bench/lib/sigv4.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const { stsXml } = await import(new URL('../dist/test/server/helpers.js', import.meta.url).href);

const number = (name, fallback) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got '${process.env[name]}'`);
  return v;
};
const SECONDS = number('SOAK_SECONDS', 60);
const RATE = number('SOAK_RATE', 2000);
const SOCKETS = Math.round(number('SOAK_SOCKETS', 64));
const WINDOW_MS = 10_000;
const TIMEOUT_MS = 15_000;
const ROLE = 'arn:aws:iam::123456789012:role/deploy-main';

// ---- the server ----

const child = spawn(
  process.execPath,
  [join(root, 'dist/src/cli/main.js'), 'serve', '--port', '0', '--quiet', '--policies', join(root, 'policies')],
  {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STS_EMULATOR_'))),
  },
);
let stderr = '';
child.stderr.on('data', (d) => (stderr = (stderr + d.toString()).slice(-20_000)));
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
const { hostname, port } = new URL(url);

const TICK_HZ = 100; // /proc/<pid>/stat counts in clock ticks (USER_HZ, 100 on Linux)
const serverRssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;
const serverCpuS = () => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK_HZ; // utime, stime
};
const machineBusyS = () => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / TICK_HZ; // user nice system irq softirq steal
};
const clientCpuS = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// ---- the requests: allowed, denied, invalid, SigV4 ----

const ttlSeconds = Math.ceil(SECONDS) + 3600;
const [allowed, denied, expired] = await Promise.all([
  mintTokens(
    root,
    Array.from({ length: 2000 }, (_, i) => ({ branch: 'main', userId: userIdFor(i), jti: `soak-${i}`, ttlSeconds })),
  ),
  mintTokens(
    root,
    Array.from({ length: 200 }, (_, i) => ({ branch: 'feature/x', userId: userIdFor(i), jti: `soak-denied-${i}`, ttlSeconds })),
  ),
  mintTokens(
    root,
    Array.from({ length: 50 }, (_, i) => ({ branch: 'main', userId: userIdFor(i), jti: `soak-expired-${i}`, ttlSeconds: -600 })),
  ),
]);
const form = (params) => new URLSearchParams({ Version: '2011-06-15', ...params }).toString();
const web = (token, extra = {}) =>
  form({ Action: 'AssumeRoleWithWebIdentity', RoleArn: ROLE, RoleSessionName: 'soak', WebIdentityToken: token, ...extra });
const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const flip = (t) => t.slice(0, -5) + (t.at(-5) === 'A' ? 'B' : 'A') + t.slice(-4);

const creds = await (async () => {
  const res = await fetch(url, { method: 'POST', headers: FORM, body: web(allowed[0]) });
  const text = await res.text();
  const field = (n) => new RegExp(`<${n}>([^<]+)</${n}>`).exec(text)?.[1];
  if (res.status !== 200) throw new Error(`AssumeRoleWithWebIdentity for the SigV4 credentials: ${res.status} ${text}`);
  return { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey'), sessionToken: field('SessionToken') };
})();
// Signed at now - (i mod 300) s: valid for ten minutes at least; signed again every four minutes of a longer soak.
let signed = await signedCallerIdentity(creds, hostname, Number(port), 300);
const resign = setInterval(() => void signedCallerIdentity(creds, hostname, Number(port), 300).then((s) => (signed = s)), 240_000);

/** The invalid requests, in turn: each with the answer expected. */
const INVALID = [
  (i) => ({ body: web(expired[i % expired.length]), status: 400, code: 'ExpiredTokenException' }),
  (i) => ({ body: web(flip(allowed[i % allowed.length])), status: 400, code: 'InvalidIdentityToken' }),
  (i) => ({ body: web(allowed[i % allowed.length], { DurationSeconds: '1' }), status: 400, code: 'ValidationError' }),
  (i) => ({
    body: web(allowed[i % allowed.length]).replace('AssumeRoleWithWebIdentity', 'AssumeRoleWithWebIdentityX'),
    status: 400,
    code: 'InvalidAction',
  }),
  (i) => ({ body: web(`${allowed[i % allowed.length]}`.replace(/\./g, '')), status: 400, code: 'InvalidIdentityToken' }),
];
/** Request i: what to send and the answer expected (status, and the error code or the root element). */
const KINDS = ['allowed', 'allowed', 'allowed', 'allowed', 'denied', 'denied', 'invalid', 'invalid', 'sigv4', 'sigv4'];
function requestFor(i) {
  const kind = KINDS[i % KINDS.length];
  const n = Math.floor(i / KINDS.length);
  if (kind === 'allowed')
    return { kind, headers: FORM, body: web(allowed[n % allowed.length]), status: 200, root: 'AssumeRoleWithWebIdentityResponse' };
  if (kind === 'denied') return { kind, headers: FORM, body: web(denied[n % denied.length]), status: 403, code: 'AccessDenied' };
  if (kind === 'invalid') return { kind, headers: FORM, ...INVALID[n % INVALID.length](n) };
  const s = signed[n % signed.length];
  return { kind, headers: s.headers, body: s.body, status: 200, root: 'GetCallerIdentityResponse' };
}

// ---- the run ----

const agent = new http.Agent({ keepAlive: true, maxSockets: SOCKETS });
const total = Math.round(SECONDS * RATE);
const windows = [];
const windowAt = (t) => (windows[Math.floor(t / WINDOW_MS)] ??= { started: 0, byStatus: {}, errors: 0, unexpected: 0, latencies: [] });
const all = { started: 0, answered: 0, byStatus: {}, errors: 0, unexpected: 0, latencies: [], maxLag: 0, firstErrors: [] };
let inFlight = 0;
let t0 = 0;

function note(list, text) {
  if (list.length < 10) list.push(text);
}

function send(i) {
  const scheduled = (i * 1000) / RATE;
  const lag = performance.now() - t0 - scheduled;
  all.maxLag = Math.max(all.maxLag, lag);
  windowAt(scheduled).started++;
  all.started++;
  inFlight++;
  const r = requestFor(i);
  let finished = false;
  const done = (status, failure, wrong) => {
    if (finished) return;
    finished = true;
    inFlight--;
    const now = performance.now() - t0;
    const w = windowAt(now);
    const latency = now - scheduled;
    w.latencies.push(latency);
    all.latencies.push(latency);
    all.answered += status === undefined ? 0 : 1;
    if (status !== undefined) {
      w.byStatus[status] = (w.byStatus[status] ?? 0) + 1;
      all.byStatus[status] = (all.byStatus[status] ?? 0) + 1;
    }
    if (failure !== undefined) {
      w.errors++;
      all.errors++;
      note(all.firstErrors, `request ${i} (${r.kind}): ${failure}`);
    } else if (wrong !== undefined) {
      w.unexpected++;
      all.unexpected++;
      note(all.firstErrors, `request ${i} (${r.kind}): unexpected ${wrong}`);
    }
  };
  const req = http.request(
    { agent, hostname, port, method: 'POST', path: '/', headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', (e) => done(undefined, `response: ${e.code ?? e.message}`));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode >= 500) return done(res.statusCode, `status ${res.statusCode}: ${text.slice(0, 200)}`);
        stsXml({ status: res.statusCode, headers: res.headers, text }).then(
          (x) => {
            const got = x.error?.code ?? x.root;
            const want = r.code ?? r.root;
            done(
              res.statusCode,
              undefined,
              res.statusCode !== r.status || got !== want ? `${res.statusCode} ${got}, expected ${r.status} ${want}` : undefined,
            );
          },
          (e) => done(res.statusCode, `not STS XML: ${e.message.split('\n')[0]}`),
        );
      });
    },
  );
  req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
  req.on('error', (e) => done(undefined, `connection: ${e.code ?? e.message}`));
  req.end(r.body);
}

const pct = (sorted, p) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
const ms = (v) => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(0));
const cores = (v) => v.toFixed(2);

console.log(
  `soak: ${SECONDS} s at ${RATE} requests/s (open loop, ${total} requests), at most ${SOCKETS} keep-alive sockets, against ${url} (pid ${child.pid}), ${cpus().length} CPUs`,
);
console.log(
  'mix: 40% allowed (2,000 distinct tokens), 20% denied (feature/x on deploy-main), 20% invalid (expired, bad signature, bad DurationSeconds, unknown Action, not a JWT), 20% GetCallerIdentity signed with SigV4\n',
);
const header =
  '| time | requests | answers by status | errors | unexpected | p50 ms | p99 ms | RSS MB | server CPU | client CPU | other CPU |';
console.log(header);
console.log('|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
const rows = [header];
const row = (cells) => {
  const line = `| ${cells.join(' | ')} |`;
  rows.push(line);
  console.log(line);
};
const rssStart = serverRssMb();
let rssMax = rssStart;
row(['0 s', '0', '-', '0', '0', '-', '-', rssStart.toFixed(1), '-', '-', '-']);

let last = { at: 0, server: serverCpuS(), client: clientCpuS(), busy: machineBusyS() };
function sample(label, w) {
  const now = { at: performance.now() - t0, server: serverCpuS(), client: clientCpuS(), busy: machineBusyS() };
  const span = (now.at - last.at) / 1000;
  const server = (now.server - last.server) / span;
  const client = (now.client - last.client) / span;
  const other = Math.max(0, (now.busy - last.busy) / span - server - client);
  last = now;
  const rss = serverRssMb();
  rssMax = Math.max(rssMax, rss);
  const lat = [...(w?.latencies ?? [])].sort((a, b) => a - b);
  const statuses = Object.entries(w?.byStatus ?? {})
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  row([
    label,
    String(w?.started ?? 0),
    statuses || '-',
    String(w?.errors ?? 0),
    String(w?.unexpected ?? 0),
    ms(pct(lat, 50)),
    ms(pct(lat, 99)),
    rss.toFixed(1),
    cores(server),
    cores(client),
    cores(other),
  ]);
}

t0 = performance.now();
last = { at: 0, server: serverCpuS(), client: clientCpuS(), busy: machineBusyS() };
// Answers are counted in the window in which they arrive; a row is written as its window closes.
let sampled = 0;
const sampler = setInterval(() => {
  if (exited !== undefined) return;
  sampled++;
  sample(`${(sampled * WINDOW_MS) / 1000} s`, windows[sampled - 1]);
}, WINDOW_MS);
let started = 0;
await new Promise((resolve) => {
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * RATE) / 1000) + 1);
    while (started < due && exited === undefined) send(started++);
    if (started >= total || exited !== undefined) resolve();
    else setTimeout(tick, 1);
  };
  tick();
});
const sendingMs = performance.now() - t0;
const drainUntil = performance.now() + TIMEOUT_MS + 1_000;
while (inFlight > 0 && exited === undefined && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
const elapsedMs = performance.now() - t0;
clearInterval(sampler);
clearInterval(resign);
if (windows.length > sampled && exited === undefined) {
  // What arrived after the last full window: one row.
  const rest = windows.slice(sampled).filter(Boolean);
  const merged = { started: 0, byStatus: {}, errors: 0, unexpected: 0, latencies: [] };
  for (const w of rest) {
    merged.started += w.started;
    merged.errors += w.errors;
    merged.unexpected += w.unexpected;
    merged.latencies.push(...w.latencies);
    for (const [k, n] of Object.entries(w.byStatus)) merged.byStatus[k] = (merged.byStatus[k] ?? 0) + n;
  }
  sample(`${(elapsedMs / 1000).toFixed(1)} s (end)`, merged);
}
agent.destroy();

const crashed = exited !== undefined;
const rssEnd = crashed ? NaN : serverRssMb();
if (!crashed) child.kill('SIGTERM');
await exit;

const lat = all.latencies.sort((a, b) => a - b);
const achieved = all.answered / (elapsedMs / 1000);
const startRate = all.started / (sendingMs / 1000);
const statuses = Object.entries(all.byStatus)
  .map(([k, n]) => `${k}=${n}`)
  .join(' ');
const failed = crashed || all.errors > 0 || all.unexpected > 0 || all.answered !== total;
console.log('');
for (const e of all.firstErrors) console.log(`ERROR ${e}`);
if (crashed) console.log(`the server exited (${exited}); its stderr ends with:\n${stderr.slice(-3000)}`);
else if (stderr.trim() !== '') console.log(`server stderr:\n${stderr.slice(-3000)}`);
console.log(
  `soak summary: ${SECONDS} s at ${RATE}/s target: started=${all.started} (${startRate.toFixed(0)}/s) answered=${all.answered} (${achieved.toFixed(0)}/s over ${(elapsedMs / 1000).toFixed(1)} s) ` +
    `${statuses} errors=${all.errors} unexpected=${all.unexpected} crashes=${crashed ? 1 : 0} p50=${ms(pct(lat, 50))}ms p99=${ms(pct(lat, 99))}ms max=${ms(lat.at(-1) ?? NaN)}ms ` +
    `max-start-lag=${ms(all.maxLag)}ms rss=${rssStart.toFixed(1)}->${Number.isNaN(rssEnd) ? '?' : rssEnd.toFixed(1)}MB (max ${rssMax.toFixed(1)}) -> ${failed ? 'FAIL' : 'PASS'}`,
);
// Open loop: a sender that starts late, or latency that grows window after window, means the rate was not sustained.
if (all.maxLag > 1_000 || achieved < RATE * 0.95) {
  console.log(
    `the rate of ${RATE}/s was not sustained: answers came at ${achieved.toFixed(0)}/s and the sender started up to ${ms(all.maxLag)} ms late (see the CPU columns: client and server share this machine's cores)`,
  );
}
process.exitCode = failed ? 1 : 0;
