/**
 * The fuzz client, shared by test/faults/fuzz.test.ts and scripts/fuzz.js: the cases of fuzz-cases.ts written on raw
 * sockets (one keep-alive connection per worker; a case that needs it gets a connection of its own), every answer
 * checked, and the counts of a run.
 *
 * Every answer must be below 500 and STS XML (stsXml), or JSON on the emulator's own routes (/oidc/, /_emulator/). A
 * connection closed without an answer fails; so does no
 * answer within the client timeout (a hang).
 */
import net from 'node:net';
import type { Response } from 'supertest';
import { stsXml } from '../server/helpers.js';
import { fuzzRequest, type FuzzContext, type FuzzRequest } from './fuzz-cases.js';

// ---- the client: raw sockets, one keep-alive connection per worker ----

/** One HTTP answer as read off the socket. */
export interface RawAnswer {
  readonly status: number;
  /** Lower-case names; a repeated header keeps its first value. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export type Outcome =
  | { readonly kind: 'answer'; readonly answer: RawAnswer; readonly ms: number; readonly extra: boolean }
  | { readonly kind: 'no-answer'; readonly detail: string; readonly ms: number }
  | { readonly kind: 'hang'; readonly ms: number };

/** Parses one final answer from `buf` (1xx answers are skipped): the answer and where it ends, or undefined if incomplete. */
function parseAnswer(buf: Buffer, head: boolean, closed: boolean): { answer: RawAnswer; end: number } | { error: string } | undefined {
  let at = 0;
  for (;;) {
    const eoh = buf.indexOf('\r\n\r\n', at);
    if (eoh === -1)
      return closed && buf.length > at
        ? { error: `closed inside a head: ${JSON.stringify(buf.subarray(at, at + 200).toString('latin1'))}` }
        : undefined;
    const lines = buf.subarray(at, eoh).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (m === null) return { error: `not an HTTP status line: ${JSON.stringify(lines[0])}` };
    const status = Number(m[1]);
    const headers: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const line of lines.slice(1)) {
      const c = line.indexOf(':');
      const k = line.slice(0, c).trim().toLowerCase();
      if (c > 0 && !(k in headers)) headers[k] = line.slice(c + 1).trim();
    }
    const start = eoh + 4;
    if (status < 200) {
      at = start;
      continue;
    }
    if (head || status === 204 || status === 304) return { answer: { status, headers, body: Buffer.alloc(0) }, end: start };
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const parts: Buffer[] = [];
      let p = start;
      for (;;) {
        const eol = buf.indexOf('\r\n', p);
        if (eol === -1) return undefined;
        const size = parseInt(buf.subarray(p, eol).toString('latin1'), 16);
        if (Number.isNaN(size)) return { error: 'bad chunk size in an answer' };
        if (size === 0) {
          const trailerEnd = buf.indexOf('\r\n\r\n', eol);
          if (buf.subarray(eol, eol + 4).toString() === '\r\n\r\n')
            return { answer: { status, headers, body: Buffer.concat(parts) }, end: eol + 4 };
          if (trailerEnd === -1) return undefined;
          return { answer: { status, headers, body: Buffer.concat(parts) }, end: trailerEnd + 4 };
        }
        if (buf.length < eol + 2 + size + 2) return undefined;
        parts.push(buf.subarray(eol + 2, eol + 2 + size));
        p = eol + 2 + size + 2;
      }
    }
    const cl = headers['content-length'];
    if (cl !== undefined) {
      const n = Number(cl);
      if (buf.length < start + n) return closed ? { error: `closed after ${buf.length - start} of ${n} body bytes` } : undefined;
      return { answer: { status, headers, body: buf.subarray(start, start + n) }, end: start + n };
    }
    return closed ? { answer: { status, headers, body: buf.subarray(start) }, end: buf.length } : undefined;
  }
}

/** Idle time after which the server (keepAliveMs 5 s) may close a kept-alive socket as we write on it. */
const IDLE_RACE_MS = 4_000;

/** A worker's connection: requests one after another on a keep-alive socket; fresh ones on a socket of their own. */
export class FuzzConnection {
  private socket: net.Socket | undefined;
  private lastAnswer = 0;
  /** The last requests on the kept socket, for a failure's report. */
  private history: string[] = [];

  constructor(
    private readonly port: number,
    private readonly host = '127.0.0.1',
  ) {}

