/**
 * Golden files: the exact XML the SDKs parse, one file per response shape (test/golden/*.xml).
 * Fixed clock, request id and server key; the random parts of credentials are checked for their format
 * (ASIA + 16, 40-character secret, base64 session token) and replaced by {{AccessKeyId}}, {{SecretAccessKey}},
 * {{SessionToken}} before comparing. Status codes and codes/messages come from the table below (sts.md §2, §8),
 * never from the golden files; `UPDATE_GOLDEN=1` rewrites the files from the current output.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SignJWT } from 'jose';
import type { Response } from 'supertest';
import { MESSAGES } from '../../src/protocol/errors.js';
import { buildApp, circleToken, CIRCLE_ISSUER, CIRCLE_ORG, form, REPO_ROOT, roleArn, webIdentityParams } from '../helpers/harness.js';
import { makeKey } from '../helpers/identity-tokens.js';
import { credentialsOf, elementOrder, expectAssumed, postForm, raw, signedPost, stsXml } from '../server/helpers.js';

const GOLDEN_DIR = join(REPO_ROOT, 'test', 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

const T = new Date('2026-03-01T10:00:00Z');
const T_S = Math.floor(T.getTime() / 1000);
const REQUEST_ID = '4d6f1c2a-8e3b-4f5a-9c7d-0b1e2f3a4b5c';
const SERVER_KEY = new Uint8Array(32).fill(0x42);

const fixed = { clock: () => T, serverKey: SERVER_KEY, requestId: () => REQUEST_ID };
// The one server `serve` runs.
const { app, close } = await buildApp(fixed);
after(() => close());
type Target = Parameters<typeof postForm>[0];
const targets: readonly { name: string; target: Target }[] = [{ name: 'server', target: app }];
const mainToken = await circleToken({ branch: 'main' }, {}, T);
const P = webIdentityParams(mainToken, 'deploy-main', 'golden-session');
const post = (t: Target, params: Record<string, string>): Promise<Response> => postForm(t, form(params));

/** Credentials of a fresh session, for the signed calls. */
async function session(t: Target): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
  const c = credentialsOf(await expectAssumed(await post(t, P)));
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken ?? '' };
}

const strangerKey = (await makeKey('rsa')).privateKey;

interface GoldenCase {
  readonly name: string;
  readonly status: number;
  /** Error code and exact message (verbatim from sts.md where it gives one). Absent for successes. */
  readonly code?: string;
  readonly message?: string;
  /** Expected element order of the success result (sts.md §1.4, §1.5). */
  readonly order?: readonly string[];
  readonly run: (t: Target) => Promise<Response>;
}

