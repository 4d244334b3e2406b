/**
 * Outbound HTTP for discovery documents and JWKS: GET only, no redirects followed, a deadline that
 * covers the body as well as the headers, and a cap on the body size (jose buffers whatever it gets).
 */

/** The fetch signature jose's `customFetch` calls; discovery uses it too. */
export type BoundedFetch = (
  url: string,
  init: { readonly headers?: Headers | Record<string, string>; readonly signal?: AbortSignal },
) => Promise<Response>;

export interface BoundedFetchOptions {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

/** The body was larger than `maxResponseBytes`. */
export class ResponseTooLargeError extends Error {
  constructor(limit: number) {
    super(`response body exceeds ${limit} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * A fetch that never follows redirects, aborts after `timeoutMs` (also while reading the body) and
 * refuses bodies over `maxResponseBytes`. A 200 comes back fully buffered; any other status comes
 * back with its body discarded.
 */
export function createBoundedFetch(options: BoundedFetchOptions): BoundedFetch {
  const { timeoutMs, maxResponseBytes } = options;
  const fetchImpl = options.fetch;
  return async (url, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal === undefined ? deadline : AbortSignal.any([init.signal, deadline]);
    const headers = new Headers(init.headers);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    const response = await withAbort(fetchImpl(url, { method: 'GET', headers, redirect: 'manual', signal }), signal);
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      const status = response.status >= 200 && response.status <= 599 ? response.status : 502;
      return new Response(null, { status });
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxResponseBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(maxResponseBytes);
    }
    const body = await readCapped(response.body, maxResponseBytes, signal);
    const contentType = response.headers.get('content-type');
    return new Response(body, { status: 200, headers: contentType === null ? {} : { 'content-type': contentType } });
  };
}

/** Rejects with the signal's reason as soon as it aborts, even if `promise` ignores the signal. */
function withAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

async function readCapped(body: ReadableStream<Uint8Array> | null, max: number, signal: AbortSignal): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await withAbort(reader.read(), signal);
      if (done) break;
      total += value.byteLength;
      if (total > max) throw new ResponseTooLargeError(max);
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The URL if the emulator may fetch keys or discovery from it: https anywhere, plain http only on
 * loopback (local test servers and the emulator's own issuer). Anything else is undefined.
 */
export function allowedFetchUrl(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url;
  return undefined;
}