  async send(req: FuzzRequest, timeoutMs: number): Promise<Outcome> {
    if (req.fresh) return this.exchange(this.open(), req, timeoutMs, false);
    const kept = this.socket !== undefined && !this.socket.destroyed ? this.socket : undefined;
    const idle = performance.now() - this.lastAnswer;
    const out = await this.exchange(kept ?? this.open(), req, timeoutMs, true);
    // A kept-alive socket the server closed for idleness just as we wrote: once more on a new one, as HTTP clients do.
    // Only then: a kept socket closed without an answer at any other time is a failure.
    if (out.kind === 'no-answer' && kept !== undefined && idle >= IDLE_RACE_MS && out.detail.startsWith('closed before any byte')) {
      return this.exchange(this.open(), req, timeoutMs, true);
    }
    return out;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): net.Socket {
    const s = net.connect(this.port, this.host);
    s.on('error', () => undefined); // 'close' follows; a reset after the answer is not a failure
    return s;
  }

  private exchange(socket: net.Socket, req: FuzzRequest, timeoutMs: number, keep: boolean): Promise<Outcome> {
    const t0 = performance.now();
    if (keep && this.socket !== socket) {
      this.socket = socket;
      this.history = [];
    }
    const head = req.method === 'HEAD';
    return new Promise<Outcome>((resolve) => {
      let buf: Buffer = Buffer.alloc(0);
      let done = false;
      let error: string | undefined;
      const finish = (o: Outcome, destroy: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('close', onClose);
        socket.off('error', onError);
        if (destroy || !keep) {
          socket.destroy();
          if (this.socket === socket) this.socket = undefined;
        }
        this.lastAnswer = performance.now();
        resolve(o);
      };
      const tryParse = (closed: boolean): void => {
        const r = parseAnswer(buf, head, closed);
        const ms = performance.now() - t0;
        if (r === undefined) {
          if (!closed) return;
          const before = keep && this.history.length > 0 ? `; earlier on this connection: ${this.history.join('; ')}` : '';
          finish(
            {
              kind: 'no-answer',
              detail: `${buf.length === 0 ? 'closed before any byte of an answer' : 'closed inside an answer'}${error === undefined ? '' : ` (${error})`}${before}`,
              ms,
            },
            true,
          );
          return;
        }
        if ('error' in r) return finish({ kind: 'no-answer', detail: r.error, ms }, true);
        const close = closed || (r.answer.headers['connection'] ?? '').toLowerCase().includes('close');
        if (keep) this.history = [...this.history.slice(-4), `case ${req.index} (${req.labels.join(' ')}) ${r.answer.status}`];
        finish({ kind: 'answer', answer: r.answer, ms, extra: keep && !close && r.end < buf.length }, close);
      };
      const onData = (chunk: Buffer): void => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        tryParse(false);
      };
      const onClose = (): void => tryParse(true);
      const onError = (e: NodeJS.ErrnoException): void => void (error = e.code ?? e.message);
      const timer = setTimeout(() => finish({ kind: 'hang', ms: performance.now() - t0 }, true), timeoutMs);
      socket.on('data', onData);
      socket.on('close', onClose);
      socket.on('error', onError);
      socket.write(req.bytes, () => {
        if (req.halfClose) socket.end();
      });
    });
  }
}

// ---- the check ----

/** Paths of the emulator's own routes, which answer JSON. */
const isEmulatorPath = (target: string): boolean => /^\/(oidc|_emulator)\//i.test(target);

/** Undefined when the answer is what every answer must be, else why not. */
export async function checkAnswer(req: FuzzRequest, a: RawAnswer): Promise<string | undefined> {
  if (a.status >= 500) return `status ${a.status}`;
  const type = a.headers['content-type'] ?? '';
  if (isEmulatorPath(req.target) && type.startsWith('application/json')) {
    if (req.method === 'HEAD') return undefined;
    try {
      JSON.parse(a.body.toString('utf8'));
      return undefined;
    } catch {
      return `an emulator route answered invalid JSON: ${a.body.subarray(0, 200).toString()}`;
    }
  }
  if (req.method === 'HEAD' && a.body.length === 0) {
    if (type !== 'text/xml') return `HEAD answered Content-Type ${type}`;
    return (a.headers['x-amzn-requestid'] ?? '') === '' ? 'HEAD answered without x-amzn-RequestId' : undefined;
  }
  const res = { status: a.status, headers: a.headers, text: a.body.toString('utf8') } as unknown as Response;
  try {
    await stsXml(res);
    return undefined;
  } catch (e) {
    return `not STS XML (${a.status}): ${(e as Error).message.split('\n')[0]}`;
  }
}

