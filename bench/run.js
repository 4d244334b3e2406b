#!/usr/bin/env node
// sts-emulator benchmarks (issue 6). One command from a fresh clone: `npm run bench` (builds, then runs this file).
// Needs wrk on PATH (Debian/Ubuntu: `apt-get install wrk`); moto_server is used as a reference row when present.
//
// Environment:
//   BENCH_DURATION=10      seconds per measured scenario (default 10; 3 with BENCH_QUICK=1)
//   BENCH_QUICK=1          short runs, no 1M-request memory run, 3 ready-time samples
//   BENCH_CONNECTIONS=8,32 connection counts
//   BENCH_WORKERS=1,2      `serve --workers N` for the emulator rows, one set of rows per value (the memory run uses the first)
//   BENCH_TOKENS=5000      distinct valid tokens (5x the verifier's 1,000-entry cache: cycled in order, every request verifies in full)
//   BENCH_MEMORY=1         run the 1,000,000-request memory scenario (default on, off with BENCH_QUICK=1)
//   BENCH_MEMORY_REQUESTS=1000000
//   BENCH_CASES=10000      regression cases (0 skips them)
//   BENCH_MOTO=auto        0 skips moto_server, 1 requires it
//   BENCH_WRK_THREADS=1    wrk threads (1 is enough for these rates on 2 cores; see the "wrk CPU" column)
//   BENCH_PROFILE=1        start the emulator with --cpu-prof (profiles in bench/results/profiles/)
//   BENCH_QUIET_WAIT=600   before each row, wait up to this many seconds for other processes to leave the CPUs
//                          idle (< 0.3 cores busy); 0 does not wait. The "other CPU" column shows what they used.
//   BENCH_COMPARE=<dir>    A/B mode: also measure the build in <dir>, another checkout of sts-emulator that has been built
//                          (<dir>/dist/src/cli/main.js, and <dir>/node_modules or a symlink to one). Every emulator row
//                          and the ready-time samples are measured for both builds in alternation (A, B, A, B ...), so the
//                          machine's drift affects both alike; the memory and regression-case scenarios run once per
//                          build. Each build serves its own policies/ and mints the SigV4 row's credentials from its own
//                          server (a session token is only meaningful to the build that sealed it). The report adds an
//                          "A/B" table; the rest of the report is this checkout's (B) as without BENCH_COMPARE.
//                          To compare against an older commit:
//                            git worktree add /tmp/sts-old <commit> && (cd /tmp/sts-old && npm ci && npm run build) \
//                              && BENCH_COMPARE=/tmp/sts-old npm run bench
//   BENCH_COMPARE_LABEL_A  the name of build A in the report (default: the compare dir's short git hash)
//   BENCH_AB_ROUNDS=2      with BENCH_COMPARE, how many times each build is measured per row kind, in alternation
// Output: a markdown report on stdout and in bench/results/latest.md (latest-quick.md with BENCH_QUICK=1;
// latest-ab.md / latest-ab-quick.md with BENCH_COMPARE).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';
import { mintTokens, userIdFor, CIRCLE_ORG } from './lib/tokens.js';
import { signedCallerIdentity } from './lib/sigv4.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const MAIN = join(ROOT, 'dist/src/cli/main.js');
const POLICIES = join(ROOT, 'policies');
const LUA = join(ROOT, 'bench/wrk/requests.lua');
const RESULTS = join(ROOT, 'bench/results');

const env = process.env;
const QUICK = env.BENCH_QUICK === '1';
const DURATION = Number(env.BENCH_DURATION ?? (QUICK ? 3 : 10));
const WARMUP = QUICK ? 1 : 3;
const CONNECTIONS = (env.BENCH_CONNECTIONS ?? '8,32').split(',').map(Number);
const WORKERS = (env.BENCH_WORKERS ?? '1,2').split(',').map(Number);
const N_TOKENS = Number(env.BENCH_TOKENS ?? 5000);
const MEMORY = env.BENCH_MEMORY === undefined ? !QUICK : env.BENCH_MEMORY === '1';
const MEMORY_REQUESTS = Number(env.BENCH_MEMORY_REQUESTS ?? 1_000_000);
const N_CASES = Number(env.BENCH_CASES ?? 10000);
const MOTO = env.BENCH_MOTO ?? 'auto';
const WRK_THREADS = Number(env.BENCH_WRK_THREADS ?? 1);
const PROFILE = env.BENCH_PROFILE === '1';
const READY_SAMPLES = QUICK ? 3 : 7;
const QUIET_WAIT = Number(env.BENCH_QUIET_WAIT ?? 600);
const COMPARE = env.BENCH_COMPARE === undefined || env.BENCH_COMPARE === '' ? undefined : resolve(env.BENCH_COMPARE);
const AB_ROUNDS = COMPARE === undefined ? 1 : Number(env.BENCH_AB_ROUNDS ?? 2);
const ROLE = 'arn:aws:iam::123456789012:role/deploy-main';
const SIGNING_KEY = join(POLICIES, 'providers/circleci-demo.DEMO-KEY.pem'); // the floor verifies with its public half
const FLOOR_ROW = 'floor: baseline + one RS256 verify (node:crypto, thread pool), nothing else';
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const TICK = 100; // USER_HZ on Linux: /proc/<pid>/stat times are in 1/100 s

const log = (s) => process.stderr.write(`[bench] ${s}\n`);
const children = new Set();
const tmp = mkdtempSync(join(os.tmpdir(), 'sts-bench-'));

function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

// ---------------------------------------------------------------------------------------------- helpers

