/**
 * Hostile input (jwt-attacks.md §5): random methods, paths, query strings, headers and bodies (binary, huge,
 * odd content types and encodings) never give a 5xx, always give well-formed STS XML (an ErrorResponse or a
 * success), and never hang (client timeouts). Plus fixed vectors for the odd methods and paths.
 *
 * What node's HTTP parser refuses before a request exists (heads over the limit, an unknown `Expect`, malformed
 * request lines) is answered by client-errors.ts and tested with raw sockets elsewhere.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { anyString } from '../helpers/any-string.js';
import { circleToken, form, startServer, webIdentityParams } from '../helpers/harness.js';
import { expectAssumed, expectError, raw, stsXml } from './helpers.js';

// The one server, as `serve` runs it.
const oneServer = await startServer();
after(() => oneServer.close());
const listeners = [{ name: 'server', url: oneServer.url }] as const;
const validToken = await circleToken({ branch: 'main' });

/** Every response: < 500, never a hang, STS XML (HEAD: the same headers, no body). */
async function checkResponse(res: Response, method: string): Promise<void> {
  assert.ok(res.status < 500, `status ${res.status}: ${res.text?.slice(0, 300)}`);
  if (method === 'HEAD') {
    assert.equal(res.headers['content-type'], 'text/xml');
    assert.ok(typeof res.headers['x-amzn-requestid'] === 'string' && res.headers['x-amzn-requestid'].length > 0);
    assert.ok(!res.text, 'HEAD has no body');
    return;
  }
  await stsXml(res);
}

// ---- generators ----

const URL_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&\'()*+,;=:@/%?[]{}|\\^`"<>'];
/** Characters a Node client sends as they are in a request target (everything else is percent-encoded). */
const urlText = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: fc.constantFrom(...URL_CHARS), maxLength: max }),
    anyString({ maxLength: max }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x'))),
  );

const PARAM_NAMES = [
  'Action',
  'Version',
  'RoleArn',
  'RoleSessionName',
  'WebIdentityToken',
  'DurationSeconds',
  'Policy',
  'PolicyArns',
  'PolicyArns.member.1.arn',
  'PolicyArns.member.11.arn',
  'ProviderId',
  'ExternalId',
  'SourceIdentity',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Algorithm',
  '__proto__',
  'constructor',
  '',
];
const PARAM_VALUES = fc.oneof(
  fc.constantFrom(
    'AssumeRoleWithWebIdentity',
    'GetCallerIdentity',
    'AssumeRole',
    'AssumeRoleWithSAML',
    '2011-06-15',
    'arn:aws:iam::123456789012:role/deploy-main',
    validToken,
    'AWS4-HMAC-SHA256',
    '900',
    '43201',
    '1e3',
    '{}',
    '{"Version":"2012-10-17","Statement":[]}',
    '',
  ),
  fc.string({ maxLength: 40 }),
  anyString({ maxLength: 40 }),
  anyString({ maxLength: 40 }).map((s) => s.replace(/[\ud800-\udfff]/g, '\ud800')),
);
const formText = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...PARAM_NAMES), fc.string({ maxLength: 12 })), PARAM_VALUES), { maxLength: 12 })
  .map((pairs) =>
    pairs
      .map(
        ([k, v]) => `${encodeURIComponent(k.replace(/[\ud800-\udfff]/g, 'x'))}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, 'x'))}`,
      )
      .join('&'),
  );

