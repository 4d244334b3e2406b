/**
 * Hostile input to Google's endpoints, one row per request: bad and odd JSON, bodies over the limit, wrong methods,
 * odd paths, percent-encoding in the service account, missing and odd Authorization headers. Every answer is in
 * Google's shape for the path (STS: OAuth-style `{error, error_description}`; IAM Credentials and unknown paths:
 * `{error: {code, message, status}}` with code = the HTTP status), as JSON, never a 5xx, with the emulator's reason
 * on one line; and the server answers a good request afterwards.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/harness.js';

const SA = 'deployer@demo-project.iam.gserviceaccount.com';
const GENERATE = `/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`;
const AUDIENCE = '//iam.googleapis.com/projects/314159265358/locations/global/workloadIdentityPools/circleci-pool/providers/circleci-demo';
const SCOPE = JSON.stringify({ scope: ['https://www.googleapis.com/auth/cloud-platform'] });
const JSON_TYPE = { 'content-type': 'application/json' };

let emu: Emulator;
let subjectToken: string;
let federated: string;

function exchangeForm(over: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    audience: AUDIENCE,
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    subject_token: subjectToken,
    ...over,
  });
}

before(async () => {
  emu = await startEmulator({ policies: join(REPO_ROOT, 'examples', 'gcp', 'policies') });
  subjectToken = await emu.mintToken({ preset: { name: 'circleci', v1: true, branch: 'main' } });
  const r = await fetch(`${emu.endpoint}/v1/token`, { method: 'POST', body: exchangeForm() });
  federated = ((await r.json()) as { access_token: string }).access_token;
});
after(() => emu.stop());

type Shape = 'oauth' | 'google' | 'empty';

interface Row {
  readonly name: string;
  readonly method?: string;
  readonly path: string;
  readonly headers?: () => Record<string, string>;
  readonly body?: () => string | URLSearchParams;
  readonly status: number;
  readonly shape: Shape;
  /** The OAuth `error` or Google's `status`. */
  readonly code?: string;
  readonly message?: RegExp;
  /** The emulator's reason header. */
  readonly reason?: RegExp;
}

const bearer = (): Record<string, string> => ({ authorization: `Bearer ${federated}`, ...JSON_TYPE });
const big = (n: number): string => 'x'.repeat(n);
const LIMIT = /exceeds the limit of \d+ bytes/;

