/**
 * Slow clients against the real server (`sts-emulator serve`, which sets headersTimeout 5 s, requestTimeout
 * 10 s, keepAliveTimeout 5 s): sockets that send part of the head, or the head and part of the body, and then
 * stall are cut by the server; an idle keep-alive socket is closed; meanwhile a fresh request still answers
 * quickly. The harness's startServer sets no timeouts, so this starts the CLI as a child process.
 *
 * Node checks headersTimeout/requestTimeout only every `connectionsCheckingInterval` (30 s by default; serve.ts
 * sets 1 s), so the strict bounds below hold only with that setting.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { circleToken, DEMO_POLICIES, form, REPO_ROOT, webIdentityParams } from '../helpers/harness.js';
import { parseXml } from './helpers.js';

const STALLED_HEADS = 20;
const STALLED_BODIES = 5;
/** Whatever the checking interval: requestTimeout (10 s) + Node's default connectionsCheckingInterval (30 s) + slack. */
const LOOSE_BOUND_MS = 45_000;
/** headersTimeout (5 s) / requestTimeout (10 s) + serve's connectionsCheckingInterval (1 s) + 2 s of slack. */
const HEADS_BOUND_MS = 5_000 + 3_000;
const BODIES_BOUND_MS = 10_000 + 3_000;

let child: ChildProcess | undefined;
let port = 0;

before(async () => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('STS_EMULATOR_')) env[k] = v;
  child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--policies', DEMO_POLICIES, '--audit-log', 'off'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out} ${err}`)), 20_000);
    child?.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child?.stderr?.on('data', (d: Buffer) => void (err += d.toString()));
    child?.once('exit', (code) => reject(new Error(`server exited with ${String(code)}: ${err}`)));
  });
});

after(async () => {
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }
});

interface Cut {
  readonly ms: number;
  readonly data: string;
  readonly kind?: 'head' | 'body';
}

/** Opens a socket, writes `text`, and resolves when the server closes it (with what it sent). */
function stall(text: string, started: number): Promise<Cut> {
  return new Promise((resolve, reject) => {
    let data = '';
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    s.on('data', (d) => void (data += d.toString()));
    s.on('error', () => undefined); // a reset is a cut too
    s.on('close', () => resolve({ ms: Date.now() - started, data }));
    setTimeout(() => {
      s.destroy();
      reject(new Error('the server never cut a stalled socket'));
    }, LOOSE_BOUND_MS + 20_000).unref();
  });
}

async function freshRequest(): Promise<{ ms: number; status: number; text: string }> {
  const t0 = Date.now();
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
    body: form(webIdentityParams(await circleToken({ branch: 'main' }), 'deploy-main', 'fresh')),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await res.text();
  return { ms: Date.now() - t0, status: res.status, text };
}

let cuts: Cut[] = [];

test('stalled heads and bodies are cut by the server; fresh requests answer meanwhile', { timeout: LOOSE_BOUND_MS + 60_000 }, async () => {
  const started = Date.now();
  const pending: Promise<Cut>[] = [];
  for (let i = 0; i < STALLED_HEADS; i++) {
    pending.push(stall(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-${i}: `, started).then((c) => ({ ...c, kind: 'head' as const })));
  }
  for (let i = 0; i < STALLED_BODIES; i++) {
    const head = 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n';
    pending.push(stall(head + 'Action=AssumeRoleWith', started).then((c) => ({ ...c, kind: 'body' as const })));
  }
  // While 25 sockets stall, a normal request is served promptly, several times.
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const fresh = await freshRequest();
    assert.equal(fresh.status, 200, fresh.text);
    assert.ok(fresh.ms < 3_000, `fresh request took ${fresh.ms} ms`);
    await parseXml(fresh.text);
  }
  cuts = await Promise.all(pending);
  for (const c of cuts) {
    assert.ok(c.ms <= LOOSE_BOUND_MS, `a stalled socket stayed open ${c.ms} ms`);
    // Node answers 408 itself (not STS XML) when it times out a request, or just closes.
    assert.ok(c.data === '' || c.data.startsWith('HTTP/1.1 408'), JSON.stringify(c.data.slice(0, 100)));
  }
  // And the server is still healthy.
  assert.equal((await freshRequest()).status, 200);
});

test('stalled heads are cut within headersTimeout (5 s), stalled bodies within requestTimeout (10 s), plus 3 s', () => {
  assert.equal(cuts.length, STALLED_HEADS + STALLED_BODIES);
  const worst = (kind: 'head' | 'body'): number => Math.max(...cuts.filter((c) => c.kind === kind).map((c) => c.ms));
  assert.ok(worst('head') <= HEADS_BOUND_MS, `worst stalled head cut after ${worst('head')} ms`);
  assert.ok(worst('body') <= BODIES_BOUND_MS, `worst stalled body cut after ${worst('body')} ms`);
});

test('an idle keep-alive connection is closed after keepAliveTimeout (5 s)', { timeout: 30_000 }, async () => {
  const t = await circleToken({ branch: 'main' });
  const body = form(webIdentityParams(t, 'deploy-main', 'keepalive'));
  const started = Date.now();
  let answeredAt = 0;
  const closed = await new Promise<number>((resolve, reject) => {
    let data = '';
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    s.on('data', (d) => {
      data += d.toString();
      if (answeredAt === 0 && data.includes('</AssumeRoleWithWebIdentityResponse>')) answeredAt = Date.now();
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve(Date.now()));
    setTimeout(() => reject(new Error('idle socket never closed')), 25_000).unref();
  });
  assert.ok(answeredAt > 0, 'the request was answered');
  const idle = closed - answeredAt;
  assert.ok(idle >= 4_000 && idle <= 8_000, `idle socket closed after ${idle} ms (started ${closed - started} ms ago)`);
});