function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** One HTTP request with a fresh connection; resolves {status, headers, body}. */
function request(port, { method = 'POST', path = '/', headers = {}, body = '' }, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, headers: { 'content-type': FORM, ...headers }, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Spawns a server and waits for a line matching `ready` on stdout; returns the child, the port and the ms to the line. */
function startServer(label, cmd, args, ready, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...(opts.env ?? {}) } });
    children.add(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`${label} did not become ready in 60 s\n${out}${err}`)), 60_000);
    function fail(e) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    }
    let done = false;
    const check = (text) => {
      const m = done ? null : ready.exec(text);
      if (m !== null) {
        done = true;
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), lineMs: performance.now() - t0, label });
      }
    };
    child.stdout.on('data', (d) => {
      if (out.length < 1e5) out += d;
      check(out);
    });
    child.stderr.on('data', (d) => {
      if (err.length < 1e5) err += d;
      if (opts.readyOnStderr === true) check(err);
    });
    child.once('exit', (code, sig) => fail(new Error(`${label} exited early (${code ?? sig})\n${out}${err}`)));
  });
}

async function stopServer(s) {
  if (s === undefined || s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
  children.delete(s.child);
}

function procTree(pid) {
  const pids = [pid];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) pids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** CPU seconds (user+sys) of a process and its direct children (cluster workers). */
function cpuSeconds(pid) {
  let ticks = 0;
  for (const p of procTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return ticks / TICK;
}

/** Resident memory in MB: total over the process and its direct children, and per process. */
function rssMb(pid) {
  const per = [];
  for (const p of procTree(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) per.push(Number(m[1]) / 1024);
    } catch {
      /* gone */
    }
  }
  return { total: per.reduce((a, b) => a + b, 0), per };
}

/** Busy CPU seconds of the whole machine so far (/proc/stat: user+nice+system+irq+softirq+steal). */
function machineBusySeconds() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) / TICK;
}

/** Waits until the machine is idle apart from us (our servers idle between rows): fairer rows on a shared machine. */
async function waitQuiet() {
  if (QUIET_WAIT <= 0) return;
  const t0 = performance.now();
  let warned = false;
  for (;;) {
    const b0 = machineBusySeconds();
    await sleep(1000);
    const busy = machineBusySeconds() - b0;
    if (busy < 0.3) return;
    if ((performance.now() - t0) / 1000 > QUIET_WAIT) {
      log(`other processes keep ${busy.toFixed(1)} cores busy; measuring anyway (see the "other CPU" column)`);
      return;
    }
    if (!warned) log(`waiting for other processes to leave the CPUs (${busy.toFixed(1)} cores busy) ...`);
    warned = true;
  }
}

/** The short commit of a checkout, marked when its src/ has uncommitted changes. */
function gitCommit(dir) {
  try {
    const git = (...args) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', 'src') === '' ? '' : ' (+ uncommitted src changes)');
  } catch {
    return 'unknown';
  }
}

/** A digest of every file under `dir` (paths and contents), to tell whether two builds serve the same policies. */
function dirDigest(dir) {
  const h = createHash('sha256');
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else
        h.update(`${relative(dir, p)}\0`)
          .update(readFileSync(p))
          .update('\0');
    }
  };
  walk(dir);
  return h.digest('hex');
}

/** A built checkout of sts-emulator: B is this one; A, with BENCH_COMPARE, the one it is compared with. */
function buildAt(key, root, label) {
  // The emulator is started as users start it (`npx sts-emulator`, `npm start`): through bin/, which runs the build's
  // bundle of the CLI when it has one (scripts/bundle-cli.js) and its compiled modules otherwise.
  return { key, root, main: join(root, 'bin/sts-emulator.js'), policies: join(root, 'policies'), label };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const fmt = (n, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const ms = (us) => `${(us / 1000).toFixed(2)} ms`;

// ---------------------------------------------------------------------------------------------- request files

function formBody(token) {
  return new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: ROLE,
    RoleSessionName: 'bench',
    WebIdentityToken: token,
  }).toString();
}