const ROWS: Row[] = [
  // Wrong methods
  { name: 'GET /v1/token', path: '/v1/token', status: 405, shape: 'google', code: 'METHOD_NOT_ALLOWED' },
  { name: 'PUT /v1/token', method: 'PUT', path: '/v1/token', body: () => 'x', status: 405, shape: 'google', code: 'METHOD_NOT_ALLOWED' },
  { name: 'OPTIONS /v1/token', method: 'OPTIONS', path: '/v1/token', status: 405, shape: 'google', code: 'METHOD_NOT_ALLOWED' },
  { name: 'HEAD /v1/token: the status, no body', method: 'HEAD', path: '/v1/token', status: 405, shape: 'empty' },
  { name: 'GET generateAccessToken', path: GENERATE, headers: bearer, status: 405, shape: 'google', code: 'METHOD_NOT_ALLOWED' },
  { name: 'DELETE generateAccessToken', method: 'DELETE', path: GENERATE, status: 405, shape: 'google', code: 'METHOD_NOT_ALLOWED' },
  { name: 'POST tokeninfo', method: 'POST', path: '/oauth2/v3/tokeninfo', status: 405, shape: 'oauth', code: 'invalid_request' },

  // Bad JSON and odd bodies at STS
  {
    name: 'STS: JSON cut short',
    method: 'POST',
    path: '/v1/token',
    headers: () => JSON_TYPE,
    body: () => '{"grantType":',
    status: 400,
    shape: 'oauth',
    code: 'invalid_request',
    message: /^Invalid JSON payload received\.$/,
    reason: /the body is not JSON/,
  },
  {
    name: 'STS: a JSON array',
    method: 'POST',
    path: '/v1/token',
    headers: () => JSON_TYPE,
    body: () => '[1,2]',
    status: 400,
    shape: 'oauth',
    code: 'invalid_request',
    reason: /not an object/,
  },
  {
    name: 'STS: JSON null',
    method: 'POST',
    path: '/v1/token',
    headers: () => JSON_TYPE,
    body: () => 'null',
    status: 400,
    shape: 'oauth',
    code: 'invalid_request',
  },
  {
    name: 'STS: JSON nested 60000 deep (under the size limit)',
    method: 'POST',
    path: '/v1/token',
    headers: () => JSON_TYPE,
    body: () => '['.repeat(60000) + ']'.repeat(60000),
    status: 400,
    shape: 'oauth',
    code: 'invalid_request',
  },
  {
    name: 'STS: __proto__ and constructor keys are ignored, not merged',
    method: 'POST',
    path: '/v1/token',
    headers: () => JSON_TYPE,
    body: () => '{"__proto__":{"grantType":"urn:ietf:params:oauth:grant-type:token-exchange"},"constructor":{"prototype":{}}}',
    status: 400,
    shape: 'oauth',
    code: 'invalid_request',
    message: /^Invalid value for "grant_type"\.$/,
  },
  {
    name: 'STS: a field that is not a string',
    method: 'POST',
    path: '/v1/token',
    headers: () => JSON_TYPE,
    body: () => JSON.stringify({ grantType: 5 }),
    status: 400,
    shape: 'oauth',
    code: 'invalid_request',
    reason: /grantType must be a string/,
  },
  { name: 'STS: an empty body', method: 'POST', path: '/v1/token', status: 400, shape: 'oauth', code: 'invalid_request' },
  {
    name: 'STS: broken percent-encoding in the form',
    method: 'POST',
    path: '/v1/token',
    body: () => 'grant_type=%ZZ&audience=%&subject_token=%E0%A4%A',
    status: 400,
    shape: 'oauth',
    code: 'invalid_request',
  },
  {
    name: 'STS: a form sent as application/json',
    method: 'POST',
    path: '/v1/token',
    headers: () => JSON_TYPE,
    body: () => exchangeForm().toString(),
    status: 400,
    shape: 'oauth',
    code: 'invalid_request',
    message: /^Invalid JSON payload received\.$/,
  },
  {
    name: 'STS: a subject token of NUL and control characters',
    method: 'POST',
    path: '/v1/token',
    body: () => exchangeForm({ subject_token: '\u0000\u001b[2J\r\n' }),
    status: 400,
    shape: 'oauth',
    code: 'invalid_grant',
  },
  {
    name: 'STS: an audience with a right-to-left override',
    method: 'POST',
    path: '/v1/token',
    body: () => exchangeForm({ audience: AUDIENCE.replace('circleci-demo', 'circleci\u202edemo') }),
    status: 400,
    shape: 'oauth',
    code: 'invalid_target',
  },
  {
    name: 'STS: a body over the limit',
    method: 'POST',
    path: '/v1/token',
    body: () => `a=${big(2_000_000)}`,
    status: 413,
    shape: 'oauth',
    code: 'invalid_request',
    message: LIMIT,
  },
  {
    name: 'STS: a subject token over the limit',
    method: 'POST',
    path: '/v1/token',
    body: () => exchangeForm({ subject_token: big(200_000) }),
    status: 413,
    shape: 'oauth',
    code: 'invalid_request',
  },

  // generateAccessToken: Authorization
  { name: 'no Authorization', method: 'POST', path: GENERATE, body: () => SCOPE, status: 401, shape: 'google', code: 'UNAUTHENTICATED' },
  {
    name: 'Authorization: Basic',
    method: 'POST',
    path: GENERATE,
    headers: () => ({ authorization: 'Basic eDp5' }),
    body: () => SCOPE,
    status: 401,
    shape: 'google',
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'Authorization: Bearer and nothing',
    method: 'POST',
    path: GENERATE,
    headers: () => ({ authorization: 'Bearer ' }),
    body: () => SCOPE,
    status: 401,
    shape: 'google',
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'Authorization: two bearer tokens',
    method: 'POST',
    path: GENERATE,
    headers: () => ({ authorization: `Bearer ${federated} ${federated}` }),
    body: () => SCOPE,
    status: 401,
    shape: 'google',
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'Authorization: a bearer token of 15000 characters',
    method: 'POST',
    path: GENERATE,
    headers: () => ({ authorization: `Bearer ${big(15000)}` }),
    body: () => SCOPE,
    status: 401,
    shape: 'google',
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'Authorization: Latin-1 bytes',
    method: 'POST',
    path: GENERATE,
    headers: () => ({ authorization: 'Bearer \u00e9\u00ff' }),
    body: () => SCOPE,
    status: 401,
    shape: 'google',
    code: 'UNAUTHENTICATED',
  },
  {
    name: "Authorization: the subject token (a JWT, not this emulator's federated token)",
    method: 'POST',
    path: GENERATE,
    headers: () => ({ authorization: `Bearer ${subjectToken}` }),
    body: () => SCOPE,
    status: 401,
    shape: 'google',
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'Authorization: bearer in lower case, tab-separated (accepted)',
    method: 'POST',
    path: GENERATE,
    headers: () => ({ authorization: `bearer\t${federated}` }),
    body: () => SCOPE,
    status: 200,
    shape: 'google',
  },

  // generateAccessToken: bodies
  {
    name: 'JSON cut short',
    method: 'POST',
    path: GENERATE,
    headers: bearer,
    body: () => '{"scope":',
    status: 400,
    shape: 'google',
    code: 'INVALID_ARGUMENT',
  },
  {
    name: 'a JSON array',
    method: 'POST',
    path: GENERATE,
    headers: bearer,
    body: () => '[]',
    status: 400,
    shape: 'google',
    code: 'INVALID_ARGUMENT',
  },
  {
    name: 'scope an object',
    method: 'POST',
    path: GENERATE,
    headers: bearer,
    body: () => '{"scope":{"0":"x"}}',
    status: 400,
    shape: 'google',
    code: 'INVALID_ARGUMENT',
  },
  {
    name: 'lifetime a number',
    method: 'POST',
    path: GENERATE,
    headers: bearer,
    body: () => '{"scope":["x"],"lifetime":3600}',
    status: 400,
    shape: 'google',
    code: 'INVALID_ARGUMENT',
  },
  {
    name: 'lifetime in exponent form',
    method: 'POST',
    path: GENERATE,
    headers: bearer,
    body: () => '{"scope":["x"],"lifetime":"1e3s"}',
    status: 400,
    shape: 'google',
    code: 'INVALID_ARGUMENT',
  },
  {
    name: 'lifetime of 20 digits',
    method: 'POST',
    path: GENERATE,
    headers: bearer,
    body: () => '{"scope":["x"],"lifetime":"99999999999999999999s"}',
    status: 400,
    shape: 'google',
    code: 'INVALID_ARGUMENT',
  },
  {
    name: 'a body over the limit: Google API shape on IAM Credentials',
    method: 'POST',
    path: GENERATE,
    headers: bearer,
    body: () => `{"scope":["${big(2_000_000)}"]}`,
    status: 413,
    shape: 'google',
    code: 'INVALID_ARGUMENT',
    message: LIMIT,
  },

  // generateAccessToken: the account and project in the path
  {
    name: 'the account percent-encoded (%40): Google decodes the segment',
    method: 'POST',
    path: GENERATE.replace('@', '%40'),
    headers: bearer,
    body: () => SCOPE,
    status: 200,
    shape: 'google',
  },
  {
    name: 'the project `-` percent-encoded (%2D)',
    method: 'POST',
    path: GENERATE.replace('/-/', '/%2D/'),
    headers: bearer,
    body: () => SCOPE,
    status: 200,
    shape: 'google',
  },
  {
    name: 'the account encoded twice (%2540): not the account',
    method: 'POST',
    path: GENERATE.replace('@', '%2540'),
    headers: bearer,
    body: () => SCOPE,
    status: 403,
    shape: 'google',
    code: 'PERMISSION_DENIED',
  },
  {
    name: 'broken percent-encoding in the account',
    method: 'POST',
    path: '/v1/projects/-/serviceAccounts/%E0%A4%A@x:generateAccessToken',
    headers: bearer,
    body: () => SCOPE,
    status: 403,
    shape: 'google',
    code: 'PERMISSION_DENIED',
  },
  {
    name: 'an encoded slash, NUL and newline in the account',
    method: 'POST',
    path: '/v1/projects/-/serviceAccounts/a%2Fb%00c%0Ad@x:generateAccessToken',
    headers: bearer,
    body: () => SCOPE,
    status: 403,
    shape: 'google',
    code: 'PERMISSION_DENIED',
    reason: /no service account a\/b.c.d@x/,
  },
  {
    name: 'the account in upper case',
    method: 'POST',
    path: GENERATE.replace('deployer', 'DEPLOYER'),
    headers: bearer,
    body: () => SCOPE,
    status: 403,
    shape: 'google',
    code: 'PERMISSION_DENIED',
  },
  {
    name: 'a project id instead of `-`',
    method: 'POST',
    path: GENERATE.replace('/-/', '/demo-project/'),
    headers: bearer,
    body: () => SCOPE,
    status: 400,
    shape: 'google',
    code: 'INVALID_ARGUMENT',
  },

  // Odd paths under Google's prefixes
  {
    name: 'no account before :generateAccessToken',
    method: 'POST',
    path: '/v1/projects/-/serviceAccounts/:generateAccessToken',
    headers: bearer,
    body: () => SCOPE,
    status: 404,
    shape: 'google',
    code: 'NOT_FOUND',
    message: /^The requested URL \/v1\/projects\/-\/serviceAccounts\/:generateAccessToken was not found on this server\.$/,
  },
  {
    name: 'another method of IAM Credentials (signJwt)',
    method: 'POST',
    path: `/v1/projects/-/serviceAccounts/${SA}:signJwt`,
    headers: bearer,
    body: () => SCOPE,
    status: 404,
    shape: 'google',
    code: 'NOT_FOUND',
  },
  {
    name: 'an account path with a slash in it',
    method: 'POST',
    path: `/v1/projects/-/serviceAccounts/a/b:generateAccessToken`,
    headers: bearer,
    body: () => SCOPE,
    status: 404,
    shape: 'google',
    code: 'NOT_FOUND',
  },
  {
    name: '/v1/token/ with a trailing slash',
    method: 'POST',
    path: '/v1/token/',
    body: () => exchangeForm(),
    status: 404,
    shape: 'google',
    code: 'NOT_FOUND',
  },
  {
    name: '/v1/token/../token',
    method: 'POST',
    path: '/v1/token/%2E%2E/token',
    body: () => exchangeForm(),
    status: 404,
    shape: 'google',
    code: 'NOT_FOUND',
  },
  {
    name: 'a path of 8000 characters under /v1/projects/',
    method: 'POST',
    path: `/v1/projects/${big(8000)}`,
    status: 404,
    shape: 'google',
    code: 'NOT_FOUND',
  },
  { name: 'tokeninfo with no token', path: '/oauth2/v3/tokeninfo', status: 400, shape: 'oauth', code: 'invalid_token' },
  {
    name: 'tokeninfo with broken percent-encoding',
    path: '/_emulator/gcp/tokeninfo?access_token=%ZZ%',
    status: 400,
    shape: 'oauth',
    code: 'invalid_token',
  },
];

