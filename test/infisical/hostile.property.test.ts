/**
 * Hostile input on Infisical's paths (fast-check): any method, content type and body, any bearer, any query, answer
 * with a status Infisical uses and its body {reqId, statusCode, message, error} (or a success body), never the
 * emulator's own 500. The one 500 Infisical itself gives (its matcher on a verified token without `sub`) needs a
 * token signed by the issuer, which random input never is, so any 500 here would be a bug.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { startEmulator, type Emulator } from '../../src/index.js';

let emu: Emulator;
before(async () => {
  emu = await startEmulator({ port: 0 });
});
after(async () => {
  await emu.stop();
});

const PATHS = [
  '/api/v1/auth/oidc-auth/login',
  '/api/v1/auth/token/renew',
  '/api/v1/auth/token/revoke',
  '/api/v3/secrets/raw',
  '/api/v4/secrets',
];
const STATUSES = new Set([200, 400, 401, 403, 404, 413, 422]);

const value = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string()),
);
const jwtish = fc.oneof(
  fc.string(),
  fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map(([a, b, c]) => `${a}.${b}.${c}`.replace(/=/g, '')),
  fc.constant('eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vcGUifQ.eyJzdWIiOiJ4In0.c2ln'),
  fc.constant('ist.AAAA'),
);

test('hostile requests on the Infisical paths answer in Infisical shape, never with a 500', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        path: fc.constantFrom(...PATHS),
        method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        type: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', ''),
        fields: fc.dictionary(fc.constantFrom('identityId', 'jwt', 'accessToken', 'organizationSlug', 'x'), fc.oneof(value, jwtish)),
        raw: fc.option(fc.string(), { nil: undefined }),
        bearer: fc.option(jwtish, { nil: undefined }),
        query: fc.dictionary(fc.constantFrom('workspaceId', 'projectId', 'environment', 'secretPath'), fc.string()),
      }),
      async (r) => {
        const withBody = r.method !== 'GET';
        const body = !withBody
          ? undefined
          : r.raw !== undefined
            ? r.raw
            : r.type === 'application/x-www-form-urlencoded'
              ? new URLSearchParams(
                  Object.entries(r.fields).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
                ).toString()
              : JSON.stringify(r.fields);
        const headers: Record<string, string> = {};
        if (r.type !== '') headers['content-type'] = r.type;
        if (r.bearer !== undefined) headers['authorization'] = `Bearer ${r.bearer.replace(/[\r\n]/g, '')}`;
        const res = await fetch(`${emu.endpoint}${r.path}?${new URLSearchParams(r.query).toString()}`, {
          method: r.method,
          headers,
          ...(body === undefined ? {} : { body }),
        });
        const text = await res.text();
        assert.ok(STATUSES.has(res.status), `${res.status} ${text}`);
        const parsed = JSON.parse(text) as Record<string, unknown>;
        if (res.status !== 200) {
          assert.deepEqual(Object.keys(parsed), ['reqId', 'statusCode', 'message', 'error'], text);
          assert.equal(parsed['statusCode'], res.status);
        }
      },
    ),
    { numRuns: 150 },
  );
});