/** Writes a wrk request file: METHOD \t PATH \t BODY \t Header: value ... */
function writeRequests(name, reqs) {
  const file = join(tmp, `${name}.req`);
  const lines = reqs.map((r) =>
    [
      r.method ?? 'POST',
      r.path ?? '/',
      r.body ?? '',
      ...Object.entries(r.headers ?? { 'Content-Type': FORM })
        .filter(([k]) => k.toLowerCase() !== 'host' && k.toLowerCase() !== 'content-length')
        .map(([k, v]) => `${k}: ${v}`),
    ].join('\t'),
  );
  for (const l of lines) if (/[\n]/.test(l)) throw new Error('request line contains a newline');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const webIdentity = (token) => ({ body: formBody(token), headers: { 'Content-Type': FORM } });

// ---------------------------------------------------------------------------------------------- wrk

async function wrk(port, file, connections, seconds) {
  const args = [
    '-t',
    String(Math.min(WRK_THREADS, connections)),
    '-c',
    String(connections),
    '-d',
    `${seconds}s`,
    '--timeout',
    '10s',
    '-s',
    LUA,
    `http://127.0.0.1:${port}/`,
    '--',
    file,
    String(Math.min(WRK_THREADS, connections)),
  ];
  const out = await new Promise((resolve, reject) => {
    // `times` reports the CPU used by wrk (the shell's children), to show the load generator is not the bottleneck.
    const child = spawn('bash', ['-c', 'wrk "$@"; rc=$?; times; exit $rc', 'bash', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.once('exit', (code) => {
      children.delete(child);
      code === 0 ? resolve(text) : reject(new Error(`wrk failed (${code}):\n${text}`));
    });
  });
  const m = /BENCH_JSON (\{.*\})/.exec(out);
  if (m === null) throw new Error(`wrk printed no result:\n${out}`);
  const r = JSON.parse(m[1]);
  const t = out
    .trim()
    .split('\n')
    .pop()
    .match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
  const wrkCpu = t === null ? NaN : Number(t[1]) * 60 + Number(t[2]) + Number(t[3]) * 60 + Number(t[4]);
  const secs = r.duration_us / 1e6;
  return { ...r, rps: r.requests / secs, seconds: secs, wrkCpu: wrkCpu / secs };
}

async function measure(target, scenario, connections) {
  await waitQuiet();
  await wrk(target.port, scenario.file, connections, WARMUP);
  const before = cpuSeconds(target.child.pid);
  const busyBefore = machineBusySeconds();
  const r = await wrk(target.port, scenario.file, connections, DURATION);
  const serverCpu = (cpuSeconds(target.child.pid) - before) / r.seconds;
  const otherCpu = Math.max(0, (machineBusySeconds() - busyBefore) / r.seconds - serverCpu - r.wrkCpu);
  const socketErrors = r.connect + r.read + r.write + r.timeout;
  const ok =
    socketErrors === 0 && (scenario.expect === 'non2xx' ? r.status === r.requests : scenario.expect === 'any' ? true : r.status === 0);
  return { ...r, serverCpu, otherCpu, ok, socketErrors };
}

// ---------------------------------------------------------------------------------------------- scenarios

function emulatorArgs(build, port, workers, extra = []) {
  const args = [build.main, 'serve', '--port', String(port), '--policies', build.policies, ...extra];
  if (workers > 1) args.push('--workers', String(workers));
  return args;
}

const READY_LINE = /sts-emulator listening on http:\/\/[^:]+:(\d+)/;

async function startEmulator(build, workers, extraNodeArgs = []) {
  const label = `emulator ${build.key} (${workers} worker${workers === 1 ? '' : 's'})`;
  const args = [...extraNodeArgs, ...emulatorArgs(build, 0, workers, ['--server-key', randomBytes(32).toString('hex')])];
  // No per-request log line on stderr (the default of serve since the request log; older builds ignore the variable).
  return startServer(label, process.execPath, args, READY_LINE, { cwd: build.root, env: { STS_EMULATOR_QUIET: '1' } });
}

/** One sample: time from spawning node to the ready line and to the first 200 answer to a real AssumeRoleWithWebIdentity. */
async function readySample(build, body, workers) {
  const port = await freePort();
  await waitQuiet();
  const t0 = performance.now();
  const child = spawn(process.execPath, emulatorArgs(build, port, workers), {
    cwd: build.root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...env, STS_EMULATOR_QUIET: '1' },
  });
  children.add(child);
  let lineMs;
  child.stdout.on('data', (d) => {
    if (lineMs === undefined && READY_LINE.test(String(d))) lineMs = performance.now() - t0;
  });
  let answerMs;
  while (answerMs === undefined || lineMs === undefined) {
    if (performance.now() - t0 > 30_000) throw new Error(`emulator ${build.key} did not answer within 30 s`);
    if (answerMs !== undefined) {
      await sleep(1); // answered before the ready line (a worker listens before the others): wait for the line
      continue;
    }
    try {
      const r = await request(port, { body }, 2000);
      if (r.status !== 200) throw new Error(`first answer of emulator ${build.key} was ${r.status}: ${r.body}`);
      answerMs = performance.now() - t0;
    } catch (e) {
      if (!/ECONNREFUSED|ECONNRESET/.test(String(e.code ?? e.message))) throw e;
      await sleep(1);
    }
  }
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  children.delete(child);
  return { lineMs: lineMs ?? NaN, answerMs };
}

/** Ready-time samples for each build, taken in alternation (A, B, A, B ...); returns one summary per build. */
async function readyTimes(builds, token, workers) {
  const body = formBody(token);
  const samples = new Map(builds.map((b) => [b.key, []]));
  for (let i = 0; i < READY_SAMPLES; i++) for (const b of builds) samples.get(b.key).push(await readySample(b, body, workers));
  return builds.map((b) => {
    const ss = samples.get(b.key);
    return {
      build: b.key,
      workers,
      lineMedian: median(ss.map((s) => s.lineMs)),
      answerMedian: median(ss.map((s) => s.answerMs)),
      answerMax: Math.max(...ss.map((s) => s.answerMs)),
      samples: ss,
    };
  });
}

function parseCredentials(xml) {
  const get = (tag) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
  const c = { accessKeyId: get('AccessKeyId'), secretAccessKey: get('SecretAccessKey'), sessionToken: get('SessionToken') };
  if (!c.accessKeyId || !c.secretAccessKey || !c.sessionToken) throw new Error(`no credentials in:\n${xml}`);
  return c;
}

/** Checks one request of each scenario against the emulator before loading it. */
async function sanityCheck(port, scenarios) {
  for (const s of scenarios) {
    const lines = readFileSync(s.file, 'utf8').split('\n');
    const [method, path, body, ...hs] = lines[0].split('\t');
    const headers = Object.fromEntries(hs.map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1).trim()]));
    const r = await request(port, { method, path, headers, body });
    if (!s.check(r)) throw new Error(`scenario "${s.name}": unexpected answer ${r.status}\n${r.body}`);
  }
}

// ---------------------------------------------------------------------------------------------- regression cases

/** Writes the regression case file (allow, deny and expired; CircleCI and GitHub presets) once for every build. */
function writeCases() {
  const cases = [];
  for (let i = 0; i < N_CASES; i++) {
    switch (i % 5) {
      case 0:
        cases.push({
          name: `main ${i}`,
          role: 'deploy-main',
          preset: { name: 'circleci', branch: 'main', userId: userIdFor(i) },
          expect: 'allow',
        });
        break;
      case 1:
        cases.push({ name: `feature ${i}`, role: 'deploy-main', preset: { name: 'circleci', branch: 'feature/x' }, expect: 'deny' });
        break;
      case 2:
        cases.push({ name: `gh main ${i}`, role: 'github-deploy-main', preset: { name: 'github', branch: 'main' }, expect: 'allow' });
        break;
      case 3:
        cases.push({ name: `gh dev ${i}`, role: 'github-deploy-main', preset: { name: 'github', branch: 'dev' }, expect: 'deny' });
        break;
      default:
        cases.push({
          name: `expired ${i}`,
          role: 'deploy-main',
          preset: 'circleci',
          claims: { exp: 1_000_000_000 },
          expect: 'ExpiredTokenException',
        });
    }
  }
  const file = join(tmp, 'cases.json');
  writeFileSync(file, JSON.stringify({ cases }));
  return file;
}

/**
 * Runs the case file with one build: its CLI as a whole process, then its runner in-process. With `tolerant`, a runner
 * whose in-process interface differs (another commit's) is reported as not measured instead of failing the run.
 */
