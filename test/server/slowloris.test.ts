/**
 * Slow clients against the one server (createStsServer, as `serve` runs it) with its timeouts made short: sockets that
 * send part of the head, or the head and part of the body, and then stall are cut by the server; an idle keep-alive
 * socket is closed; meanwhile a fresh request still answers quickly. `serve` uses the defaults (headers 5 s, request
 * 10 s, keep-alive 5 s, checked every second); the rules are the same at any scale.
 *
 * Node checks the headers and request timeouts only every `checkIntervalMs`, so the bounds below add it.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { circleToken, form, startServer, webIdentityParams } from '../helpers/harness.js';
import { parseXml } from './helpers.js';

const TIMEOUTS = { headersMs: 300, requestMs: 600, keepAliveMs: 400, checkIntervalMs: 50 };
const STALLED_HEADS = 20;
const STALLED_BODIES = 5;
/** Slack for a loaded 2-core machine. */
const SLACK_MS = 2_000;
/** Whatever happens: the request timeout, the checking interval and the slack. */
const LOOSE_BOUND_MS = TIMEOUTS.requestMs + TIMEOUTS.checkIntervalMs + 2 * SLACK_MS;
const HEADS_BOUND_MS = TIMEOUTS.headersMs + TIMEOUTS.checkIntervalMs + SLACK_MS;
const BODIES_BOUND_MS = TIMEOUTS.requestMs + TIMEOUTS.checkIntervalMs + SLACK_MS;

const server = await startServer({ timeouts: TIMEOUTS });
const port = server.port;
after(() => server.close());

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

test('stalled heads and bodies are cut by the server; fresh requests answer meanwhile', { timeout: LOOSE_BOUND_MS + 10_000 }, async () => {
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
    await new Promise((r) => setTimeout(r, 50));
    const fresh = await freshRequest();
    assert.equal(fresh.status, 200, fresh.text);
    assert.ok(fresh.ms < 3_000, `fresh request took ${fresh.ms} ms`);
    await parseXml(fresh.text);
  }
  cuts = await Promise.all(pending);
  for (const c of cuts) {
    assert.ok(c.ms <= LOOSE_BOUND_MS, `a stalled socket stayed open ${c.ms} ms`);
    // A timed-out request is answered 408 (STS XML, client-errors.ts), or the socket is just closed.
    assert.ok(c.data === '' || c.data.startsWith('HTTP/1.1 408'), JSON.stringify(c.data.slice(0, 100)));
  }
  // And the server is still healthy.
  assert.equal((await freshRequest()).status, 200);
});

test('stalled heads are cut within the headers timeout, stalled bodies within the request timeout (plus the checking interval and slack)', () => {
  assert.equal(cuts.length, STALLED_HEADS + STALLED_BODIES);
  const worst = (kind: 'head' | 'body'): number => Math.max(...cuts.filter((c) => c.kind === kind).map((c) => c.ms));
  assert.ok(worst('head') <= HEADS_BOUND_MS, `worst stalled head cut after ${worst('head')} ms`);
  assert.ok(worst('body') <= BODIES_BOUND_MS, `worst stalled body cut after ${worst('body')} ms`);
});

test('an idle keep-alive connection is closed after the keep-alive timeout', { timeout: 30_000 }, async () => {
  const t = await circleToken({ branch: 'main' });
  const body = form(webIdentityParams(t, 'deploy-main', 'keepalive'));
  const started = Date.now();
  let answeredAt = 0;
  const closed = await new Promise<number>((resolve, reject) => {
    let data = '';
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(
        `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
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
  assert.ok(
    idle >= TIMEOUTS.keepAliveMs * 0.8 && idle <= TIMEOUTS.keepAliveMs + SLACK_MS,
    `idle socket closed after ${idle} ms (started ${closed - started} ms ago)`,
  );
});
