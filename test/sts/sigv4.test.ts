/**
 * verifySigV4 against requests signed by AWS's own signer (@smithy/signature-v4, as used by the JS SDK v3),
 * with credentials from the real credential authority: successes, tampering, scope and clock games, token
 * swapping, malformed signatures (exact codes and messages) and a fuzz that only StsError ever escapes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import fc from 'fast-check';
import { MESSAGES, StsError } from '../../src/protocol/errors.js';
import { createCredentialAuthority } from '../../src/sts/credentials.js';
import { SIGV4_MESSAGES as M } from '../../src/sts/sigv4-messages.js';
import { anyString } from '../helpers/any-string.js';
import { verifySigV4, type SigV4Request } from '../../src/sts/sigv4.js';
import { Sha256 } from '../helpers/sdk-sha256.js';

function seeded(seed: string): (n: number) => Uint8Array {
  let i = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let off = 0; off < n;) off += createHash('sha256').update(`${seed}:${i++}`).digest().copy(out, off);
    return new Uint8Array(out);
  };
}

const T0 = new Date('2026-03-01T10:00:00Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const MIN = 60_000;
const authority = createCredentialAuthority(new Uint8Array(32).fill(7), { randomBytes: seeded('sigv4') });
const session = {
  accountId: '123456789012',
  roleArn: 'arn:aws:iam::123456789012:role/ci',
  roleName: 'ci',
  roleId: 'AROAEXAMPLEEXAMPLE123',
  sessionName: 'build-1',
  expiration: at(60 * MIN),
  issuedAt: at(-MIN),
  chained: false,
};
const A = authority.issue(session);
const B = authority.issue(session);
const credsA = { accessKeyId: A.accessKeyId, secretAccessKey: A.secretAccessKey, sessionToken: A.sessionToken };

const verify = (wire: SigV4Request, now: Date = T0) =>
  verifySigV4(wire, { now, lookup: (akid, token) => authority.authenticate(akid, token, now) });

const escape = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
function wireQuery(q: HttpRequest['query']): string {
  return Object.entries(q ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : v === null ? [] : [v]).map((x) => `${escape(k)}=${escape(x)}`))
    .join('&');
}
const toWire = (r: HttpRequest): SigV4Request => ({
  method: r.method,
  path: r.path,
  rawQuery: wireQuery(r.query),
  headers: { ...r.headers },
  body: (r.body as string | undefined) ?? '',
});

function request(over: Partial<HttpRequest> = {}): HttpRequest {
  return {
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: '/',
    query: {},
    headers: { host: '127.0.0.1:4566', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
    ...over,
  };
}
const GET = (query: Record<string, string | string[]>, over: Partial<HttpRequest> = {}): HttpRequest =>
  request({ method: 'GET', query, headers: { host: '127.0.0.1:4566' }, body: undefined, ...over });

const unsignedPayload = GET(
  { Action: 'GetCallerIdentity' },
  { method: 'POST', headers: { host: 'h', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
);

interface SignOpts {
  creds?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  service?: string;
  date?: Date;
  applyChecksum?: boolean;
}
const signer = (o: SignOpts) =>
  new SignatureV4({
    credentials: o.creds ?? credsA,
    region: 'eu-west-3',
    service: o.service ?? 'sts',
    sha256: Sha256,
    applyChecksum: o.applyChecksum ?? false,
  });
async function sign(req: HttpRequest, o: SignOpts = {}): Promise<SigV4Request> {
  return toWire((await signer(o).sign(req, { signingDate: o.date ?? T0 })) as HttpRequest);
}
async function presign(req: HttpRequest, o: SignOpts = {}): Promise<SigV4Request> {
  return toWire(await signer(o).presign(req, { signingDate: o.date ?? T0, expiresIn: 60 }));
}
const withHeaders = (w: SigV4Request, h: Record<string, string | undefined>): SigV4Request => ({ ...w, headers: { ...w.headers, ...h } });
const editAuth = (w: SigV4Request, f: (a: string) => string): SigV4Request =>
  withHeaders(w, { authorization: f(String(w.headers['authorization'])) });

// ---- accepted ----------------------------------------------------------------------------------------------

const accepted: { name: string; wire: () => Promise<SigV4Request>; now?: Date; presigned?: boolean }[] = [
  { name: 'POST form GetCallerIdentity (botocore content type)', wire: () => sign(request()) },
  { name: 'POST with x-amz-content-sha256 (applyChecksum)', wire: () => sign(request(), { applyChecksum: true }) },
  {
    name: 'POST without charset (JS v3 content type)',
    wire: () => sign(request({ headers: { host: '127.0.0.1:4566', 'content-type': 'application/x-www-form-urlencoded' } })),
  },
  { name: 'GET with query', wire: () => sign(GET({ Action: 'GetCallerIdentity', Version: '2011-06-15' })) },
  { name: 'GET with unicode, space, ~, / and + in values', wire: () => sign(GET({ Action: 'GetCallerIdentity', v: 'é ~/+ ሴ', e: '' })) },
  { name: 'GET with a duplicated query parameter', wire: () => sign(GET({ Action: 'GetCallerIdentity', w: ['b', 'a', '~', 'a'] })) },
  { name: 'path with %2F and ~', wire: () => sign(GET({}, { path: '/a%2Fb/~c/' })) },
  {
    name: 'header value with inner spaces, sent padded',
    wire: async () =>
      withHeaders(await sign(GET({}, { headers: { host: '127.0.0.1:4566', 'x-custom': 'a   b' } })), { 'x-custom': '  a   b ' }),
  },
  {
    name: 'all header names upper-cased on the wire',
    wire: async () => {
      const w = await sign(request());
      return { ...w, headers: Object.fromEntries(Object.entries(w.headers).map(([k, v]) => [k.toUpperCase(), v])) };
    },
  },
  { name: 'comma-only Authorization separators', wire: async () => editAuth(await sign(request()), (a) => a.replaceAll(', ', ',')) },
  { name: 'exactly 15 minutes late', wire: () => sign(request()), now: at(15 * MIN) },
  { name: 'exactly 15 minutes early', wire: () => sign(request()), now: at(-15 * MIN) },
  { name: 'presigned GET', wire: () => presign(GET({ Action: 'GetCallerIdentity', Version: '2011-06-15' })), presigned: true },
  {
    name: 'presigned GET used after X-Amz-Expires (STS ignores it)',
    wire: () => presign(GET({ Action: 'GetCallerIdentity', Version: '2011-06-15' })),
    now: at(10 * MIN),
    presigned: true,
  },
  { name: 'presigned POST, empty body', wire: () => presign(request({ body: undefined })), presigned: true },
  { name: 'presigned with X-Amz-Content-Sha256=UNSIGNED-PAYLOAD, empty body', wire: () => presign(unsignedPayload), presigned: true },
  {
    name: 'presigned GET with a signed x-k8s-aws-id header (EKS)',
    wire: () =>
      presign(
        GET({ Action: 'GetCallerIdentity', Version: '2011-06-15' }, { headers: { host: 'sts.amazonaws.com', 'x-k8s-aws-id': 'prod' } }),
      ),
    presigned: true,
  },
];

for (const c of accepted) {
  test(`accepts: ${c.name}`, async () => {
    const r = verify(await c.wire(), c.now ?? T0);
    assert.equal(r.accessKeyId, A.accessKeyId);
    assert.equal(r.region, 'eu-west-3');
    assert.equal(r.service, 'sts');
    assert.equal(r.presigned, c.presigned ?? false);
    assert.equal(r.sessionToken, A.sessionToken);
    assert.equal(r.credentials.session.roleArn, session.roleArn);
    assert.ok(r.signedHeaders.includes('host'));
  });
}

// ---- rejected ----------------------------------------------------------------------------------------------

const mismatch = { code: 'SignatureDoesNotMatch', message: MESSAGES.signatureDoesNotMatch };
const invalidToken = { code: 'InvalidClientTokenId', message: MESSAGES.invalidClientTokenId };
const cred = (date: string, service = 'sts', term = 'aws4_request') => `${A.accessKeyId}/${date}/eu-west-3/${service}/${term}`;
const rejected: { name: string; wire: () => Promise<SigV4Request>; now?: Date; error: { code: string; message: string } }[] = [
  {
    name: 'tampered body',
    wire: async () => ({ ...(await sign(request())), body: 'Action=GetCallerIdentity&Version=2011-06-16' }),
    error: mismatch,
  },
  {
    name: 'tampered body, x-amz-content-sha256 kept',
    wire: async () => ({ ...(await sign(request(), { applyChecksum: true })), body: 'Action=AssumeRole&Version=2011-06-15' }),
    error: mismatch,
  },
  { name: 'wrong secret', wire: () => sign(request(), { creds: { ...credsA, secretAccessKey: B.secretAccessKey } }), error: mismatch },
  {
    name: 'signed query parameter changed',
    wire: async () => ({ ...(await sign(GET({ Action: 'GetCallerIdentity' }))), rawQuery: 'Action=AssumeRole' }),
    error: mismatch,
  },
  {
    name: 'duplicated parameter dropped',
    wire: async () => ({ ...(await sign(GET({ w: ['a', 'b'] }))), rawQuery: 'w=a' }),
    error: mismatch,
  },
  { name: 'duplicated parameter added', wire: async () => ({ ...(await sign(GET({ w: 'a' }))), rawQuery: 'w=a&w=a' }), error: mismatch },
  { name: 'path changed', wire: async () => ({ ...(await sign(GET({}, { path: '/a%2Fb' }))), path: '/a/b' }), error: mismatch },
  {
    name: 'x-amz-date changed after signing',
    wire: async () => withHeaders(await sign(request()), { 'x-amz-date': '20260301T100001Z' }),
    error: mismatch,
  },
  { name: 'signed header removed', wire: async () => withHeaders(await sign(request()), { 'content-type': undefined }), error: mismatch },
  {
    name: 'signature in upper case',
    wire: async () =>
      editAuth(await sign(request()), (a) => a.replace(/Signature=(\w+)/, (_, s: string) => `Signature=${s.toUpperCase()}`)),
    error: mismatch,
  },
  {
    name: 'wrong service',
    wire: () => sign(request(), { service: 's3' }),
    error: { code: 'SignatureDoesNotMatch', message: "Credential should be scoped to correct service: 'sts'." },
  },
  {
    name: 'scope date is not the X-Amz-Date day',
    wire: async () => editAuth(await sign(request()), (a) => a.replace(cred('20260301'), cred('20260228'))),
    error: { code: 'SignatureDoesNotMatch', message: M.scopeDate('20260228', '20260301', '20260301T100000Z') },
  },
  {
    name: 'wrong terminator and service together',
    wire: async () => editAuth(await sign(request()), (a) => a.replace(cred('20260301'), cred('20260301', 'iam', 'aws5_request'))),
    error: { code: 'SignatureDoesNotMatch', message: `${M.scopeService('sts')} ${M.scopeTerminator('aws5_request')}` },
  },
  {
    name: 'host not in SignedHeaders',
    wire: async () => editAuth(await sign(request()), (a) => a.replace('content-type;host;', 'content-type;')),
    error: { code: 'SignatureDoesNotMatch', message: M.hostNotSigned },
  },
  {
    name: '15 min + 1 s late (replay)',
    wire: () => sign(request()),
    now: at(15 * MIN + 1000),
    error: {
      code: 'SignatureDoesNotMatch',
      message: 'Signature expired: 20260301T100000Z is now earlier than 20260301T100001Z (20260301T101501Z - 15 min.)',
    },
  },
  {
    name: '15 min + 1 s early (forged future date)',
    wire: () => sign(request()),
    now: at(-15 * MIN - 1000),
    error: {
      code: 'SignatureDoesNotMatch',
      message: 'Signature not yet current: 20260301T100000Z is still later than 20260301T095959Z (20260301T094459Z + 15 min.)',
    },
  },
  {
    name: 'presigned URL 16 minutes later',
    wire: () => presign(GET({ Action: 'GetCallerIdentity' })),
    now: at(16 * MIN),
    error: {
      code: 'SignatureDoesNotMatch',
      message: 'Signature expired: 20260301T100000Z is now earlier than 20260301T100100Z (20260301T101600Z - 15 min.)',
    },
  },
  {
    name: 'presigned POST sent with form parameters',
    wire: async () => ({ ...(await presign(request({ body: undefined }))), body: 'Action=AssumeRole&RoleArn=x' }),
    error: mismatch,
  },
  {
    name: 'presigned UNSIGNED-PAYLOAD POST sent with form parameters',
    wire: async () => ({ ...(await presign(unsignedPayload)), body: 'Action=AssumeRole&RoleArn=x' }),
    error: mismatch,
  },
  {
    name: 'presigned URL with a signed header changed',
    wire: async () => withHeaders(await presign(GET({}, { headers: { host: 'h', 'x-k8s-aws-id': 'prod' } })), { 'x-k8s-aws-id': 'dev' }),
    error: mismatch,
  },
  {
    name: 'session token of another key',
    wire: () => sign(request(), { creds: { ...credsA, sessionToken: B.sessionToken } }),
    error: invalidToken,
  },
  {
    name: 'temporary key without a session token',
    wire: () => sign(request(), { creds: { accessKeyId: A.accessKeyId, secretAccessKey: A.secretAccessKey } }),
    error: invalidToken,
  },
  {
    name: 'one byte of the session token flipped',
    wire: () => sign(request(), { creds: { ...credsA, sessionToken: 'B' + A.sessionToken.slice(1) } }),
    error: invalidToken,
  },
  {
    name: 'unknown key, bad signature: key checked first',
    wire: async () =>
      editAuth(await sign(request(), { creds: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } }), (a) =>
        a.replace(/Signature=\w+/, 'Signature=00'),
      ),
    error: invalidToken,
  },
  {
    name: 'expired credentials, bad signature: expiry checked first',
    wire: async () => editAuth(await sign(request(), { date: at(60 * MIN) }), (a) => a.replace(/Signature=\w+/, 'Signature=00')),
    now: at(60 * MIN),
    error: { code: 'ExpiredToken', message: MESSAGES.expiredToken },
  },
  {
    name: 'clock skew with an unknown key: time checked before the key',
    wire: () => sign(request(), { creds: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } }),
    now: at(20 * MIN),
    error: {
      code: 'SignatureDoesNotMatch',
      message: 'Signature expired: 20260301T100000Z is now earlier than 20260301T100500Z (20260301T102000Z - 15 min.)',
    },
  },
  {
    name: 'Authorization header and presigned query together',
    wire: async () => ({ ...(await sign(request())), rawQuery: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' }),
    error: mismatch,
  },
];

for (const c of rejected) {
  test(`rejects: ${c.name}`, async () => {
    const wire = await c.wire();
    assert.throws(
      () => verify(wire, c.now ?? T0),
      (e: unknown) => {
        assert.ok(e instanceof StsError, `not an StsError: ${String(e)}`);
        assert.deepEqual({ code: e.code, message: e.message }, c.error);
        return true;
      },
    );
  });
}

// ---- malformed (hand-written requests) -----------------------------------------------------------------------

const b64sha = (s: string): string => createHash('sha256').update(s).digest('base64');
const AKID_SCOPE = `${A.accessKeyId}/20260301/eu-west-3/sts/aws4_request`;
const bare = (headers: Record<string, string>, rawQuery = ''): SigV4Request => ({
  method: 'GET',
  path: '/',
  rawQuery,
  headers: { host: 'h', ...headers },
  body: '',
});
const dated = (authorization: string): SigV4Request => bare({ 'x-amz-date': '20260301T100000Z', authorization });
const malformed: { name: string; wire: SigV4Request; code: string; message: string }[] = [
  { name: 'no signature at all', wire: bare({}), code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' },
  {
    name: 'Signature and SignedHeaders missing',
    wire: dated(`AWS4-HMAC-SHA256 Credential=${AKID_SCOPE}`),
    code: 'IncompleteSignature',
    message: `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. (Hashed with SHA-256 and encoded with Base64) Authorization=${b64sha(`AWS4-HMAC-SHA256 Credential=${AKID_SCOPE}`)}`,
  },
  {
    name: 'everything missing, no date',
    wire: bare({ authorization: 'AWS4-HMAC-SHA256' }),
    code: 'IncompleteSignature',
    message: `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. (Hashed with SHA-256 and encoded with Base64) Authorization=${b64sha('AWS4-HMAC-SHA256')}`,
  },
  {
    name: 'space after Credential=',
    wire: dated(`AWS4-HMAC-SHA256 Credential= ${AKID_SCOPE}, SignedHeaders=host, Signature=00`),
    code: 'IncompleteSignature',
    message: `Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '${b64sha(AKID_SCOPE)}'.`,
  },
  // A repeated parameter is refused (issue 14, item 13): before, the last Signature= or Credential= won.
  ...(['Credential', 'Signature', 'SignedHeaders'] as const).map((name) => {
    const header = `AWS4-HMAC-SHA256 Credential=${AKID_SCOPE}, SignedHeaders=host, Signature=00, ${name}=${name === 'Credential' ? AKID_SCOPE : name === 'Signature' ? '11' : 'host'}`;
    return {
      name: `${name}= twice in one Authorization header`,
      wire: dated(header),
      code: 'IncompleteSignature',
      message: `Authorization header contains parameter '${name}' more than once. (Hashed with SHA-256 and encoded with Base64) Authorization=${b64sha(header)}`,
    };
  }),
  {
    name: 'AWS4-HMAC-SHA1',
    wire: dated(`AWS4-HMAC-SHA1 Credential=${AKID_SCOPE}, SignedHeaders=host, Signature=00`),
    code: 'IncompleteSignature',
    message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'.",
  },
  {
    name: 'Bearer token',
    wire: dated('Bearer eyJhbGciOi.x.y'),
    code: 'IncompleteSignature',
    message: "Unsupported AWS 'algorithm': 'Bearer'.",
  },
  {
    name: 'credential with four parts',
    wire: dated(`AWS4-HMAC-SHA256 Credential=${A.accessKeyId}/20260301/sts/aws4_request, SignedHeaders=host, Signature=00`),
    code: 'IncompleteSignature',
    message: M.credentialParts(`${A.accessKeyId}/20260301/sts/aws4_request`),
  },
  {
    name: 'empty region',
    wire: dated(`AWS4-HMAC-SHA256 Credential=${A.accessKeyId}/20260301//sts/aws4_request, SignedHeaders=host, Signature=00`),
    code: 'SignatureDoesNotMatch',
    message: "Credential should be scoped to a valid region, not ''.",
  },
  {
    name: 'X-Amz-Date in extended format',
    wire: bare({
      'x-amz-date': '2026-03-01T10:00:00Z',
      authorization: `AWS4-HMAC-SHA256 Credential=${AKID_SCOPE}, SignedHeaders=host, Signature=00`,
    }),
    code: 'IncompleteSignature',
    message: M.badDate('2026-03-01T10:00:00Z'),
  },
  {
    name: 'presigned query with only the algorithm',
    wire: bare({}, 'X-Amz-Algorithm=AWS4-HMAC-SHA256'),
    code: 'IncompleteSignature',
    message:
      "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
  },
  {
    name: 'presigned query with another algorithm',
    wire: bare({}, 'X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256'),
    code: 'MissingAuthenticationToken',
    message: 'Request is missing Authentication Token',
  },
];

for (const c of malformed) {
  test(`malformed: ${c.name}`, () => {
    assert.throws(
      () => verify(c.wire),
      (e: unknown) => e instanceof StsError && e.code === c.code && e.message === c.message,
    );
  });
}

// ---- fuzz ------------------------------------------------------------------------------------------------------

const nasty = fc.oneof(
  fc.constantFrom(
    '%',
    '%zz',
    '=',
    '&',
    '/',
    ',',
    ' ',
    ';',
    '\ud800',
    '\u0000',
    'AWS4-HMAC-SHA256 ',
    'Credential=',
    'X-Amz-Algorithm=AWS4-HMAC-SHA256&',
    'host',
  ),
  anyString({ maxLength: 3 }),
);
const text = fc.string({ unit: nasty, maxLength: 12 });

test('fuzz: arbitrary headers, query, path and body only ever raise StsError', () => {
  fc.assert(
    fc.property(text, text, text, text, fc.option(text), (authorization, amzDate, rawQuery, path, token) => {
      const wire: SigV4Request = {
        method: 'POST',
        path,
        rawQuery,
        headers: { host: 'h', authorization, 'x-amz-date': amzDate, 'x-amz-security-token': token ?? undefined },
        body: path,
      };
      try {
        verify(wire);
        assert.fail('verified garbage');
      } catch (e) {
        assert.ok(e instanceof StsError, String(e));
      }
    }),
    { numRuns: 2000 },
  );
});

test('fuzz: one character of a signed request changed either still verifies or raises StsError', async () => {
  const good = await sign(GET({ Action: 'GetCallerIdentity', v: 'a b' }));
  const auth = String(good.headers['authorization']);
  fc.assert(
    fc.property(
      fc.constantFrom('authorization', 'rawQuery', 'x-amz-security-token'),
      fc.nat(),
      fc.string({ unit: nasty, minLength: 1, maxLength: 1 }),
      (field, pos, ch) => {
        const src = field === 'rawQuery' ? good.rawQuery : field === 'authorization' ? auth : A.sessionToken;
        const i = pos % Math.max(src.length, 1);
        const changed = src.slice(0, i) + ch + src.slice(i + 1);
        const wire = field === 'rawQuery' ? { ...good, rawQuery: changed } : withHeaders(good, { [field]: changed });
        try {
          verify(wire);
        } catch (e) {
          assert.ok(e instanceof StsError, String(e));
        }
      },
    ),
    { numRuns: 1000 },
  );
});