async function regressionCases(build, file, tolerant = false) {
  // 1. The CLI, as a user runs it (node directly): process start, load, 10,000 cases, output.
  const cliRuns = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const out = await new Promise((resolve, reject) => {
      const c = spawn(process.execPath, [build.main, 'test', file, '--quiet', '--policies', build.policies], {
        cwd: build.root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      c.stdout.on('data', (d) => (text += d));
      c.stderr.on('data', (d) => (text += d));
      c.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`test command failed (${code}):\n${text.slice(-3000)}`))));
    });
    cliRuns.push(performance.now() - t0);
    if (!out.includes(`${N_CASES} passed, 0 failed`)) throw new Error(`unexpected test output:\n${out.slice(-2000)}`);
  }

  const cliMs = Math.min(...cliRuns);

  // 2. In-process: the runner alone (runtime built once, file parsed once).
  try {
    const imp = (p) => import(pathToFileURL(join(build.root, 'dist/src/cli', p)).href);
    const { runCases } = await imp('test-command.js');
    const { loadCaseFile } = await imp('cases.js');
    const { createRuntime } = await imp('runtime.js');
    const tLoad = performance.now();
    const loaded = await loadCaseFile(file, tmp);
    const loadMs = performance.now() - tLoad;
    const runtime = await createRuntime({ policies: build.policies, accountId: '123456789012', region: 'us-east-1', claimKeys: 'aws' });
    await runCases(runtime, build.policies, loaded.cases.slice(0, 200)); // warm-up
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const results = await runCases(runtime, build.policies, loaded.cases);
      runs.push(performance.now() - t0);
      const failed = results.filter((r) => !r.passed);
      if (failed.length > 0)
        throw Object.assign(new Error(`${failed.length} regression cases failed, e.g. ${failed[0].case.name}: ${failed[0].got}`), {
          code: 'CASES_FAILED',
        });
    }
    return { build: build.key, cliMs, cliRuns, loadMs, runMs: Math.min(...runs), runs };
  } catch (e) {
    if (!tolerant || e.code === 'CASES_FAILED') throw e;
    log(`regression runner of build ${build.key} not measured in-process: ${e.message.split('\n')[0]}`);
    return { build: build.key, cliMs, cliRuns, loadMs: NaN, runMs: NaN, runs: [], inProcessError: e.message.split('\n')[0] };
  }
}

// ---------------------------------------------------------------------------------------------- memory

async function memoryRun(build, workers, distinct, same, denied) {
  const emu = await startEmulator(build, workers);
  try {
    const creds = parseCredentials((await request(emu.port, webIdentity(same))).body);
    async function mixedFile() {
      const signed = await signedCallerIdentity(creds, '127.0.0.1', emu.port, 300);
      const reqs = [];
      // Per 8 requests: 5 distinct tokens (full verification), 1 repeated token, 1 denied token, 1 GetCallerIdentity.
      for (let i = 0, d = 0; d < distinct.length; i++) {
        const k = i % 8;
        if (k < 5) reqs.push(webIdentity(distinct[d++]));
        else if (k === 5) reqs.push(webIdentity(same));
        else if (k === 6) reqs.push(webIdentity(denied));
        else reqs.push(signed[i % signed.length]);
      }
      return writeRequests('memory', reqs);
    }
    const c = Math.max(...CONNECTIONS);
    await sleep(200);
    const start = rssMb(emu.child.pid);
    const points = [{ requests: 0, rss: start.total }];
    let total = 0;
    let rate = 0;
    const t0 = performance.now();
    while (total < MEMORY_REQUESTS) {
      const file = await mixedFile(); // re-signed each chunk: X-Amz-Date stays within the 15-minute window
      const remaining = MEMORY_REQUESTS - total;
      const seconds = rate === 0 ? 5 : Math.max(2, Math.min(60, Math.ceil(Math.min(remaining, MEMORY_REQUESTS / 5) / rate)));
      const r = await wrk(emu.port, file, c, seconds);
      if (r.connect + r.read + r.write + r.timeout > 0) throw new Error(`memory run: socket errors ${JSON.stringify(r)}`);
      total += r.requests;
      rate = r.rps;
      const m = rssMb(emu.child.pid);
      points.push({ requests: total, rss: m.total, per: m.per });
      log(`memory ${build.key}: ${fmt(total)} requests, RSS ${m.total.toFixed(1)} MB`);
    }
    const seconds = (performance.now() - t0) / 1000;
    await sleep(10_000);
    const idle = rssMb(emu.child.pid);
    return {
      build: build.key,
      workers,
      connections: c,
      startRss: start.total,
      points,
      final: points[points.length - 1],
      idleRss: idle.total,
      seconds,
    };
  } finally {
    await stopServer(emu);
  }
}

// ---------------------------------------------------------------------------------------------- main

