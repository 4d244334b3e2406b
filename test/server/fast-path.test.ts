/**
 * The node:http fast path (src/server/fast-path.ts, issue 6) answers exactly as the Express app: for each request,
 * the same status, headers and body (request ids, dates and fresh credentials aside) and the same audit record,
 * from one server running the Express app alone and one running the fast path in front of it.
 */
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createApp, type AppOptions } from '../../src/server/app.js';
import type { AuditRecord } from '../../src/server/audit.js';
import { withFastPath } from '../../src/server/fast-path.js';
import { createIssuerRoutes } from '../../src/server/issuer-routes.js';
import { createSignedOps } from '../../src/sts/signed-handlers.js';
import { MAX_BODY_BYTES } from '../../src/protocol/query.js';
import { buildApp, circleToken, form, webIdentityParams } from '../helpers/harness.js';
import { signedHeaders, type Creds } from './helpers.js';

interface Side {
  readonly server: Server;
  readonly port: number;
  readonly audit: AuditRecord[];
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const sides: Record<'express' | 'fast' | 'expressNoReason' | 'fastNoReason', Side> = {} as never;
let creds: Creds;

async function listen(handler: RequestListener, audit: AuditRecord[]): Promise<Side> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, audit };
}

before(async () => {
  const { runtime } = await buildApp();
  const issuers = await createIssuerRoutes(runtime.config.providers);
  const options = (audit: AuditRecord[], reasonHeader: boolean): AppOptions => {
    let n = 0;
    return {
      deps: runtime.deps,
      signed: createSignedOps(runtime.deps, runtime.authority),
      requestId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      audit: (r) => void audit.push(r),
      issuers,
      reasonHeader,
    };
  };
  for (const [name, fast, reasonHeader] of [
    ['express', false, true],
    ['fast', true, true],
    ['expressNoReason', false, false],
    ['fastNoReason', true, false],
  ] as const) {
    const audit: AuditRecord[] = [];
    const o = options(audit, reasonHeader);
    const app = createApp(o);
    sides[name] = await listen(fast ? withFastPath(app, o) : app, audit);
  }
  const token = await circleToken({ branch: 'main' });
  // Once on each side, so that the request-id counters stay in step.
  const [r] = await Promise.all(Object.values(sides).map((s) => send(s.port, { body: form(webIdentityParams(token)), headers: { 'content-type': 'application/x-www-form-urlencoded' } })));
  assert.ok(r !== undefined);
  const get = (tag: string): string => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(r.body)?.[1] ?? '';
  creds = { accessKeyId: get('AccessKeyId'), secretAccessKey: get('SecretAccessKey'), sessionToken: get('SessionToken') };
  assert.match(creds.accessKeyId, /^ASIA/);
});

after(async () => {
  for (const s of Object.values(sides)) {
    s.server.closeAllConnections();
    await new Promise((resolve) => s.server.close(resolve));
  }
});

interface Req {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Send the body in these pieces with chunked transfer encoding. */
  readonly chunks?: readonly string[];
}

function send(port: number, r: Req): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    if (body !== undefined && r.chunks === undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(body.length);
    const req = request({ host: '127.0.0.1', port, method: r.method ?? 'POST', path: r.path ?? '/', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flat(res.headers), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (r.chunks !== undefined) for (const c of r.chunks) req.write(c);
    req.end(r.chunks === undefined ? body : undefined);
  });
}