const AWIWI_ORDER = [
  'AssumeRoleWithWebIdentityResponse', 'AssumeRoleWithWebIdentityResult',
  'Audience', 'AssumedRoleUser', 'AssumedRoleId', 'Arn', 'Provider',
  'Credentials', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration',
  'SubjectFromWebIdentityToken',
];
const META = ['ResponseMetadata', 'RequestId'];
const ERROR_ORDER = ['ErrorResponse', 'Error', 'Type', 'Code', 'Message', 'RequestId'];
const sessionPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::demo-bucket/*' }] });

const cases: readonly GoldenCase[] = [
  // ---- successes ----
  { name: 'success-assume-role-with-web-identity', status: 200, order: [...AWIWI_ORDER, ...META], run: (t) => post(t, P) },
  {
    name: 'success-assume-role-with-web-identity-policy',
    status: 200,
    order: [...AWIWI_ORDER, 'PackedPolicySize', ...META],
    run: (t) => post(t, { ...P, Policy: sessionPolicy }),
  },
  {
    name: 'success-get-caller-identity',
    status: 200,
    order: ['GetCallerIdentityResponse', 'GetCallerIdentityResult', 'Arn', 'UserId', 'Account', ...META],
    run: async (t) => signedPost(t, await session(t), 'Action=GetCallerIdentity&Version=2011-06-15', T),
  },

  // ---- AccessDenied ----
  {
    name: 'error-access-denied',
    status: 403, code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    run: async (t) => post(t, { ...P, WebIdentityToken: await circleToken({ branch: 'feature/x' }, {}, T) }),
  },

  // ---- InvalidIdentityToken ----
  {
    name: 'error-invalid-identity-token-no-provider',
    status: 400, code: 'InvalidIdentityToken', message: 'No OpenIDConnect provider found in your account for https://oidc.circleci.com/org/unregistered',
    run: async (t) => post(t, { ...P, WebIdentityToken: await circleToken({ branch: 'main' }, { iss: 'https://oidc.circleci.com/org/unregistered' }, T) }),
  },
  {
    name: 'error-invalid-identity-token-audience',
    status: 400, code: 'InvalidIdentityToken', message: 'Incorrect token audience',
    run: async (t) => post(t, { ...P, WebIdentityToken: await circleToken({ branch: 'main', aud: 'sts.amazonaws.com' }, {}, T) }),
  },
  {
    name: 'error-invalid-identity-token-missing-aud',
    status: 400, code: 'InvalidIdentityToken', message: 'Missing a required claim: aud',
    run: async (t) => post(t, { ...P, WebIdentityToken: await circleToken({ branch: 'main' }, { aud: undefined }, T) }),
  },
  {
    name: 'error-invalid-identity-token-key',
    status: 400, code: 'InvalidIdentityToken',
    message: "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
    run: async (t) => {
      const token = await new SignJWT({ iss: CIRCLE_ISSUER, sub: 'org/x/project/y/user/z', aud: CIRCLE_ORG, iat: T_S, exp: T_S + 600 })
        .setProtectedHeader({ alg: 'RS256', kid: 'not-in-the-jwks' })
        .sign(strangerKey);
      return post(t, { ...P, WebIdentityToken: token });
    },
  },
  {
    name: 'error-invalid-identity-token-malformed',
    status: 400, code: 'InvalidIdentityToken', message: MESSAGES.invalidIdentityToken,
    run: (t) => post(t, { ...P, WebIdentityToken: 'not-a-jwt' }),
  },

  // ---- ExpiredTokenException ----
  {
    name: 'error-expired-token',
    status: 400, code: 'ExpiredTokenException',
    message: `Token expired: current date/time ${T_S} must be before the expiration date/time ${T_S - 3600}`,
    run: async (t) => post(t, { ...P, WebIdentityToken: await circleToken({ branch: 'main' }, {}, new Date(T.getTime() - 7200_000)) }),
  },

  // ---- ValidationError ----
  {
    name: 'error-validation-session-name-pattern',
    status: 400, code: 'ValidationError',
    message: "1 validation error detected: Value 'dependabot[bot]' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    run: (t) => post(t, { ...P, RoleSessionName: 'dependabot[bot]' }),
  },
  {
    name: 'error-validation-session-name-length',
    status: 400, code: 'ValidationError',
    message: `1 validation error detected: Value '${'s'.repeat(65)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    run: (t) => post(t, { ...P, RoleSessionName: 's'.repeat(65) }),
  },
  {
    name: 'error-validation-multiple',
    status: 400, code: 'ValidationError',
    message:
      "2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
      '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+' +
      "; Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    run: (t) => post(t, { ...P, RoleArn: '' }),
  },
  {
    name: 'error-validation-missing-members',
    status: 400, code: 'ValidationError',
    message:
      "3 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; " +
      "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null; " +
      "Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null",
    run: (t) => post(t, { Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15' }),
  },
  {
    name: 'error-validation-duration-min',
    status: 400, code: 'ValidationError',
    message: "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    run: (t) => post(t, { ...P, DurationSeconds: '899' }),
  },
  {
    name: 'error-validation-duration-max',
    status: 400, code: 'ValidationError',
    message: "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
    run: (t) => post(t, { ...P, DurationSeconds: '43201' }),
  },
  {
    name: 'error-validation-max-session-duration',
    status: 400, code: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    run: (t) => post(t, { ...P, DurationSeconds: '7201' }), // deploy-main has MaxSessionDuration 7200
  },
  {
    name: 'error-validation-token-too-long',
    status: 400, code: 'ValidationError',
    message: "1 validation error detected: Value '*** Sensitive Data Redacted ***' at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000",
    run: (t) => post(t, { ...P, WebIdentityToken: 'e'.repeat(20001) }),
  },
  {
    name: 'error-validation-arn-invalid',
    status: 400, code: 'ValidationError', message: 'Request ARN is invalid',
    run: (t) => post(t, { ...P, RoleArn: 'arn:aws:iam::123456789012:user/deploy-main' }),
  },

  // ---- MalformedPolicyDocument ----
  {
    name: 'error-malformed-policy-document',
    status: 400, code: 'MalformedPolicyDocument', message: 'Syntax errors in policy.',
    run: (t) => post(t, { ...P, Policy: '{"Version":"2012-10-17","Statement":[' }),
  },

  // ---- protocol ----
  {
    name: 'error-missing-action',
    status: 400, code: 'MissingAction', message: 'Missing Action',
    run: (t) => post(t, { Version: '2011-06-15', RoleArn: roleArn('deploy-main') }),
  },
  {
    name: 'error-invalid-action',
    status: 400, code: 'InvalidAction', message: 'Could not find operation AssumeRoleWithSAML for version 2011-06-15',
    run: (t) => post(t, { Action: 'AssumeRoleWithSAML', Version: '2011-06-15' }),
  },
  {
    name: 'error-missing-parameter-version',
    status: 400, code: 'MissingParameter', message: 'The request must contain the parameter Version',
    run: (t) => post(t, { Action: 'AssumeRoleWithWebIdentity' }),
  },
  {
    name: 'error-request-entity-too-large',
    status: 413, code: 'RequestEntityTooLarge', message: 'Request body exceeds the limit of 131072 bytes',
    run: (t) => postForm(t, form({ ...P, Padding: 'p'.repeat(200 * 1024) })),
  },

  // ---- signed calls (GetCallerIdentity) ----
  {
    name: 'error-invalid-client-token-id',
    status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid',
    run: async (t) => {
      const s = await session(t);
      return signedPost(t, { ...s, accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' }, 'Action=GetCallerIdentity&Version=2011-06-15', T);
    },
  },
  {
    name: 'error-signature-does-not-match',
    status: 403, code: 'SignatureDoesNotMatch',
    message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    run: async (t) => signedPost(t, { ...(await session(t)), secretAccessKey: 'x'.repeat(40) }, 'Action=GetCallerIdentity&Version=2011-06-15', T),
  },
  {
    name: 'error-missing-authentication-token',
    status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token',
    run: (t) => raw(t, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' }),
  },
];

const ACCESS_KEY_ID = /^ASIA[A-Z0-9]{16}$/;
const SECRET = /^[A-Za-z0-9+/]{40}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Replaces the random credential values by placeholders after checking their format. */
function normalise(xml: string): string {
  return xml
    .replace(/<AccessKeyId>([^<]*)<\/AccessKeyId>/g, (_m, v: string) => {
      assert.match(v, ACCESS_KEY_ID);
      return '<AccessKeyId>{{AccessKeyId}}</AccessKeyId>';
    })
    .replace(/<SecretAccessKey>([^<]*)<\/SecretAccessKey>/g, (_m, v: string) => {
      assert.match(v, SECRET);
      return '<SecretAccessKey>{{SecretAccessKey}}</SecretAccessKey>';
    })
    .replace(/<SessionToken>([^<]*)<\/SessionToken>/g, (_m, v: string) => {
      assert.match(v, BASE64);
      assert.ok(Buffer.from(v, 'base64').length > 32);
      return '<SessionToken>{{SessionToken}}</SessionToken>';
    });
}