const body: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: formText.map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.jsonValue().map((j) => Buffer.from(JSON.stringify(j) ?? 'null')) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 100 * 1024, max: 300 * 1024 }), fc.constantFrom('a', '%', '&', '=', '\u0000'))
      .map(([n, c]) => Buffer.alloc(n, c)),
  },
  { weight: 1, arbitrary: formText.map((s) => Buffer.from(form(webIdentityParams(validToken)) + '&' + s)) },
);

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded; charset=latin1',
  'application/x-www-form-urlencoded; charset=utf-16',
  'APPLICATION/X-WWW-FORM-URLENCODED',
  'application/x-www-form-urlencoded;;;',
  'application/json',
  'application/x-amz-json-1.0',
  'text/xml',
  'text/plain',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'application/octet-stream',
  '*/*',
  'garbage',
  ';',
  '',
];
const headerValue = fc.string({
  unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~'),
  maxLength: 120,
});
const headers: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      'content-type': fc.oneof(fc.constantFrom(...CONTENT_TYPES), headerValue),
      'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-garbage', 'gzip, identity'),
      authorization: fc.oneof(
        headerValue,
        fc.constant(
          'AWS4-HMAC-SHA256 Credential=ASIAAAAAAAAAAAAAAAAA/20260301/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
        ),
        fc.constant('AWS4-HMAC-SHA256 Credential=/, SignedHeaders=, Signature='),
      ),
      'x-amz-date': fc.oneof(headerValue, fc.constant('20260301T100000Z')),
      'x-amz-security-token': headerValue,
      'x-amz-target': fc.constantFrom('AWSSecurityTokenServiceV20110615.AssumeRoleWithWebIdentity', 'x'),
      'x-amz-content-sha256': fc.constantFrom('UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', '0'),
      accept: headerValue,
      host: fc.constantFrom('localhost', 'sts.amazonaws.com', '[::1]:1', 'x:y:z'),
    },
    { requiredKeys: [] },
  )
  .map((h) => Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => typeof e[1] === 'string')));

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'),
  path: fc.oneof(
    fc.constant('/'),
    urlText(40).map((p) => '/' + p.replace(/[?#]/g, '')),
  ),
  query: fc.oneof(
    fc.constant(''),
    urlText(200).map((q) => '?' + q.replace(/#/g, '')),
    formText.map((q) => '?' + q),
  ),
  headers,
  body,
});

// ---- fixed vectors ----

interface Fixed {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Expected status and code (HEAD: status only). */
  readonly status: number;
  readonly code?: string;
}

const fixed: readonly Fixed[] = [
  { name: 'HEAD /', method: 'HEAD', path: '/', status: 400 },
  { name: 'HEAD with a valid query', method: 'HEAD', path: '/?' + form(webIdentityParams(validToken)), status: 200 },
  {
    name: 'PUT with a valid form is served like POST',
    method: 'PUT',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form(webIdentityParams(validToken)),
    status: 200,
  },
  { name: 'DELETE with the query', method: 'DELETE', path: '/?' + form(webIdentityParams(validToken)), status: 200 },
  { name: 'OPTIONS /', method: 'OPTIONS', path: '/', status: 400, code: 'MissingAction' },
  { name: 'PATCH /', method: 'PATCH', path: '/', body: 'x', status: 400, code: 'MissingAction' },
  {
    name: 'another path is the same endpoint',
    method: 'POST',
    path: '/some/where',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form(webIdentityParams(validToken)),
    status: 200,
  },
  { name: 'a path with invalid percent-encoding', method: 'GET', path: '/%ZZ/%', status: 400, code: 'MissingAction' },
  {
    name: 'a path with an encoded NUL and traversal',
    method: 'GET',
    path: '/%00/..%2f..%2fetc%2fpasswd',
    status: 400,
    code: 'MissingAction',
  },
  {
    name: 'an issuer path of an unknown provider',
    method: 'GET',
    path: '/oidc/unknown.example.com/.well-known/jwks.json',
    status: 400,
    code: 'MissingAction',
  },
  {
    name: 'an issuer route with POST',
    method: 'POST',
    path: '/oidc/token.actions.githubusercontent.com/.well-known/jwks.json',
    status: 400,
    code: 'MissingAction',
  },
  { name: 'a query of only separators', method: 'GET', path: '/?&&&===&', status: 400, code: 'MissingAction' },
  {
    name: 'a query with a fragment',
    method: 'GET',
    path: '/?Action=GetCallerIdentity&Version=2011-06-15#frag',
    status: 403,
    code: 'MissingAuthenticationToken',
  },
  {
    name: 'AssumeRoleWithWebIdentity ignores an Authorization header (it is unsigned)',
    method: 'POST',
    path: '/',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=ASIAAAAAAAAAAAAAAAAA/20260301/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00',
      'x-amz-security-token': 'junk',
    },
    body: form(webIdentityParams(validToken)),
    status: 200,
  },
  {
    name: 'a body with only NUL bytes',
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '\u0000'.repeat(1000),
    status: 400,
    code: 'MissingAction',
  },
  {
    name: 'GetCallerIdentity with a garbage Authorization header',
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 garbage' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
    status: 400,
    code: 'IncompleteSignature',
  },
  {
    name: 'GetCallerIdentity with a Basic Authorization header',
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic dXNlcjpwYXNz' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
    status: 400,
    code: 'IncompleteSignature',
  },
];

/** A request through supertest with a client timeout (a hang fails the test). */
const send = (
  url: string,
  r: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer | undefined },
): Promise<Response> =>
  raw(url, {
    method: r.method ?? 'POST',
    path: r.path ?? '/',
    headers: r.headers ?? {},
    ...(r.body === undefined ? {} : { body: r.body }),
    timeout: 10_000,
  });
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

for (const l of listeners) {
  test(`${l.name}: random requests: never 5xx, always STS XML, never a hang`, async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        // No body with HEAD: the Node client would announce one it never sends, and Node's parser (not the app) answers.
        const res = await send(l.url, {
          method: r.method,
          path: r.path + r.query,
          headers: r.headers,
          body: r.method === 'HEAD' ? undefined : r.body,
        });
        await checkResponse(res, r.method);
      }),
      { numRuns: 400, interruptAfterTimeLimit: 100_000 },
    );
  });

  test(`${l.name}: random form bodies built from real parameter names: never 5xx, always STS XML`, async () => {
    await fc.assert(
      fc.asyncProperty(
        formText,
        fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', undefined),
        async (text, ct) => {
          await checkResponse(await send(l.url, { headers: ct === undefined ? {} : { 'content-type': ct }, body: text }), 'POST');
        },
      ),
      { numRuns: 400 },
    );
  });

  test(`${l.name}: random claims in validly signed tokens: never 5xx, always STS XML`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
        fc.boolean(),
        async (claims, keepStandard) => {
          const extra = keepStandard ? claims : { ...claims, sub: claims['sub'] ?? null, aud: claims['aud'] ?? null };
          const t = await circleToken({ branch: 'main' }, extra);
          await checkResponse(await send(l.url, { headers: FORM, body: form(webIdentityParams(t)) }), 'POST');
        },
      ),
      { numRuns: 150 },
    );
  });

  for (const f of fixed) {
    test(`${l.name}: hostile: ${f.name}`, async () => {
      const res = await send(l.url, f);
      await checkResponse(res, f.method);
      assert.equal(res.status, f.status, res.text);
      if (f.code !== undefined) await expectError(res, f.status, f.code);
      else if (f.status === 200 && f.method !== 'HEAD') await expectAssumed(res);
    });
  }

  test(`${l.name}: a 5 MB body is refused with 413 without reading it all`, async () => {
    const res = await raw(l.url, { headers: FORM, body: Buffer.alloc(5 * 1024 * 1024, 'a'), timeout: 15_000 }).catch((e: unknown) => e);
    // The server may answer and close before the client finished sending: either a 413 STS response or a reset.
    if (res !== null && typeof res === 'object' && 'status' in res && typeof res.status === 'number') {
      await expectError(res as Response, 413, 'RequestEntityTooLarge');
    }
    // The server still answers afterwards.
    await expectAssumed(await send(l.url, { headers: FORM, body: form(webIdentityParams(validToken)) }));
  });

  test(`${l.name}: a Content-Length larger than the body sent, then the client goes away`, async () => {
    const { connect } = await import('node:net');
    const { port } = new URL(l.url);
    await new Promise<void>((resolve) => {
      const s = connect(Number(port), '127.0.0.1', () => {
        s.end('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=');
      });
      s.on('error', () => undefined);
      s.on('close', () => resolve());
      setTimeout(() => s.destroy(), 500);
    });
    await expectAssumed(await send(l.url, { headers: FORM, body: form(webIdentityParams(validToken)) }));
  });
}