async function main() {
  if (which('wrk') === undefined) {
    process.stderr.write('bench: wrk is not installed (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)\n');
    process.exit(2);
  }
  const motoPath = MOTO === '0' ? undefined : which('moto_server');
  if (MOTO === '1' && motoPath === undefined) throw new Error('BENCH_MOTO=1 but moto_server is not on PATH');
  if (!existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run bench` (it builds first) or `npm run build`');
  const B = buildAt('B', ROOT, gitCommit(ROOT));
  let A;
  if (COMPARE !== undefined) {
    if (!existsSync(join(COMPARE, 'dist/src/cli/main.js')))
      throw new Error(
        `BENCH_COMPARE=${COMPARE}: dist/src/cli/main.js is missing; build that checkout first (cd ${COMPARE} && npm ci && npm run build)`,
      );
    if (!existsSync(join(COMPARE, 'node_modules')))
      throw new Error(`BENCH_COMPARE=${COMPARE}: node_modules is missing (npm ci there, or a symlink to an installed node_modules)`);
    if (!Number.isInteger(AB_ROUNDS) || AB_ROUNDS < 1)
      throw new Error(`BENCH_AB_ROUNDS must be a positive integer, not ${env.BENCH_AB_ROUNDS}`);
    const hash = gitCommit(COMPARE);
    A = buildAt('A', COMPARE, env.BENCH_COMPARE_LABEL_A || (hash === 'unknown' ? basename(COMPARE) : hash));
    log(`A/B: A = ${A.label} (${COMPARE}), B = ${B.label} (this checkout), ${AB_ROUNDS} round${AB_ROUNDS === 1 ? '' : 's'} each`);
  }
  const builds = A === undefined ? [B] : [A, B];
  mkdirSync(RESULTS, { recursive: true });
  const startedAt = new Date();

  log(`minting ${fmt(N_TOKENS)} distinct tokens + 1 repeated + 1 denied ...`);
  const tMint = performance.now();
  const specs = Array.from({ length: N_TOKENS }, (_, i) => ({ branch: 'main', userId: userIdFor(i), jti: `bench-${i}` }));
  specs.push(
    { branch: 'main', userId: userIdFor(N_TOKENS), jti: 'bench-same' },
    { branch: 'feature/x', userId: userIdFor(N_TOKENS + 1), jti: 'bench-denied' },
  );
  const tokens = await mintTokens(ROOT, specs);
  const denied = tokens.pop();
  const same = tokens.pop();
  const distinct = tokens;
  if (new Set(distinct).size !== N_TOKENS) throw new Error('tokens are not distinct');
  log(`minted in ${((performance.now() - tMint) / 1000).toFixed(1)} s (${distinct[0].length} characters each)`);

  // Ready time first, on a quiet machine; with BENCH_COMPARE the samples alternate between the builds.
  const readyAB = [];
  for (const w of WORKERS) {
    log(`ready time (${w} worker${w === 1 ? '' : 's'})${A === undefined ? '' : ', A and B alternating'} ...`);
    readyAB.push(...(await readyTimes(builds, same, w)));
  }
  const ready = readyAB.filter((r) => r.build === 'B');

  const files = {
    distinct: writeRequests('distinct', distinct.map(webIdentity)),
    same: writeRequests('same', [webIdentity(same)]),
    denied: writeRequests('denied', [webIdentity(denied)]),
  };

  // Emulators, one per build and worker count.
  const emulators = [];
  for (const w of WORKERS) {
    for (const build of builds) {
      const extra = PROFILE ? ['--cpu-prof', '--cpu-prof-dir', join(RESULTS, 'profiles')] : [];
      emulators.push({ build, workers: w, server: await startEmulator(build, w, extra) });
    }
  }
  const first = emulators.find((e) => e.build === B).server;
  const sample = await request(first.port, webIdentity(distinct[0]));
  if (sample.status !== 200) throw new Error(`the emulator refused a valid token: ${sample.status}\n${sample.body}`);
  const replyBytes = Buffer.byteLength(sample.body);

  const baseline = await startServer(
    'baseline',
    process.execPath,
    [join(ROOT, 'bench/baseline-server.js'), String(replyBytes)],
    /listening on http:\/\/[^:]+:(\d+)/,
  );
  // The floor: the baseline plus one RS256 verification per request (bench/floor-server.js), one per worker count.
  const floors = [];
  for (const w of WORKERS) {
    floors.push({
      workers: w,
      server: await startServer(
        `floor (${w})`,
        process.execPath,
        [join(ROOT, 'bench/floor-server.js'), String(replyBytes), SIGNING_KEY, String(w), 'async'],
        /listening on http:\/\/[^:]+:(\d+)/,
      ),
    });
  }
  let moto;
  if (motoPath !== undefined) {
    const port = await freePort();
    moto = await startServer('moto_server', motoPath, ['-H', '127.0.0.1', '-p', String(port)], /Running on http:\/\/[^:]+:(\d+)/, {
      readyOnStderr: true,
    }).catch((e) => {
      log(`moto_server did not start, its row is skipped: ${e.message.split('\n')[0]}`);
      return undefined;
    });
  }

  // GetCallerIdentity requests for one server, with credentials from that server (a build's session token is its own;
  // with --workers, issued by one worker and checked by all of them). Signed afresh before each use, so no X-Amz-Date
  // leaves the 15-minute window however long the rows before it waited for a quiet machine.
  async function gciFile(server) {
    const creds = parseCredentials((await request(server.port, webIdentity(same))).body);
    return writeRequests(`gci-${server.port}`, await signedCallerIdentity(creds, '127.0.0.1', server.port, 300));
  }
  const allow = (r) => r.status === 200 && r.body.includes('<AccessKeyId>ASIA');
  const kinds = [
    {
      name: `distinct tokens, full verification (${fmt(N_TOKENS)} tokens)`,
      short: 'distinct tokens',
      file: async () => files.distinct,
      expect: '2xx',
      check: allow,
    },
    { name: 'same token repeated', short: 'same token', file: async () => files.same, expect: '2xx', check: allow },
    {
      name: 'denied token (feature/x)',
      short: 'denied token',
      file: async () => files.denied,
      expect: 'non2xx',
      check: (r) => r.status === 403 && r.body.includes('<Code>AccessDenied</Code>'),
    },
    {
      name: 'GetCallerIdentity, SigV4 (300 signed requests)',
      short: 'GetCallerIdentity, SigV4',
      file: gciFile,
      expect: '2xx',
      check: (r) => r.status === 200 && r.body.includes('<GetCallerIdentityResult>'),
    },
  ];

  const rows = [];
  const abRows = []; // every emulator measurement of every build: { c, workers, kind, build, round, r }
  for (const c of CONNECTIONS) {
    log(`${c} connections: baseline ...`);
    const base = await measure(baseline, { file: files.distinct, expect: '2xx' }, c);
    rows.push({ scenario: 'baseline: bare node:http, same body and reply size', c, r: base });
    for (const { workers, server } of floors) {
      log(`${c} connections: floor (${workers} process${workers === 1 ? '' : 'es'}) ...`);
      rows.push({
        scenario: `${FLOOR_ROW} [${workers} process${workers === 1 ? '' : 'es'}]`,
        c,
        r: await measure(server, { file: files.distinct, expect: '2xx' }, c),
        base,
        floor: true,
        workers,
      });
    }
    for (const w of WORKERS) {
      const tag = WORKERS.length > 1 || w > 1 ? ` [--workers ${w}]` : '';
      const pair = emulators.filter((e) => e.workers === w); // [A, B] with BENCH_COMPARE, else [B]
      for (const { server } of pair) {
        const checks = [];
        for (const k of kinds) checks.push({ name: k.name, file: await k.file(server), check: k.check });
        await sanityCheck(server.port, checks);
      }
      // Each row kind: A, B, A, B ... (AB_ROUNDS rounds), so that the machine's drift within the block reaches both builds.
      for (const k of kinds) {
        const measured = [];
        for (let round = 1; round <= AB_ROUNDS; round++) {
          for (const { build, server } of pair) {
            log(`${c} connections: ${k.name}${tag}${A === undefined ? '' : ` (${build.key}, round ${round} of ${AB_ROUNDS})`} ...`);
            const r = await measure(server, { file: await k.file(server), expect: k.expect }, c);
            measured.push({ build: build.key, r });
            abRows.push({ c, workers: w, kind: k, build: build.key, round, r });
          }
        }
        // B's row in the main table; with several rounds, the one with the lower-middle req/s.
        const ofB = measured.filter((m) => m.build === 'B').sort((x, y) => x.r.rps - y.r.rps);
        rows.push({ scenario: `${k.name}${tag}`, c, r: ofB[Math.floor((ofB.length - 1) / 2)].r, base });
      }
    }
    if (moto !== undefined) {
      log(`${c} connections: moto_server ...`);
      rows.push({
        scenario: 'reference: moto_server (accepts any token)',
        c,
        r: await measure(moto, { file: files.distinct, expect: 'any' }, c),
        base,
      });
    }
    // The machine's speed drifts (the baseline ranged 30,000-51,800 req/s over the runs of one day): the baseline again, after
    // the rows above, shows how far it moved while they ran. Ratios stay against the first measurement.
    log(`${c} connections: baseline again ...`);
    rows.push({
      scenario: 'baseline again, after the rows above (drift check; not used for ratios)',
      c,
      r: await measure(baseline, { file: files.distinct, expect: '2xx' }, c),
      base,
      again: true,
    });
  }
  for (const row of rows) row.ratio = row.base === undefined ? 1 : row.r.rps / row.base.rps;
  for (const { server } of emulators) await stopServer(server);
  await stopServer(baseline);
  for (const { server } of floors) await stopServer(server);
  if (moto !== undefined) await stopServer(moto);

  const memories = [];
  if (MEMORY) {
    const w = WORKERS[0];
    for (const build of builds) {
      log(
        `memory${A === undefined ? '' : ` (${build.key})`}: ${fmt(MEMORY_REQUESTS)} requests (mixed) against a fresh emulator (--workers ${w}) ...`,
      );
      memories.push(await memoryRun(build, w, distinct, same, denied));
    }
  }
  const memory = memories.find((m) => m.build === 'B');

  const casesAB = [];
  if (N_CASES > 0) {
    const file = writeCases();
    for (const build of builds) {
      log(`regression runner${A === undefined ? '' : ` (${build.key})`}: ${fmt(N_CASES)} cases ...`);
      casesAB.push(await regressionCases(build, file, build !== B));
    }
  }
  const cases = casesAB.find((x) => x.build === 'B');

  // ------------------------------------------------------------------------------------------ report
  const commit = B.label;
  const wrkVersion = (() => {
    try {
      return execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0];
    } catch (e) {
      return String(e.stdout ?? '').split('\n')[0] || 'wrk';
    }
  })();
  const L = [];
  L.push(`# sts-emulator benchmark`);
  L.push('');
  L.push(
    `${startedAt.toISOString()} · commit ${commit} · node ${process.version} · ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()} · ${wrkVersion.trim()} (${WRK_THREADS} thread) · ${DURATION} s per row after ${WARMUP} s warm-up${QUICK ? ' · QUICK' : ''}${A === undefined ? '' : ` · A/B against ${A.label} (table at the end)`}`,
  );
  L.push('');
  L.push(
    `Loopback, keep-alive, closed loop (wrk). Ratio = req/s ÷ the baseline's req/s at the same connection count, same run. Baseline reply: ${replyBytes} bytes (the size of a real success answer). The floor rows (\`bench/floor-server.js\`) are the baseline plus one RS256 signature verification of the request's token with node:crypto on libuv's thread pool (one at a time; the emulator batches checks and replies per turn), and nothing else: what a server that does nothing but verify each token reaches on this machine. "CPU" columns are cores used (1.00 = one core), to show the load generator is not the bottleneck; "other CPU" is what the rest of the machine used meanwhile (anything above ~0.1 means the row was measured on a busy machine).`,
  );
  L.push('');
  L.push('| scenario | conns | req/s | p50 | p99 | ratio to baseline | server CPU | wrk CPU | other CPU | answers |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const { scenario, c, r, ratio } of rows) {
    const answers = r.ok
      ? `ok (${r.status === 0 ? 'all 200' : `${fmt(r.status)} non-2xx`})`
      : `**UNEXPECTED** (${r.status} non-2xx, ${r.socketErrors} socket errors)`;
    L.push(
      `| ${scenario} | ${c} | ${fmt(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ratio.toFixed(2)}x | ${r.serverCpu.toFixed(2)} | ${r.wrkCpu.toFixed(2)} | ${r.otherCpu.toFixed(2)} | ${answers} |`,
    );
  }
  L.push('');
  L.push(
    'Startup (spawn `node bin/sts-emulator.js serve` → ready line / first 200 answer to a real AssumeRoleWithWebIdentity, polled every ~1 ms):',
  );
  L.push('');
  L.push('| workers | ready line (median) | first answer (median) | first answer (max) | samples |');
  L.push('|---:|---:|---:|---:|---:|');
  for (const r of ready)
    L.push(
      `| ${r.workers} | ${r.lineMedian.toFixed(0)} ms | ${r.answerMedian.toFixed(0)} ms | ${r.answerMax.toFixed(0)} ms | ${r.samples.length} |`,
    );
  L.push('');
  if (memory !== undefined) {
    L.push(
      `Memory: ${fmt(memory.final.requests)} requests at ${memory.connections} connections against a fresh emulator (--workers ${memory.workers}), mixed 5:1:1:1 distinct tokens / repeated token / denied token / GetCallerIdentity, ${memory.seconds.toFixed(0)} s. Resident set (VmRSS${memory.workers > 1 ? ', primary + workers' : ''}):`,
    );
    L.push('');
    L.push('| requests | RSS |');
    L.push('|---:|---:|');
    for (const p of memory.points)
      L.push(
        `| ${fmt(p.requests)} | ${p.rss.toFixed(1)} MB${p.per !== undefined && p.per.length > 1 ? ` (${p.per.map((x) => x.toFixed(0)).join(' + ')})` : ''} |`,
      );
    L.push(`| 10 s after the load stopped | ${memory.idleRss.toFixed(1)} MB |`);
    L.push('');
  } else {
    L.push('Memory: skipped (BENCH_MEMORY=1 to run the 1,000,000-request scenario).');
    L.push('');
  }
  if (cases !== undefined) {
    L.push(`Regression runner, ${fmt(N_CASES)} cases (allow, deny and expired; CircleCI and GitHub presets):`);
    L.push('');
    L.push('| measure | time |');
    L.push('|---|---:|');
    L.push(`| \`node bin/sts-emulator.js test cases.json --quiet\` (whole process, best of 3) | ${cases.cliMs.toFixed(0)} ms |`);
    L.push(`| in-process \`runCases\` (best of 3; runtime built once) | ${cases.runMs.toFixed(0)} ms |`);
    L.push(`| parse the case file (JSON) | ${cases.loadMs.toFixed(0)} ms |`);
    L.push('');
  } else {
    L.push('Regression runner: skipped (BENCH_CASES=0).');
    L.push('');
  }
  const distinctRows = rows.filter((r) => r.scenario.startsWith('distinct'));
  const workersOf = (row) => Number(/--workers (\d+)/.exec(row.scenario)?.[1] ?? WORKERS[0]);
  const drift = rows.filter((r) => r.again === true);
  if (drift.length > 0) {
    L.push(
      `Baseline drift: ${drift.map((r) => `${r.c} conns ${fmt(r.base.rps)} → ${fmt(r.r.rps)} req/s (${r.ratio >= 1 ? '+' : ''}${((r.ratio - 1) * 100).toFixed(0)}%)`).join('; ')} between the first row and the last of each block. A ratio can move by as much as the baseline did.`,
    );
    L.push('');
  }
  L.push('Targets (issue 6; 2-core machine, same run as the baseline):');
  L.push('');
  const mark = (ok) => (ok ? 'met' : '**missed**');
  if (distinctRows.length > 0) {
    const best = distinctRows.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    L.push(
      `- ≥ 0.5x the baseline's req/s, distinct tokens, full verification: ${distinctRows.map((r) => `${r.ratio.toFixed(2)}x (${r.c} conns, ${workersOf(r)} worker${workersOf(r) === 1 ? '' : 's'})`).join(', ')} — ${mark(best.ratio >= 0.5)}`,
    );
    const floorRows = rows.filter((r) => r.floor === true);
    if (floorRows.length > 0) {
      const floorFor = (row) => floorRows.find((f) => f.c === row.c && f.workers === workersOf(row));
      L.push(
        `  - for reference, the floor rows (node:http + one RS256 verify, nothing else): ${floorRows.map((f) => `${f.ratio.toFixed(2)}x (${f.c} conns, ${f.workers} process${f.workers === 1 ? '' : 'es'})`).join(', ')}; the emulator's distinct-token rows reach ${distinctRows
          .map((r) => (floorFor(r) === undefined ? '' : `${((100 * r.r.rps) / floorFor(r).r.rps).toFixed(0)}%`))
          .filter(Boolean)
          .join(', ')} of the floor at the same connections and process count`,
      );
    }
  }
  const p99Rows = distinctRows.filter((r) => r.c === 32);
  if (p99Rows.length > 0) {
    L.push(
      `- p99 ≤ 5 ms at 32 connections, distinct tokens: ${p99Rows.map((r) => `${ms(r.r.p99)} (${workersOf(r)} worker${workersOf(r) === 1 ? '' : 's'})`).join(', ')} — ${mark(p99Rows.some((r) => r.r.p99 <= 5000))}`,
    );
  }
  const single = ready.find((r) => r.workers === 1) ?? ready[0];
  L.push(
    `- ready ≤ 300 ms after node starts (\`serve\`, one process): first answer ${single.answerMedian.toFixed(0)} ms median, ${single.answerMax.toFixed(0)} ms worst of ${single.samples.length} — ${mark(single.answerMedian <= 300)}${
      ready.length > 1
        ? ` (with workers: ${ready
            .filter((r) => r !== single)
            .map((r) => `${r.answerMedian.toFixed(0)} ms for ${r.workers}`)
            .join(', ')})`
        : ''
    }`,
  );
  if (memory !== undefined) {
    const peak = Math.max(...memory.points.map((p) => p.rss));
    L.push(
      `- memory flat, ≤ 100 MB resident after 1M requests: ${memory.final.rss.toFixed(1)} MB after ${fmt(memory.final.requests)} (peak ${peak.toFixed(1)} MB, ${memory.startRss.toFixed(1)} MB at start) — ${mark(memory.final.rss <= 100)}`,
    );
  }
  if (cases !== undefined) {
    L.push(
      `- ${fmt(N_CASES)} regression cases < 1 s (target set for 10,000): ${cases.cliMs.toFixed(0)} ms for the whole \`test\` process, ${cases.runMs.toFixed(0)} ms in the runner — ${mark(cases.cliMs < 1000)}`,
    );
  }
  L.push('');
  if (A !== undefined) L.push(...abReport(A, B, abRows, readyAB, memories, casesAB));
  const report = L.join('\n');
  process.stdout.write(report + '\n');
  // A quick run does not overwrite the full report, nor an A/B run the single-build one.
  const out = join(RESULTS, `latest${A === undefined ? '' : '-ab'}${QUICK ? '-quick' : ''}.md`);
  writeFileSync(out, report + '\n');
  log(`written to ${out}`);
  if (rows.some((r) => !r.r.ok) || abRows.some((r) => !r.r.ok)) process.exitCode = 1;
}

/** The A/B section of the report: both builds side by side, from measurements taken in alternation. */
function abReport(A, B, abRows, readyAB, memories, casesAB) {
  const L = [];
  const samePolicies = dirDigest(A.policies) === dirDigest(B.policies);
  L.push(`## A/B: A (${A.label}) vs B (${B.label})`);
  L.push('');
  L.push(
    `A = ${A.label} (\`${A.root}\`), B = ${B.label} (this checkout). Each emulator row kind was measured ${AB_ROUNDS} time${AB_ROUNDS === 1 ? '' : 's'} per build at each connection count and worker count, alternating A, B, A, B …, each measurement after its own warm-up; "by round" lists req/s in the order measured. B/A = B's median req/s ÷ A's. p99 and server CPU per request (server CPU time ÷ requests, in µs) are medians over the rounds; "other CPU" is the most the rest of the machine used during any of the row's measurements (cores; above ~0.1, that measurement was taken on a busy machine). Each build served its own \`policies/\` (${samePolicies ? 'identical files' : '**the files differ**: these rows compare configuration as well as code'}) with its own random server key; the SigV4 row's credentials came from each build's own server. The rows of B in the tables above are, of its rounds, the one with the lower-middle req/s.`,
  );
  L.push('');
  L.push(
    '| row | conns | A req/s by round | A median | B req/s by round | B median | B/A | A p99 | B p99 | A CPU/req | B CPU/req | other CPU | answers |',
  );
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  const groups = [];
  for (const r of abRows) {
    let g = groups.find((x) => x.c === r.c && x.workers === r.workers && x.kind === r.kind);
    if (g === undefined) groups.push((g = { c: r.c, workers: r.workers, kind: r.kind, rows: [] }));
    g.rows.push(r);
  }
  const tagged = WORKERS.length > 1 || WORKERS[0] > 1;
  for (const g of groups) {
    const of = (key) => g.rows.filter((r) => r.build === key).map((x) => x.r);
    const a = of('A');
    const b = of('B');
    const rps = (rs) => median(rs.map((r) => r.rps));
    const p99 = (rs) => ms(median(rs.map((r) => r.p99)));
    const cpu = (rs) => `${median(rs.map((r) => (r.serverCpu * 1e6) / r.rps)).toFixed(0)} µs`;
    const bad = g.rows
      .filter((r) => !r.r.ok)
      .map((r) => `${r.build} round ${r.round}: ${r.r.status} non-2xx, ${r.r.socketErrors} socket errors`);
    const answers = bad.length === 0 ? 'ok' : `**UNEXPECTED** (${bad.join('; ')})`;
    const label = `${g.kind.short}${tagged ? ` [--workers ${g.workers}]` : ''}`;
    L.push(
      `| ${label} | ${g.c} | ${a.map((r) => fmt(r.rps)).join(', ')} | ${fmt(rps(a))} | ${b.map((r) => fmt(r.rps)).join(', ')} | ${fmt(rps(b))} | ${(rps(b) / rps(a)).toFixed(2)} | ${p99(a)} | ${p99(b)} | ${cpu(a)} | ${cpu(b)} | ${Math.max(...g.rows.map((r) => r.r.otherCpu)).toFixed(2)} | ${answers} |`,
    );
  }
  L.push('');
  L.push('Startup, A and B alternating (spawn `node bin/sts-emulator.js serve` → ready line / first 200 answer), medians:');
  L.push('');
  L.push('| workers | A ready line | B ready line | A first answer | B first answer | samples each |');
  L.push('|---:|---:|---:|---:|---:|---:|');
  for (const w of WORKERS) {
    const a = readyAB.find((r) => r.build === 'A' && r.workers === w);
    const b = readyAB.find((r) => r.build === 'B' && r.workers === w);
    L.push(
      `| ${w} | ${a.lineMedian.toFixed(0)} ms | ${b.lineMedian.toFixed(0)} ms | ${a.answerMedian.toFixed(0)} ms | ${b.answerMedian.toFixed(0)} ms | ${b.samples.length} |`,
    );
  }
  L.push('');
  if (memories.length > 0) {
    L.push(
      `Memory, once per build (A first), ${fmt(MEMORY_REQUESTS)} mixed requests against a fresh emulator (--workers ${memories[0].workers}), VmRSS:`,
    );
    L.push('');
    L.push('| build | at start | after the last request | peak | 10 s after |');
    L.push('|---|---:|---:|---:|---:|');
    for (const m of memories)
      L.push(
        `| ${m.build} | ${m.startRss.toFixed(1)} MB | ${m.final.rss.toFixed(1)} MB (${fmt(m.final.requests)}) | ${Math.max(...m.points.map((p) => p.rss)).toFixed(1)} MB | ${m.idleRss.toFixed(1)} MB |`,
      );
    L.push('');
  }
  if (casesAB.length > 0) {
    L.push(`Regression runner, once per build (A first), ${fmt(N_CASES)} cases:`);
    L.push('');
    L.push('| build | whole `test` process (best of 3) | in-process `runCases` (best of 3) |');
    L.push('|---|---:|---:|');
    for (const x of casesAB)
      L.push(
        `| ${x.build} | ${x.cliMs.toFixed(0)} ms | ${x.inProcessError === undefined ? `${x.runMs.toFixed(0)} ms` : `not measured (${x.inProcessError})`} |`,
      );
    L.push('');
  }
  return L;
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.stack ?? e}\n`);
  process.exit(1);
});