// ---- a run ----

export interface Failure {
  readonly index: number;
  readonly kind: '5xx' | 'invalid' | 'hang' | 'no-answer';
  readonly detail: string;
  readonly labels: readonly string[];
  readonly request: string;
}

export interface FuzzStats {
  requests: number;
  readonly byClass: Record<string, number>;
  fivexx: number;
  hangs: number;
  invalid: number;
  noAnswer: number;
  /** Answers that took longer than SLOW_MS (the server's request timeout answering a request it could not read). */
  slow: number;
  maxMs: number;
  readonly failures: Failure[];
  /** Mutation label -> cases that carried it. */
  readonly labels: Map<string, number>;
}

export interface RunOptions {
  readonly ctx: FuzzContext;
  readonly seed: number;
  /** Case indexes [from, to). */
  readonly from: number;
  readonly to: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Stops the run early (the server process exited). */
  readonly stopped?: () => boolean;
  readonly onProgress?: (stats: FuzzStats) => void;
}

/** Printable head and body of a request (escaped, cut at 600 characters). */
export function describeRequest(req: FuzzRequest): string {
  const text = JSON.stringify(req.bytes.toString('latin1'));
  return text.length > 600 ? `${text.slice(0, 600)}... (${req.bytes.length} bytes)` : text;
}

/** An answer slower than this is counted as slow (no request of this suite needs more than milliseconds). */
export const SLOW_MS = 1_000;

export function emptyStats(): FuzzStats {
  return {
    requests: 0,
    byClass: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    fivexx: 0,
    hangs: 0,
    invalid: 0,
    noAnswer: 0,
    slow: 0,
    maxMs: 0,
    failures: [],
    labels: new Map(),
  };
}

/** Runs cases [from, to) over `concurrency` connections; resolves with the counts and the first 20 failures. */
export async function runFuzz(o: RunOptions, stats: FuzzStats = emptyStats()): Promise<FuzzStats> {
  let next = o.from;
  const record = (req: FuzzRequest, kind: Failure['kind'], detail: string): void => {
    if (stats.failures.length < 20)
      stats.failures.push({ index: req.index, kind, detail, labels: req.labels, request: describeRequest(req) });
  };
  const worker = async (): Promise<void> => {
    const conn = new FuzzConnection(o.ctx.port, o.ctx.hostname);
    try {
      while (next < o.to && o.stopped?.() !== true) {
        const req = await fuzzRequest(o.ctx, o.seed, next++);
        const out = await conn.send(req, o.timeoutMs);
        stats.requests++;
        for (const l of new Set(req.labels)) stats.labels.set(l, (stats.labels.get(l) ?? 0) + 1);
        stats.maxMs = Math.max(stats.maxMs, out.ms);
        if (out.kind === 'answer' && out.ms > SLOW_MS) stats.slow++;
        if (out.kind === 'hang') {
          stats.hangs++;
          record(req, 'hang', `no answer within ${o.timeoutMs} ms`);
        } else if (out.kind === 'no-answer') {
          if (o.stopped?.() === true) break;
          stats.noAnswer++;
          record(req, 'no-answer', out.detail);
        } else {
          const cls = `${Math.floor(out.answer.status / 100)}xx`;
          stats.byClass[cls] = (stats.byClass[cls] ?? 0) + 1;
          const why = await checkAnswer(req, out.answer);
          if (out.answer.status >= 500) {
            stats.fivexx++;
            record(req, '5xx', why ?? `status ${out.answer.status}`);
          } else if (why !== undefined) {
            stats.invalid++;
            record(req, 'invalid', why);
          } else if (out.extra) {
            stats.invalid++;
            record(req, 'invalid', 'bytes after the answer on a kept-alive connection (a second answer?)');
          }
        }
        if (stats.requests % 1000 === 0) o.onProgress?.(stats);
      }
    } finally {
      conn.close();
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return stats;
}

/** One line: requests, answers by status class, 5xx, hangs, invalid answers (no answer among them). */
export function statsLine(s: FuzzStats): string {
  const classes = Object.entries(s.byClass)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `requests=${s.requests} ${classes} hangs=${s.hangs} invalid=${s.invalid + s.noAnswer} (no answer ${s.noAnswer}) slow(>${SLOW_MS / 1000}s)=${s.slow} slowest=${Math.round(s.maxMs)}ms`;
}