test('golden names are unique', () => {
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
});

for (const { name: where, target } of targets) {
  for (const c of cases) {
    test(`golden ${c.name} (${where})`, async () => {
      const res = await c.run(target);
      assert.equal(res.status, c.status, `${c.name}: ${res.text}`);
      const x = await stsXml(res); // Content-Type text/xml exactly, header RequestId == body RequestId, well-formed
      assert.equal(x.requestId, REQUEST_ID);
      const order = await elementOrder(res.text);
      if (c.code !== undefined) {
        assert.equal(x.error?.code, c.code);
        assert.equal(x.error?.message, c.message);
        assert.deepEqual(order, ERROR_ORDER);
      } else {
        assert.deepEqual(order, c.order);
      }
      const actual = normalise(res.text);
      const file = join(GOLDEN_DIR, `${c.name}.xml`);
      if (UPDATE && target === app) {
        await writeFile(file, actual);
        return;
      }
      let expected: string;
      try {
        expected = await readFile(file, 'utf8');
      } catch {
        assert.fail(`missing golden file ${file}: run with UPDATE_GOLDEN=1 to create it`);
      }
      assert.equal(actual, expected, `${c.name}: response differs from ${file} (UPDATE_GOLDEN=1 rewrites it)`);
    });
  }
}

test('the success golden echoes the fixed clock: Expiration = now + 3600 s, whole seconds, Z', async () => {
  const result = await expectAssumed(await post(app, P));
  assert.equal((result['Credentials'] as Record<string, string>)['Expiration'], '2026-03-01T11:00:00Z');
  assert.equal(result['SubjectFromWebIdentityToken'], `org/${CIRCLE_ORG}/project/2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5/user/5d8e2a4c-6f1b-4e9d-a3c7-b9d1f3e5a7c9/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main`);
  assert.equal(result['Provider'], `arn:aws:iam::123456789012:oidc-provider/oidc.circleci.com/org/${CIRCLE_ORG}`);
  assert.equal(result['Audience'], CIRCLE_ORG);
  const user = result['AssumedRoleUser'] as Record<string, string>;
  assert.equal(user['Arn'], 'arn:aws:sts::123456789012:assumed-role/deploy-main/golden-session');
  assert.match(user['AssumedRoleId'] ?? '', /^AROA[A-Z0-9]{17}:golden-session$/);
});
