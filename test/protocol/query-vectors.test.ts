/**
 * The awsQuery wire, over HTTP against the app (sts.md §1.2, §2, §3; jwt-attacks.md §5): content types,
 * GET, parameter order, encodings, lists, duplicates, Action/Version, bodies that are too large, compressed,
 * not form-encoded or not UTF-8, characters XML cannot carry, token length limits and RoleArn shapes.
 * Every response is checked as STS XML (helpers.stsXml); messages are verbatim from sts.md where it gives them.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import type { Response } from 'supertest';
import { loadOrCreateSigningKey } from '../../src/identity/emulated.js';
import { presetClaims } from '../../src/identity/provider-kinds.js';
import { MESSAGES } from '../../src/protocol/errors.js';
import { buildApp, circleToken, CIRCLE_ISSUER, CIRCLE_KEY_FILE, form, roleArn, webIdentityParams } from '../helpers/harness.js';
import { expectAssumed, expectError, postForm, raw, stsXml } from '../server/helpers.js';

const T = new Date('2026-03-01T10:00:00Z');
const { app } = await buildApp({ clock: () => T });
const token = await circleToken({ branch: 'main' }, {}, T);
const P = webIdentityParams(token, 'deploy-main', 'proto-session');
const enc = encodeURIComponent;
/** Form text from pairs, in the given order, values percent-encoded (names as given). */
const pairs = (list: readonly (readonly [string, string])[]): string => list.map(([k, v]) => `${k}=${enc(v)}`).join('&');
const ARN_PATTERN = '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+';
const SESSION_PATTERN = '[\\w+=,.@-]*';
const sessionPatternError = (v: string): string =>
  `1 validation error detected: Value '${v}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${SESSION_PATTERN}`;
const NOT_AUTHORIZED = 'Not authorized to perform sts:AssumeRoleWithWebIdentity';

type Expect =
  { readonly ok: true; readonly session?: string } | { readonly status: number; readonly code: string; readonly message?: string | RegExp };

interface Vector {
  readonly name: string;
  readonly send: () => Promise<Response>;
  readonly expect: Expect;
}

const OK: Expect = { ok: true };
const post =
  (body: string | Buffer, contentType?: string): (() => Promise<Response>) =>
  () =>
    postForm(app, body, contentType);
const arns = (n: number): Record<string, string> => {
  const out: Record<string, string> = {};
  for (let i = 1; i <= n; i++) out[`PolicyArns.member.${i}.arn`] = `arn:aws:iam::123456789012:policy/session-${i}`;
  return out;
};
const entries = Object.entries(P) as [string, string][];

