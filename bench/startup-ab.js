// Time to the first answer of `serve`, two builds alternating: spawn `node <root>/bin/sts-emulator.js serve` (as `npx
// sts-emulator` does: the build's bundle of the CLI if it has one, its compiled modules otherwise) on a free
// port, poll until a real AssumeRoleWithWebIdentity (a main-branch token of the demo CircleCI issuer) is answered 200,
// and read the process's CPU time at that moment from /proc. A quicker look than `npm run bench`'s ready-time rows.
//
//   node bench/startup-ab.js [rounds] <rootA> [<rootB> ...]     (each root built: <root>/dist/src/cli/main.js)
//   STARTUP_ENTRY=dist/src/cli/main.js node bench/startup-ab.js ...   the compiled modules, whatever bin/ would run
//
// Prints, per build, the median and minimum wall time to the first 200 and the CPU time the server used until then.
// Linux only (CPU time from /proc/<pid>/stat); no thresholds: compare builds measured in the same run.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintTokens, userIdFor } from './lib/tokens.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const rounds = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 10;
const roots = args.map((r) => resolve(r));
if (roots.length === 0) {
  console.error('usage: node bench/startup-ab.js [rounds] <rootA> [<rootB> ...]');
  process.exit(2);
}

const [token] = await mintTokens(ROOT, [{ branch: 'main', userId: userIdFor(0), jti: 'startup-ab' }]);
const body = new URLSearchParams({
  Action: 'AssumeRoleWithWebIdentity',
  Version: '2011-06-15',
  RoleArn: 'arn:aws:iam::123456789012:role/deploy-main',
  RoleSessionName: 'startup-ab',
  WebIdentityToken: token,
}).toString();
const TICK_MS = 1000 / 100; // USER_HZ

const freePort = () =>
  new Promise((ok, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });

const post = (port) =>
  new Promise((ok, fail) => {
    const r = request(
      { port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode));
      },
    );
    r.on('error', fail);
    r.end(body);
  });

/** utime + stime of a process, in ms. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

async function sample(root) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [join(root, process.env.STARTUP_ENTRY ?? 'bin/sts-emulator.js'), 'serve', '--port', String(port), '--policies', join(ROOT, 'policies')],
    {
      stdio: 'ignore',
      env: { ...process.env, STS_EMULATOR_QUIET: '1' },
    },
  );
  let exited = false;
  child.once('exit', () => (exited = true));
  let status;
  for (;;) {
    if (exited || performance.now() - t0 > 30_000) throw new Error(`${root}: the server did not answer`);
    try {
      status = await post(port);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  const wall = performance.now() - t0;
  const cpu = cpuMs(child.pid);
  child.kill('SIGKILL');
  if (!exited) await new Promise((r) => child.once('exit', r));
  if (status !== 200) throw new Error(`${root}: the first answer was ${status}`);
  return { wall, cpu };
}

const results = new Map(roots.map((r) => [r, []]));
for (let i = 0; i < rounds; i++) for (const r of roots) results.get(r).push(await sample(r));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`| build | first 200, median | first 200, min | server CPU until then, median | samples |`);
console.log(`|---|---:|---:|---:|---:|`);
for (const [r, ss] of results) {
  const wall = ss.map((s) => s.wall);
  const cpu = ss.map((s) => s.cpu);
  console.log(
    `| ${r} | ${median(wall).toFixed(0)} ms | ${Math.min(...wall).toFixed(0)} ms | ${median(cpu).toFixed(0)} ms | ${ss.length} |`,
  );
}