/** The request exactly as the row writes it (node:http sends the path as given; fetch would normalise it). */
function send(row: Row): Promise<{ status: number; headers: Headers; text: string }> {
  const raw = row.body?.();
  const body = raw === undefined ? undefined : String(raw);
  const headers: Record<string, string | number> = { ...(row.headers?.() ?? {}) };
  if (raw instanceof URLSearchParams) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  const url = new URL(emu.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: row.method ?? 'GET', path: row.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: h, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

for (const row of ROWS) {
  test(`hostile input to Google's endpoints: ${row.name}`, async () => {
    const res = await send(row);
    const text = res.text;
    assert.equal(res.status, row.status, text.slice(0, 300));
    const reason = res.headers.get('x-sts-emulator-reason');
    if (reason !== null) assert.ok(!/[\r\n]/.test(reason), 'the reason is one line');
    if (row.reason !== undefined) assert.match(reason ?? '', row.reason);
    if (row.shape === 'empty') {
      assert.equal(text, '');
      return;
    }
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const json = JSON.parse(text) as Record<string, unknown>;
    if (res.status === 200) {
      assert.equal(typeof json['accessToken'], 'string');
      return;
    }
    if (row.shape === 'oauth') {
      assert.deepEqual(Object.keys(json).sort(), ['error', 'error_description']);
      assert.equal(json['error'], row.code);
      assert.equal(typeof json['error_description'], 'string');
      if (row.message !== undefined) assert.match(json['error_description'] as string, row.message);
    } else {
      const e = json['error'] as { code: unknown; message: unknown; status: unknown };
      assert.equal(e.code, res.status, 'code is the HTTP status');
      assert.equal(e.status, row.code);
      assert.equal(typeof e.message, 'string');
      if (row.message !== undefined) assert.match(e.message as string, row.message);
    }
  });
}

test('after all of it, a good exchange still succeeds', async () => {
  const r = await fetch(`${emu.endpoint}/v1/token`, { method: 'POST', body: exchangeForm() });
  assert.equal(r.status, 200);
  assert.equal(((await r.json()) as { token_type: string }).token_type, 'Bearer');
});