function flat(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (k !== 'date' && v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Fresh credentials and times differ per call; everything else must be equal. */
function normalise(a: Answer): Answer {
  const body = a.body
    .replace(/<(AccessKeyId|SecretAccessKey|SessionToken|Expiration)>[^<]*</g, '<$1>*<')
    .replace(/<(AssumedRoleId)>([^:<]*):/g, '<$1>$2:');
  const headers = { ...a.headers };
  if (headers['content-length'] !== undefined && /<Credentials>/.test(a.body)) headers['content-length'] = '*'; // the session token's length varies
  return { status: a.status, headers, body };
}

async function compare(name: string, r: Req | ((port: number) => Promise<Req>), pair: ['express', 'fast'] | ['expressNoReason', 'fastNoReason'] = ['express', 'fast']): Promise<Answer> {
  const [x, f] = [sides[pair[0]], sides[pair[1]]];
  const ax = x.audit.length;
  const af = f.audit.length;
  const reqX = typeof r === 'function' ? await r(x.port) : r;
  const reqF = typeof r === 'function' ? await r(f.port) : r;
  const a = await send(x.port, reqX);
  const b = await send(f.port, reqF);
  assert.deepEqual(normalise(b), normalise(a), name);
  // The audit records agree too (time aside; the audit sink runs after the response is sent).
  await new Promise((resolve) => setImmediate(resolve));
  const strip = (rs: AuditRecord[]): unknown[] => rs.map((rec) => ({ ...rec, time: '*' }));
  assert.deepEqual(strip(f.audit.slice(af)), strip(x.audit.slice(ax)), `${name}: audit`);
  return a;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

test('allowed, denied and expired AssumeRoleWithWebIdentity: same answers', async () => {
  const ok = await compare('allowed', { headers: FORM, body: form(webIdentityParams(await circleToken({ branch: 'main' }))) });
  assert.equal(ok.status, 200);
  const denied = await compare('denied', { headers: FORM, body: form(webIdentityParams(await circleToken({ branch: 'feature/x' }))) });
  assert.equal(denied.status, 403);
  assert.ok(denied.headers['x-sts-emulator-reason'] !== undefined);
  await compare('denied, no reason header', { headers: FORM, body: form(webIdentityParams(await circleToken({ branch: 'feature/x' }))) }, ['expressNoReason', 'fastNoReason']);
  await compare('expired', { headers: FORM, body: form(webIdentityParams(await circleToken({ branch: 'main' }, {}, new Date(Date.now() - 7200_000), 600))) });
  await compare('garbage token', { headers: FORM, body: form(webIdentityParams('not-a-token')) });
  await compare('unknown role', { headers: FORM, body: form(webIdentityParams(await circleToken({ branch: 'main' }), 'nope')) });
});

test('protocol errors: same answers', async () => {
  await compare('missing Action', { headers: FORM, body: 'Version=2011-06-15' });
  await compare('bad Version', { headers: FORM, body: 'Action=AssumeRoleWithWebIdentity&Version=2010-01-01' });
  await compare('unknown Action', { headers: FORM, body: 'Action=Nope&Version=2011-06-15' });
  await compare('duplicate parameter', { headers: FORM, body: 'Action=GetCallerIdentity&Action=GetCallerIdentity&Version=2011-06-15' });
  await compare('empty body', { headers: FORM, body: '' });
  await compare('bad percent-encoding', { headers: FORM, body: 'Action=%ZZ&Version=2011-06-15' });
  await compare('invalid UTF-8', { headers: FORM, body: Buffer.from([0x41, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0x3d, 0xff, 0xfe]) });
  await compare('too many parameters', { headers: FORM, body: Array.from({ length: 300 }, (_, i) => `p${i}=x`).join('&') });
  await compare('parameters in the query string', { path: '/?Action=AssumeRoleWithWebIdentity&Version=2011-06-15', headers: FORM, body: '' });
  await compare('query string and body', { path: '/?Version=2011-06-15', headers: FORM, body: 'Action=GetCallerIdentity' });
  await compare('query string with a fragment', { path: '/?Action=GetCallerIdentity#x', headers: FORM, body: 'Version=2011-06-15' });
  await compare('no content type', { body: 'Action=GetCallerIdentity&Version=2011-06-15' });
  await compare('another content type (body ignored)', { headers: { 'content-type': 'application/json' }, body: '{"Action":"GetCallerIdentity"}' });
  await compare('content type with odd case', { headers: { 'content-type': 'Application/X-WWW-Form-Urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
});

test('signed calls: same answers', async () => {
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const ok = await compare('GetCallerIdentity', async () => ({ headers: await signedHeaders(creds, body, new Date()), body }));
  assert.equal(ok.status, 200);
  await compare('GetCallerIdentity, wrong secret', async () => ({ headers: await signedHeaders({ ...creds, secretAccessKey: 'x'.repeat(40) }, body, new Date()), body }));
  await compare('GetCallerIdentity, old date', async () => ({ headers: await signedHeaders(creds, body, new Date(Date.now() - 3600_000)), body }));
  await compare('GetCallerIdentity, no signature', { headers: FORM, body });
  const chain = form({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: 'arn:aws:iam::123456789012:role/deploy-main', RoleSessionName: 'chained' });
  await compare('AssumeRole (chaining)', async () => ({ headers: await signedHeaders(creds, chain, new Date()), body: chain }));
});

test('requests the fast path leaves to the app: same answers', async () => {
  const big = `Action=GetCallerIdentity&Version=2011-06-15&Pad=${'x'.repeat(MAX_BODY_BYTES)}`;
  const tooBig = await compare('oversized body', { headers: FORM, body: big });
  assert.equal(tooBig.status, 413);
  await compare('body at the limit', { headers: FORM, body: `Action=GetCallerIdentity&Version=2011-06-15&P=${'x'.repeat(MAX_BODY_BYTES - 46)}` });
  await compare('chunked body', { headers: FORM, chunks: ['Action=GetCaller', 'Identity&Version=2011-06-15'] });
  await compare('content-encoding gzip', { headers: { ...FORM, 'content-encoding': 'gzip' }, body: 'not gzip' });
  await compare('content-encoding identity', { headers: { ...FORM, 'content-encoding': 'identity' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
  await compare('GET /', { method: 'GET', path: '/?Action=GetCallerIdentity&Version=2011-06-15' });
  await compare('POST /other', { path: '/other', headers: FORM, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
  await compare('PUT /', { method: 'PUT', headers: FORM, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
  await compare('issuer discovery document', { method: 'GET', path: '/oidc/oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d/.well-known/openid-configuration', headers: { host: 'sts.emulator.test:4566' } });
});