const vectors: readonly Vector[] = [
  // ---- content type and method (sts.md §1.2: botocore sends charset, JS v3 does not) ----
  {
    name: 'POST form with ; charset=utf-8 (botocore, CLI)',
    send: post(form(P), 'application/x-www-form-urlencoded; charset=utf-8'),
    expect: OK,
  },
  { name: 'POST form without charset (JS v3)', send: post(form(P), 'application/x-www-form-urlencoded'), expect: OK },
  {
    name: 'POST form, content type in other case and no space',
    send: post(form(P), 'Application/X-WWW-Form-URLEncoded;Charset=UTF-8'),
    expect: OK,
  },
  { name: 'POST with no Content-Type is read as a form', send: () => raw(app, { body: form(P) }), expect: OK },
  { name: 'GET with the parameters in the query string', send: () => raw(app, { method: 'GET', path: '/?' + form(P) }), expect: OK },
  {
    name: 'POST with the parameters in the query string and no body',
    send: () => raw(app, { method: 'POST', path: '/?' + form(P) }),
    expect: OK,
  },
  {
    name: 'parameters split between query string and body',
    send: () =>
      raw(app, {
        path: '/?Action=AssumeRoleWithWebIdentity&Version=2011-06-15',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: pairs(entries.filter(([k]) => k !== 'Action' && k !== 'Version')),
      }),
    expect: OK,
  },

  // ---- parameter order does not matter ----
  { name: 'members before Action and Version (reversed)', send: post(pairs([...entries].reverse())), expect: OK },
  {
    name: 'Version last, Action in the middle',
    send: post(pairs([entries[2], entries[3], entries[0], entries[4], entries[1]] as [string, string][])),
    expect: OK,
  },

  // ---- encodings of values ----
  {
    name: "'+' as %2B is a plus (allowed in session names)",
    send: post(form({ ...P, RoleSessionName: 'a+b' })),
    expect: { ok: true, session: 'a+b' },
  },
  {
    name: "a raw '+' decodes to a space",
    send: post(pairs([...entries.filter(([k]) => k !== 'RoleSessionName')]) + '&RoleSessionName=a+b'),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('a b') },
  },
  {
    name: '%20 decodes to a space',
    send: post(pairs([...entries.filter(([k]) => k !== 'RoleSessionName')]) + '&RoleSessionName=a%20b'),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('a b') },
  },
  {
    name: 'percent-encoded names decode too (%52oleSessionName)',
    send: post(pairs([...entries.filter(([k]) => k !== 'RoleSessionName')]) + '&%52oleSessionName=enc-name'),
    expect: { ok: true, session: 'enc-name' },
  },
  {
    name: 'lower-case hex escapes (%3a, %2f) in RoleArn',
    send: post(pairs(entries.filter(([k]) => k !== 'RoleArn')) + '&RoleArn=arn%3aaws%3aiam%3a%3a123456789012%3arole%2fdeploy-main'),
    expect: OK,
  },
  {
    name: 'invalid percent-encoding is kept literally (%ZZ)',
    send: post(form(P).replace('RoleSessionName=proto-session', 'RoleSessionName=ab%ZZ')),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('ab%ZZ') },
  },
  {
    name: 'a truncated escape (%4) is kept literally',
    send: post(form(P).replace('RoleSessionName=proto-session', 'RoleSessionName=ab%4')),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('ab%4') },
  },
  {
    name: 'an escape of invalid UTF-8 (%FF) becomes U+FFFD',
    send: post(form(P).replace('RoleSessionName=proto-session', 'RoleSessionName=ab%FF')),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('ab\uFFFD') },
  },
  {
    name: 'an escaped lone surrogate (%ED%A0%80, CESU) becomes U+FFFD x3',
    send: post(form(P).replace('RoleSessionName=proto-session', 'RoleSessionName=ab%ED%A0%80')),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('ab\uFFFD\uFFFD\uFFFD') },
  },
  {
    name: 'raw invalid UTF-8 bytes in the body become U+FFFD',
    send: post(
      Buffer.concat([
        Buffer.from(pairs(entries.filter(([k]) => k !== 'RoleSessionName')) + '&RoleSessionName=ab'),
        Buffer.from([0xff, 0xfe, 0x80]),
      ]),
    ),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('ab\uFFFD\uFFFD\uFFFD') },
  },
  {
    name: 'a NUL byte (%00) in a value: refused, shown as U+FFFD (XML cannot carry NUL)',
    send: post(form({ ...P, RoleSessionName: 'a\u0000b' })),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('a\uFFFDb') },
  },
  {
    name: 'control characters \\x01 \\x1f in a value are shown as U+FFFD',
    send: post(form({ ...P, RoleSessionName: 'a\u0001\u001fb' })),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('a\uFFFD\uFFFDb') },
  },
  {
    name: 'CR, LF and TAB in a value survive the XML round trip',
    send: post(form({ ...P, RoleSessionName: 'a\r\n\tb' })),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('a\r\n\tb') },
  },
  {
    name: 'DEL and C1 controls are shown as they are',
    send: post(form({ ...P, RoleSessionName: 'a\u007f\u0085b' })),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('a\u007f\u0085b') },
  },
  {
    name: 'markup in a reflected value is escaped',
    send: post(form({ ...P, RoleSessionName: '</Message></Error><Error><Code>AccessDenied' })),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('</Message></Error><Error><Code>AccessDenied') },
  },
  {
    name: 'entities in a reflected value are escaped, not expanded',
    send: post(form({ ...P, RoleSessionName: '&amp;&lt;&#0;"\'' })),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('&amp;&lt;&#0;"\'') },
  },
  {
    name: 'astral characters are kept',
    send: post(form({ ...P, RoleSessionName: 'ab\u{1F600}' })),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('ab\u{1F600}') },
  },

  // ---- lists: PolicyArns.member.N.arn (sts.md §1.2) ----
  { name: 'empty list PolicyArns= (botocore serialises empty lists)', send: post(form({ ...P, PolicyArns: '' })), expect: OK },
  { name: 'PolicyArns.member.1..10.arn accepted', send: post(form({ ...P, ...arns(10) })), expect: OK },
  {
    name: 'PolicyArns members in any order',
    send: post(
      form({ ...arns(3), ...P }).replace(
        /PolicyArns\.member\.1\.arn=[^&]*&(PolicyArns\.member\.2\.arn=[^&]*)/,
        '$1&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fx1',
      ),
    ),
    expect: OK,
  },
  {
    name: '11 PolicyArns: ValidationError',
    send: post(form({ ...P, ...arns(11) })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message:
        /^1 validation error detected: Value '\[arn:aws:iam::123456789012:policy\/session-1, .*session-11\]' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10$/,
    },
  },
  {
    name: 'a gap in the member numbers (only member.2)',
    send: post(form({ ...P, 'PolicyArns.member.2.arn': 'arn:aws:iam::123456789012:policy/p2' })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message:
        "1 validation error detected: Value null at 'policyArns' failed to satisfy constraint: Member must be a list of PolicyDescriptorType with an arn member",
    },
  },
  {
    name: 'member.0 is not a list index',
    send: post(form({ ...P, 'PolicyArns.member.0.arn': 'arn:aws:iam::123456789012:policy/p0' })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message:
        "1 validation error detected: Value null at 'policyArns' failed to satisfy constraint: Member must be a list of PolicyDescriptorType with an arn member",
    },
  },
  {
    name: 'a too-short policy ARN',
    send: post(form({ ...P, 'PolicyArns.member.1.arn': 'arn:short' })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message:
        "1 validation error detected: Value 'arn:short' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    },
  },

  // ---- duplicates, unknown parameters (jwt-attacks.md H3, H4) ----
  {
    name: 'a parameter twice in the body',
    send: post(form(P) + '&RoleArn=' + enc(roleArn('deploy-main'))),
    expect: { status: 400, code: 'ValidationError', message: "Request contains the parameter 'RoleArn' more than once" },
  },
  {
    name: 'Action twice with different values',
    send: post(form(P) + '&Action=GetCallerIdentity'),
    expect: { status: 400, code: 'ValidationError', message: "Request contains the parameter 'Action' more than once" },
  },
  {
    name: 'Action in the query and in the body',
    send: () =>
      raw(app, { path: '/?Action=GetCallerIdentity', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(P) }),
    expect: { status: 400, code: 'ValidationError', message: "Request contains the parameter 'Action' more than once" },
  },
  {
    name: 'unknown parameters are ignored',
    send: post(form({ ...P, Foo: 'bar', 'RoleArn[x]': '1', __proto__x: 'y', constructor: 'z' })),
    expect: OK,
  },
  { name: 'a parameter named __proto__ is just a name', send: post(form(P) + '&__proto__=x'), expect: OK },
  { name: 'a pair without = is an empty parameter', send: post(form(P) + '&Flag'), expect: OK },
  { name: 'empty pairs (&&) are skipped', send: post('&&' + form(P).replace(/&/g, '&&') + '&&'), expect: OK },

  // ---- Action and Version ----
  {
    name: 'Version other than 2011-06-15',
    send: post(form({ ...P, Version: '2012-01-01' })),
    expect: { status: 400, code: 'InvalidAction', message: 'Could not find operation AssumeRoleWithWebIdentity for version 2012-01-01' },
  },
  {
    name: 'Version empty',
    send: post(form({ ...P, Version: '' })),
    expect: { status: 400, code: 'InvalidAction', message: 'Could not find operation AssumeRoleWithWebIdentity for version ' },
  },
  {
    name: 'Version missing',
    send: post(pairs(entries.filter(([k]) => k !== 'Version'))),
    expect: { status: 400, code: 'MissingParameter', message: 'The request must contain the parameter Version' },
  },
  {
    name: 'Action missing',
    send: post(pairs(entries.filter(([k]) => k !== 'Action'))),
    expect: { status: 400, code: 'MissingAction', message: 'Missing Action' },
  },
  {
    name: 'Action empty',
    send: post(form({ ...P, Action: '' })),
    expect: { status: 400, code: 'MissingAction', message: 'Missing Action' },
  },
  {
    name: 'Action missing and Version missing: MissingAction first',
    send: post('RoleArn=x'),
    expect: { status: 400, code: 'MissingAction', message: 'Missing Action' },
  },
  {
    name: 'Action unknown',
    send: post(form({ ...P, Action: 'DeleteRole' })),
    expect: { status: 400, code: 'InvalidAction', message: 'Could not find operation DeleteRole for version 2011-06-15' },
  },
  {
    name: 'Action in lower case',
    send: post(form({ ...P, Action: 'assumerolewithwebidentity' })),
    expect: { status: 400, code: 'InvalidAction', message: 'Could not find operation assumerolewithwebidentity for version 2011-06-15' },
  },
  {
    name: 'Action with trailing space',
    send: post(form({ ...P, Action: 'AssumeRoleWithWebIdentity ' })),
    expect: { status: 400, code: 'InvalidAction', message: 'Could not find operation AssumeRoleWithWebIdentity  for version 2011-06-15' },
  },
  {
    name: 'Action unknown and Version wrong',
    send: post(form({ Action: 'Nope', Version: '1' })),
    expect: { status: 400, code: 'InvalidAction', message: 'Could not find operation Nope for version 1' },
  },
  { name: 'an empty body', send: post(''), expect: { status: 400, code: 'MissingAction', message: 'Missing Action' } },

  // ---- bodies that are not a form ----
  {
    name: 'JSON body (application/json) is not read: MissingAction',
    send: post(JSON.stringify(P), 'application/json'),
    expect: { status: 400, code: 'MissingAction', message: 'Missing Action' },
  },
  {
    name: 'awsJson1_0 request (X-Amz-Target) is not read: MissingAction',
    send: () =>
      raw(app, {
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'AWSSecurityTokenServiceV20110615.AssumeRoleWithWebIdentity',
        },
        body: JSON.stringify(P),
      }),
    expect: { status: 400, code: 'MissingAction', message: 'Missing Action' },
  },
  {
    name: 'text/plain body with form text is not read',
    send: post(form(P), 'text/plain'),
    expect: { status: 400, code: 'MissingAction', message: 'Missing Action' },
  },
  {
    name: 'multipart/form-data is not read',
    send: post(
      '--b\r\nContent-Disposition: form-data; name="Action"\r\n\r\nAssumeRoleWithWebIdentity\r\n--b--\r\n',
      'multipart/form-data; boundary=b',
    ),
    expect: { status: 400, code: 'MissingAction', message: 'Missing Action' },
  },
  {
    name: 'a form content type with charset=utf-16 is still read as UTF-8',
    send: post(form(P), 'application/x-www-form-urlencoded; charset=utf-16'),
    expect: OK,
  },

  // ---- size and encoding of the body (jwt-attacks.md H5) ----
  {
    name: 'a 200 KB body: 413 RequestEntityTooLarge',
    send: post(form(P) + '&Padding=' + 'p'.repeat(200 * 1024)),
    expect: { status: 413, code: 'RequestEntityTooLarge', message: 'Request body exceeds the limit of 131072 bytes' },
  },
  {
    name: 'a 200 KB JSON body: 413 too (the limit applies to any body)',
    send: post('"' + 'j'.repeat(200 * 1024) + '"', 'application/json'),
    expect: { status: 413, code: 'RequestEntityTooLarge' },
  },
  {
    name: 'a body of exactly 131072 bytes is read',
    send: () => {
      const b = form(P) + '&Padding=';
      return postForm(app, b + 'p'.repeat(131072 - b.length));
    },
    expect: OK,
  },
  {
    name: 'a body of 131073 bytes is too large',
    send: () => {
      const b = form(P) + '&Padding=';
      return postForm(app, b + 'p'.repeat(131073 - b.length));
    },
    expect: { status: 413, code: 'RequestEntityTooLarge' },
  },
  {
    name: 'Content-Encoding: gzip is refused',
    send: () =>
      raw(app, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' }, body: gzipSync(form(P)) }),
    expect: { status: 400, code: 'ValidationError', message: 'Could not read the request' },
  },
  {
    name: 'Content-Encoding: identity is read',
    send: () =>
      raw(app, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'identity' }, body: form(P) }),
    expect: OK,
  },
  {
    name: 'Content-Encoding: br (unknown to the server) is refused',
    send: () => raw(app, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'br' }, body: form(P) }),
    expect: { status: 400, code: 'ValidationError', message: 'Could not read the request' },
  },
  {
    name: 'more than 200 distinct parameters',
    send: post(form(P) + Array.from({ length: 200 }, (_, i) => `&X${i}=1`).join('')),
    expect: { status: 400, code: 'ValidationError', message: 'Request has more than 200 parameters' },
  },

  // ---- token length (sts.md §3: 4..20000, sensitive) ----
  {
    name: 'a 20,001-character token: ValidationError with the value redacted',
    send: post(form({ ...P, WebIdentityToken: 'x'.repeat(20001) })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message:
        "1 validation error detected: Value '*** Sensitive Data Redacted ***' at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000",
    },
  },
  {
    name: 'a 3-character token: ValidationError with the value redacted',
    send: post(form({ ...P, WebIdentityToken: 'abc' })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message:
        "1 validation error detected: Value '*** Sensitive Data Redacted ***' at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
    },
  },
  {
    name: 'a 20,000-character non-JWT passes the length check (then InvalidIdentityToken)',
    send: post(form({ ...P, WebIdentityToken: 'x'.repeat(20000) })),
    expect: { status: 400, code: 'InvalidIdentityToken', message: MESSAGES.invalidIdentityToken },
  },
  {
    name: 'an empty token: length error, not null',
    send: post(form({ ...P, WebIdentityToken: '' })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message:
        "1 validation error detected: Value '*** Sensitive Data Redacted ***' at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
    },
  },

  // ---- RoleArn (sts.md §2 "Request ARN is invalid"; unknown role = AccessDenied) ----
  ...[
    'arn:aws:iam::123456789012:user/deploy-main',
    'arn:aws:iam::12345678901:role/deploy-main',
    'arn:aws:sts::123456789012:role/deploy-main',
    'arn:aws:iam:us-east-1:123456789012:role/deploy-main',
    'arn:aws:iam::123456789012:role',
    'this is not an arn at all',
    'arn:aws:iam::123456789012:rolex/deploy-main',
    'arn:aws-xx:iam::123456789012:role/deploy-main',
  ].map((arn): Vector => ({
    name: `RoleArn ${arn}: Request ARN is invalid`,
    send: post(form({ ...P, RoleArn: arn })),
    expect: { status: 400, code: 'ValidationError', message: 'Request ARN is invalid' },
  })),
  {
    name: 'RoleArn of 19 characters: the model length check, not the ARN check',
    send: post(form({ ...P, RoleArn: 'arn:aws:iam::1:role' })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message:
        "1 validation error detected: Value 'arn:aws:iam::1:role' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    },
  },
  {
    name: 'RoleArn with a control character: the model pattern',
    send: post(form({ ...P, RoleArn: 'arn:aws:iam::123456789012:role/\u0001deploy' })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message: `1 validation error detected: Value 'arn:aws:iam::123456789012:role/\uFFFDdeploy' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ARN_PATTERN}`,
    },
  },
  {
    name: 'RoleArn in another account: AccessDenied',
    send: post(form({ ...P, RoleArn: 'arn:aws:iam::210987654321:role/deploy-main' })),
    expect: { status: 403, code: 'AccessDenied', message: NOT_AUTHORIZED },
  },
  {
    name: 'RoleArn in another partition (aws-cn): AccessDenied',
    send: post(form({ ...P, RoleArn: 'arn:aws-cn:iam::123456789012:role/deploy-main' })),
    expect: { status: 403, code: 'AccessDenied', message: NOT_AUTHORIZED },
  },
  {
    name: 'unknown role: AccessDenied',
    send: post(form({ ...P, RoleArn: roleArn('no-such-role') })),
    expect: { status: 403, code: 'AccessDenied', message: NOT_AUTHORIZED },
  },
  {
    name: 'role name in the wrong case: unknown role',
    send: post(form({ ...P, RoleArn: roleArn('Deploy-Main') })),
    expect: { status: 403, code: 'AccessDenied', message: NOT_AUTHORIZED },
  },
  {
    name: 'a path that the role does not have: unknown role',
    send: post(form({ ...P, RoleArn: roleArn('ci/deploy-main') })),
    expect: { status: 403, code: 'AccessDenied', message: NOT_AUTHORIZED },
  },

  // ---- DurationSeconds ----
  ...['900', '3600', '7200', '+3600', '0003600'].map((d): Vector => ({
    name: `DurationSeconds '${d}' accepted`,
    send: post(form({ ...P, DurationSeconds: d })),
    expect: OK,
  })),
  // White space makes the value a non-integer, as AWS reads it (issue 14, item 13; ' 3600 ' was accepted before).
  ...['1e3', '0x384', '3600.0', '', 'abc', '３６００', '99999999999999999999', ' 3600 ', ' 900', '900 '].map((d): Vector => ({
    name: `DurationSeconds '${d}' is not a whole number`,
    send: post(form({ ...P, DurationSeconds: d })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message: `1 validation error detected: Value '${d}' at 'durationSeconds' failed to satisfy constraint: Member must be a whole number`,
    },
  })),
  {
    name: "DurationSeconds '-1'",
    send: post(form({ ...P, DurationSeconds: '-1' })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message:
        "1 validation error detected: Value '-1' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    },
  },
  {
    name: 'DurationSeconds above MaxSessionDuration (7200) but within 43200',
    send: post(form({ ...P, DurationSeconds: '43200' })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    },
  },

  // ---- RoleSessionName ----
  {
    name: 'RoleSessionName of 2 and of 64 characters',
    send: post(form({ ...P, RoleSessionName: 'ab' })),
    expect: { ok: true, session: 'ab' },
  },
  {
    name: 'RoleSessionName of 64 characters',
    send: post(form({ ...P, RoleSessionName: 'n'.repeat(64) })),
    expect: { ok: true, session: 'n'.repeat(64) },
  },
  {
    name: 'RoleSessionName with every allowed punctuation',
    send: post(form({ ...P, RoleSessionName: 'a_b+c=d,e.f@g-h' })),
    expect: { ok: true, session: 'a_b+c=d,e.f@g-h' },
  },
  {
    name: 'RoleSessionName of 1 character',
    send: post(form({ ...P, RoleSessionName: 'a' })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message:
        "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    },
  },
  {
    name: 'RoleSessionName empty: length only (the pattern allows empty)',
    send: post(form({ ...P, RoleSessionName: '' })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message:
        "1 validation error detected: Value '' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    },
  },
  {
    name: 'RoleSessionName of 65 characters with a bad character: both constraints, pattern first',
    send: post(form({ ...P, RoleSessionName: '/' + 'n'.repeat(64) })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message: `2 validation errors detected: Value '/${'n'.repeat(64)}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${SESSION_PATTERN}; Value '/${'n'.repeat(64)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    },
  },
  {
    name: 'RoleSessionName with a non-ASCII letter (\\w is ASCII only)',
    send: post(form({ ...P, RoleSessionName: 'zoë' })),
    expect: { status: 400, code: 'ValidationError', message: sessionPatternError('zoë') },
  },

  // ---- Policy parameter ----
  {
    name: 'Policy over 2048 characters',
    send: post(form({ ...P, Policy: ' '.repeat(2049) })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message: `1 validation error detected: Value '${' '.repeat(2049)}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048`,
    },
  },
  {
    name: 'Policy with a character above U+00FF',
    send: post(form({ ...P, Policy: '{"x":"€"}' })),
    expect: {
      status: 400,
      code: 'ValidationError',
      message: `1 validation error detected: Value '{"x":"€"}' at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+`,
    },
  },
  {
    name: 'Policy that is not JSON',
    send: post(form({ ...P, Policy: 'not json' })),
    expect: { status: 400, code: 'MalformedPolicyDocument', message: 'Syntax errors in policy.' },
  },

  // ---- ProviderId (OAuth 2.0 only) ----
  {
    name: 'ProviderId with an OIDC token',
    send: post(form({ ...P, ProviderId: 'www.amazon.com' })),
    expect: { status: 400, code: 'InvalidIdentityToken', message: 'No OpenIDConnect provider found in your account for www.amazon.com' },
  },
];

test('vector names are unique', () => {
  assert.equal(new Set(vectors.map((v) => v.name)).size, vectors.length);
});

for (const v of vectors) {
  test(`wire: ${v.name}`, async () => {
    const res = await v.send();
    if ('ok' in v.expect) {
      const result = await expectAssumed(res);
      const session = v.expect.session ?? 'proto-session';
      assert.equal(
        (result['AssumedRoleUser'] as Record<string, string>)['Arn'],
        `arn:aws:sts::123456789012:assumed-role/deploy-main/${session}`,
      );
    } else {
      await expectError(res, v.expect.status, v.expect.code, v.expect.message);
    }
  });
}

// ---- vectors that need more than one request ----

/** A valid CircleCI token of exactly `length` characters (padding claim plus a header member to reach any length). */
async function tokenOfLength(length: number): Promise<string> {
  const key = await loadOrCreateSigningKey(CIRCLE_KEY_FILE);
  const claims = presetClaims('circleci', CIRCLE_ISSUER, { branch: 'main' }, { now: T, ttlSeconds: 3600 });
  const sign = (pad: number, headerPad: number): Promise<string> =>
    new SignJWT({ ...claims, pad: 'p'.repeat(pad) })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...(headerPad > 0 ? { x: 'h'.repeat(headerPad) } : {}) })
      .sign(key.privateKey);
  const base = (await sign(0, 0)).length;
  const estimate = Math.floor(((length - base) * 3) / 4);
  for (let headerPad = 0; headerPad < 4; headerPad++) {
    for (let pad = estimate - 6; pad <= estimate + 6; pad++) {
      const t = await sign(pad, headerPad);
      if (t.length === length) return t;
    }
  }
  throw new Error(`could not build a token of ${length} characters`);
}

test('a valid signed token of exactly 20,000 characters is accepted', async () => {
  const t = await tokenOfLength(20000);
  assert.equal(t.length, 20000);
  await expectAssumed(await postForm(app, form({ ...P, WebIdentityToken: t })));
});

test('a valid signed token of 20,001 characters is refused before verification, and never echoed', async () => {
  const t = await tokenOfLength(20001);
  const res = await postForm(app, form({ ...P, WebIdentityToken: t }));
  await expectError(res, 400, 'ValidationError', /Sensitive Data Redacted.*less than or equal to 20000$/);
  assert.ok(!res.text.includes(t.slice(0, 40)));
});

test('token length is counted in code points: 10,001 astral characters (20,002 UTF-16 units) pass the length check', async () => {
  const res = await postForm(app, form({ ...P, WebIdentityToken: '\u{1F600}'.repeat(10001) }));
  await expectError(res, 400, 'InvalidIdentityToken');
  const res2 = await postForm(app, form({ ...P, WebIdentityToken: 'é'.repeat(20001) }));
  await expectError(res2, 400, 'ValidationError', /less than or equal to 20000$/);
});

test('an unknown role and a trust-policy denial get byte-identical bodies (no role enumeration)', async () => {
  const fixed = await buildApp({ clock: () => T, requestId: () => 'fixed-request-id' });
  const denied = await postForm(fixed.app, form({ ...P, WebIdentityToken: await circleToken({ branch: 'dev' }, {}, T) }));
  const unknown = await postForm(fixed.app, form({ ...P, RoleArn: roleArn('no-such-role') }));
  const otherAccount = await postForm(fixed.app, form({ ...P, RoleArn: 'arn:aws:iam::210987654321:role/deploy-main' }));
  await expectError(denied, 403, 'AccessDenied', NOT_AUTHORIZED);
  assert.equal(unknown.text, denied.text);
  assert.equal(otherAccount.text, denied.text);
  assert.equal(unknown.status, denied.status);
});

test('an unknown role with a bad token answers for the token: role existence is not revealed first', async () => {
  await expectError(
    await postForm(app, form({ ...P, RoleArn: roleArn('no-such-role'), WebIdentityToken: 'not-a-jwt' })),
    400,
    'InvalidIdentityToken',
  );
  const expired = await circleToken({ branch: 'main' }, {}, new Date(T.getTime() - 7200_000));
  await expectError(
    await postForm(app, form({ ...P, RoleArn: roleArn('no-such-role'), WebIdentityToken: expired })),
    400,
    'ExpiredTokenException',
  );
});

test('validation comes before everything else: a bad session name with a bad token is a ValidationError', async () => {
  await expectError(
    await postForm(app, form({ ...P, RoleSessionName: 'a b', WebIdentityToken: 'not-a-jwt' })),
    400,
    'ValidationError',
    sessionPatternError('a b'),
  );
});

test('parameters in every rotation of their order give the same answer', async () => {
  for (let r = 0; r < entries.length; r++) {
    const rotated = [...entries.slice(r), ...entries.slice(0, r)];
    await expectAssumed(await postForm(app, pairs(rotated)));
  }
});

test('GET and POST answer alike for the same parameters (apart from credentials and request id)', async () => {
  const strip = (s: string): string => s.replace(/<Credentials>.*<\/Credentials>/s, '').replace(/<RequestId>[^<]*<\/RequestId>/, '');
  const viaGet = await raw(app, { method: 'GET', path: '/?' + form(P) });
  const viaPost = await postForm(app, form(P));
  assert.equal(strip(viaGet.text), strip(viaPost.text));
  const badGet = await raw(app, { method: 'GET', path: '/?' + form({ ...P, RoleSessionName: 'a b' }) });
  await expectError(badGet, 400, 'ValidationError', sessionPatternError('a b'));
});

test('a GET for GetCallerIdentity without a signature is MissingAuthenticationToken', async () => {
  const res = await raw(app, { method: 'GET', path: '/?Action=GetCallerIdentity&Version=2011-06-15' });
  await expectError(res, 403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
});

test('every response carries its own request id', async () => {
  const ids = new Set<string>();
  for (let i = 0; i < 5; i++) ids.add((await stsXml(await postForm(app, form({ ...P, RoleSessionName: 'x' })))).requestId);
  assert.equal(ids.size, 5);
});
