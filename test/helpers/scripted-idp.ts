/**
 * A scripted OpenID provider on 127.0.0.1: discovery at `<url>/.well-known/openid-configuration` and key sets
 * at `/jwks...` paths, each answering in the mode the test sets (well, slowly, never, 500, malformed, huge,
 * redirected, or with another issuer), and counting the requests it sees per path.
 */
import type { ServerResponse } from 'node:http';
import { jwks, type TestKey } from './identity-tokens.js';
import { sendJson, startServer, type TestServer } from './identity-server.js';

export type IdpMode = 'ok' | 'slow' | 'hang' | '500' | 'malformed' | 'huge' | 'redirect' | 'issuer-mismatch';

export const DISCOVERY_PATH = '/.well-known/openid-configuration';

export interface ScriptedIdp {
  /** The issuer: register it with `{ kind: 'discovery' }`. */
  readonly url: string;
  /** `<url>/jwks`: register it with `{ kind: 'uri' }`. */
  readonly jwksUri: string;
  /** How discovery answers (default ok). */
  discoveryMode: IdpMode;
  /** How every key set path answers (default ok). */
  jwksMode: IdpMode;
  /** The path discovery names as jwks_uri (default /jwks). */
  jwksPath: string;
  /** Delay of the slow mode (default 100 ms). */
  slowMs: number;
  /** Body size of the huge mode (default 4 MiB). */
  hugeBytes: number;
  /** Sets both modes. */
  setMode(mode: IdpMode): void;
  /** Serves `keys` at `path` (default /jwks). */
  serveKeys(keys: readonly TestKey[], path?: string): void;
  /** Requests seen at a path (default: all key set paths together). */
  jwksFetches(path?: string): number;
  discoveryFetches(): number;
  close(): Promise<void>;
}

export async function startScriptedIdp(keys: readonly TestKey[] = []): Promise<ScriptedIdp> {
  const keySets = new Map<string, readonly TestKey[]>([['/jwks', keys]]);
  const pending = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  let server: TestServer | undefined;

  const answer = (res: ServerResponse, mode: IdpMode, good: () => unknown): void => {
    switch (mode) {
      case 'ok':
      case 'issuer-mismatch':
        return sendJson(res, good());
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          sendJson(res, good());
        }, idp.slowMs);
        timers.add(timer);
        return;
      }
      case 'hang':
        pending.add(res);
        res.on('close', () => pending.delete(res));
        return;
      case '500':
        return sendJson(res, { message: 'internal error' }, 500);
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"keys": [');
      case 'huge':
        return streamHuge(res, idp.hugeBytes);
      case 'redirect':
        res.writeHead(302, { location: `${idp.url}/moved${idp.jwksPath}` });
        return void res.end();
    }
  };

  server = await startServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === DISCOVERY_PATH) {
      const issuer = idp.discoveryMode === 'issuer-mismatch' ? `${idp.url}/someone-else` : idp.url;
      return answer(res, idp.discoveryMode, () => ({ issuer, jwks_uri: `${idp.url}${idp.jwksPath}` }));
    }
    const set = keySets.get(path);
    if (set !== undefined) return answer(res, idp.jwksMode, () => jwks(...set));
    res.writeHead(404);
    res.end();
  });
  const base = server.url;

  const idp: ScriptedIdp = {
    url: base,
    jwksUri: `${base}/jwks`,
    discoveryMode: 'ok',
    jwksMode: 'ok',
    jwksPath: '/jwks',
    slowMs: 100,
    hugeBytes: 4 * 1024 * 1024,
    setMode(mode) {
      idp.discoveryMode = mode;
      idp.jwksMode = mode;
    },
    serveKeys(next, path = '/jwks') {
      keySets.set(path, next);
    },
    jwksFetches(path) {
      const hits = server?.hits ?? new Map<string, number>();
      if (path !== undefined) return hits.get(path) ?? 0;
      let n = 0;
      for (const [p, count] of hits) if (p.startsWith('/jwks') || p.startsWith('/moved')) n += count;
      return n;
    },
    discoveryFetches: () => server?.hits.get(DISCOVERY_PATH) ?? 0,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const res of pending) res.destroy();
      await server?.close();
    },
  };
  return idp;
}

/** A 200 whose chunked body is `bytes` of white space before a valid but useless JSON value. */
function streamHuge(res: ServerResponse, bytes: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.on('error', () => undefined);
  const chunk = ' '.repeat(64 * 1024);
  let sent = 0;
  const push = (): void => {
    while (sent < bytes) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', push);
    }
    res.end('{"keys":[]}');
  };
  push();
}
