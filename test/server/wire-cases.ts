/**
 * The wire answers of the query-protocol road, as a table: each case is one raw HTTP request; its answer (status,
 * headers without Date, body) and its audit record are normalised (request ids, fresh credentials and times are
 * '*') so they can be compared byte for byte with test/golden/wire.json, recorded from the Express path of the
 * last version with two request roads (commit e04f052). Shared by wire.test.ts; plain node:http, no harness.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { MAX_BODY_BYTES } from '../../src/protocol/query.js';

export interface Req {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Send the body in these pieces with chunked transfer encoding. */
  readonly chunks?: readonly string[];
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Inputs a case may need: tokens minted for it and credentials issued by the server under test. */
export interface WireInputs {
  readonly mainToken: string;
  readonly featureToken: string;
  readonly expiredToken: string;
  readonly signed: (
    creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
    body: string,
    date: Date,
  ) => Promise<Record<string, string>>;
  readonly creds: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  readonly form: (params: Record<string, string>) => string;
  readonly webIdentityParams: (token: string, role?: string) => Record<string, string>;
}

export interface WireCase {
  readonly name: string;
  /** The server without the reason header (--no-reason-header) instead of the default one. */
  readonly noReason?: boolean;
  readonly req: (i: WireInputs) => Req | Promise<Req>;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const GCI = 'Action=GetCallerIdentity&Version=2011-06-15';

export const WIRE_CASES: readonly WireCase[] = [
  { name: 'allowed', req: (i) => ({ headers: FORM, body: i.form(i.webIdentityParams(i.mainToken)) }) },
  { name: 'denied', req: (i) => ({ headers: FORM, body: i.form(i.webIdentityParams(i.featureToken)) }) },
  { name: 'denied, no reason header', noReason: true, req: (i) => ({ headers: FORM, body: i.form(i.webIdentityParams(i.featureToken)) }) },
  { name: 'expired', req: (i) => ({ headers: FORM, body: i.form(i.webIdentityParams(i.expiredToken)) }) },
  { name: 'garbage token', req: (i) => ({ headers: FORM, body: i.form(i.webIdentityParams('not-a-token')) }) },
  { name: 'unknown role', req: (i) => ({ headers: FORM, body: i.form(i.webIdentityParams(i.mainToken, 'nope')) }) },
  { name: 'missing Action', req: () => ({ headers: FORM, body: 'Version=2011-06-15' }) },
  { name: 'bad Version', req: () => ({ headers: FORM, body: 'Action=AssumeRoleWithWebIdentity&Version=2010-01-01' }) },
  { name: 'unknown Action', req: () => ({ headers: FORM, body: 'Action=Nope&Version=2011-06-15' }) },
  {
    name: 'duplicate parameter',
    req: () => ({ headers: FORM, body: 'Action=GetCallerIdentity&Action=GetCallerIdentity&Version=2011-06-15' }),
  },
  { name: 'empty body', req: () => ({ headers: FORM, body: '' }) },
  { name: 'bad percent-encoding', req: () => ({ headers: FORM, body: 'Action=%ZZ&Version=2011-06-15' }) },
  { name: 'invalid UTF-8', req: () => ({ headers: FORM, body: Buffer.from([0x41, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0x3d, 0xff, 0xfe]) }) },
  { name: 'too many parameters', req: () => ({ headers: FORM, body: Array.from({ length: 300 }, (_, i) => `p${i}=x`).join('&') }) },
  {
    name: 'parameters in the query string',
    req: () => ({ path: '/?Action=AssumeRoleWithWebIdentity&Version=2011-06-15', headers: FORM, body: '' }),
  },
  { name: 'query string and body', req: () => ({ path: '/?Version=2011-06-15', headers: FORM, body: 'Action=GetCallerIdentity' }) },
  {
    name: 'query string with a fragment',
    req: () => ({ path: '/?Action=GetCallerIdentity#x', headers: FORM, body: 'Version=2011-06-15' }),
  },
  { name: 'no content type', req: () => ({ body: GCI }) },
  {
    name: 'another content type (body ignored)',
    req: () => ({ headers: { 'content-type': 'application/json' }, body: '{"Action":"GetCallerIdentity"}' }),
  },
  { name: 'content type with odd case', req: () => ({ headers: { 'content-type': 'Application/X-WWW-Form-Urlencoded' }, body: GCI }) },
  { name: 'GetCallerIdentity', req: async (i) => ({ headers: await i.signed(i.creds, GCI, new Date()), body: GCI }) },
  {
    name: 'GetCallerIdentity, wrong secret',
    req: async (i) => ({ headers: await i.signed({ ...i.creds, secretAccessKey: 'x'.repeat(40) }, GCI, new Date()), body: GCI }),
  },
  {
    name: 'GetCallerIdentity, old date',
    req: async (i) => ({ headers: await i.signed(i.creds, GCI, new Date(Date.now() - 3600_000)), body: GCI }),
  },
  { name: 'GetCallerIdentity, no signature', req: () => ({ headers: FORM, body: GCI }) },
  {
    name: 'AssumeRole (chaining)',
    req: async (i) => {
      const chain = i.form({
        Action: 'AssumeRole',
        Version: '2011-06-15',
        RoleArn: 'arn:aws:iam::123456789012:role/deploy-main',
        RoleSessionName: 'chained',
      });
      return { headers: await i.signed(i.creds, chain, new Date()), body: chain };
    },
  },
  { name: 'oversized body', req: () => ({ headers: FORM, body: `${GCI}&Pad=${'x'.repeat(MAX_BODY_BYTES)}` }) },
  { name: 'body at the limit', req: () => ({ headers: FORM, body: `${GCI}&P=${'x'.repeat(MAX_BODY_BYTES - 46)}` }) },
  { name: 'chunked body', req: () => ({ headers: FORM, chunks: ['Action=GetCaller', 'Identity&Version=2011-06-15'] }) },
  { name: 'chunked body over the limit', req: () => ({ headers: FORM, chunks: [`${GCI}&Pad=`, 'x'.repeat(MAX_BODY_BYTES)] }) },
  { name: 'content-encoding gzip', req: () => ({ headers: { ...FORM, 'content-encoding': 'gzip' }, body: 'not gzip' }) },
  { name: 'content-encoding identity', req: () => ({ headers: { ...FORM, 'content-encoding': 'identity' }, body: GCI }) },
  { name: 'GET /', req: () => ({ method: 'GET', path: `/?${GCI}` }) },
  {
    name: 'GET / with a body',
    req: () => ({ method: 'GET', path: '/?Version=2011-06-15', headers: FORM, body: 'Action=GetCallerIdentity' }),
  },
  { name: 'HEAD /', req: () => ({ method: 'HEAD', path: '/' }) },
  { name: 'POST /other', req: () => ({ path: '/other', headers: FORM, body: GCI }) },
  { name: 'PUT /', req: () => ({ method: 'PUT', headers: FORM, body: GCI }) },
  { name: 'OPTIONS /', req: () => ({ method: 'OPTIONS', path: '/' }) },
  {
    name: 'absolute-form target',
    req: () => ({ path: 'http://sts.emulator.test/?Action=GetCallerIdentity', headers: FORM, body: 'Version=2011-06-15' }),
  },
  {
    name: 'issuer discovery document',
    req: () => ({
      method: 'GET',
      path: '/oidc/oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d/.well-known/openid-configuration',
      headers: { host: 'sts.emulator.test:4566' },
    }),
  },
  {
    name: 'issuer JWKS',
    req: () => ({ method: 'GET', path: '/oidc/oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d/.well-known/jwks.json' }),
  },
  {
    name: 'issuer JWKS, HEAD',
    req: () => ({ method: 'HEAD', path: '/oidc/oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d/.well-known/jwks.json' }),
  },
  {
    name: 'issuer JWKS, other case and a trailing slash',
    req: () => ({ method: 'GET', path: '/OIDC/oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d/.well-known/JWKS.json/' }),
  },
  {
    name: 'issuer route with POST',
    req: () => ({
      path: '/oidc/oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d/.well-known/jwks.json',
      headers: FORM,
      body: GCI,
    }),
  },
  { name: 'issuer path of an unknown provider', req: () => ({ method: 'GET', path: '/oidc/unknown.example.com/.well-known/jwks.json' }) },
];

export function send(port: number, r: Req): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    if (body !== undefined && r.chunks === undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
      headers['content-length'] = String(body.length);
    const req = request({ host: '127.0.0.1', port, method: r.method ?? 'POST', path: r.path ?? '/', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: flat(res.headers), body: Buffer.concat(chunks).toString('utf8') }),
      );
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

const ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Request ids, fresh credentials and times are '*'; everything else is compared as sent. */
export function normalise(a: Answer): Answer {
  const body = a.body
    .replace(/<(AccessKeyId|SecretAccessKey|SessionToken|Expiration)>[^<]*</g, '<$1>*<')
    .replace(/<RequestId>[^<]*</g, '<RequestId>*<')
    .replace(/\b\d{10}\b/g, '*')
    .replace(/\b\d{8}T\d{6}Z\b/g, '*');
  const headers = { ...a.headers };
  if (headers['x-amzn-requestid'] !== undefined) headers['x-amzn-requestid'] = '*';
  if (headers['content-length'] !== undefined && /<Credentials>/.test(a.body)) headers['content-length'] = '*'; // the session token's length varies
  if (headers['x-sts-emulator-reason'] !== undefined)
    headers['x-sts-emulator-reason'] = headers['x-sts-emulator-reason'].replace(/\d{10}/g, '*');
  return { status: a.status, headers, body };
}

/** An audit record with its time and request id as '*' (and the expired token's clock reading). */
export function normaliseRecord(r: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify({ ...r, time: '*', requestId: '*' })
    .replace(ID, '*')
    .replace(/\b\d{10}\b/g, '*')
    .replace(/\b\d{8}T\d{6}Z\b/g, '*');
  return JSON.parse(text) as Record<string, unknown>;
}
