/**
 * Parameter validation of AssumeRoleWithWebIdentity and AssumeRole (src/sts/params.ts), pure: a parameter
 * map in, typed parameters or AWS's ValidationError text out (sts.md §2, §3). Failures come in the model's
 * member order: roleArn, roleSessionName, webIdentityToken, providerId, policyArns, policy, durationSeconds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StsError } from '../../src/protocol/errors.js';
import { REDACTED } from '../../src/protocol/validation.js';
import { readAssumeRoleParams, readWebIdentityParams, type WebIdentityParams } from '../../src/sts/params.js';

const ARN = 'arn:aws:iam::123456789012:role/deploy-main';
const BASE = { RoleArn: ARN, RoleSessionName: 'sess', WebIdentityToken: 'a.b.c' };
const ARN_PATTERN = '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+';
const at = (v: string | null, field: string, constraint: string): string =>
  `Value ${v === null ? 'null' : `'${v}'`} at '${field}' failed to satisfy constraint: Member must ${constraint}`;
const errors = (...parts: string[]): string =>
  `${parts.length} validation error${parts.length === 1 ? '' : 's'} detected: ${parts.join('; ')}`;

interface Vector {
  readonly name: string;
  readonly params: Record<string, string>;
  readonly expect: Partial<WebIdentityParams> | { readonly error: string };
}

const vectors: readonly Vector[] = [
  {
    name: 'minimal',
    params: BASE,
    expect: {
      roleArn: ARN,
      roleSessionName: 'sess',
      webIdentityToken: 'a.b.c',
      policy: undefined,
      policyArns: [],
      durationSeconds: undefined,
      providerId: undefined,
    },
  },
  {
    name: 'all members',
    params: {
      ...BASE,
      ProviderId: 'www.amazon.com',
      'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      Policy: '{}',
      DurationSeconds: '900',
    },
    expect: { providerId: 'www.amazon.com', policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'], policy: '{}', durationSeconds: 900 },
  },
  {
    name: 'the token is never echoed (too long)',
    params: { ...BASE, WebIdentityToken: 'x'.repeat(20001) },
    expect: { error: errors(at(REDACTED, 'webIdentityToken', 'have length less than or equal to 20000')) },
  },
  {
    name: 'the token is never echoed (too short)',
    params: { ...BASE, WebIdentityToken: 'xyz' },
    expect: { error: errors(at(REDACTED, 'webIdentityToken', 'have length greater than or equal to 4')) },
  },
  {
    name: 'a token of any characters is only length-checked',
    params: { ...BASE, WebIdentityToken: '\u0000\u0001 <>' },
    expect: { webIdentityToken: '\u0000\u0001 <>' },
  },
  {
    name: 'every member wrong: failures in model order',
    params: {
      RoleArn: 'short',
      RoleSessionName: 'a b',
      ProviderId: 'x',
      'PolicyArns.member.1.arn': 'arn:x',
      Policy: '',
      DurationSeconds: '1',
    },
    expect: {
      error: errors(
        at('short', 'roleArn', 'have length greater than or equal to 20'),
        at('a b', 'roleSessionName', 'satisfy regular expression pattern: [\\w+=,.@-]*'),
        at(null, 'webIdentityToken', 'not be null'),
        at('x', 'providerId', 'have length greater than or equal to 4'),
        at('arn:x', 'policyArns.1.member.arn', 'have length greater than or equal to 20'),
        at('', 'policy', 'satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+'),
        at('', 'policy', 'have length greater than or equal to 1'),
        at('1', 'durationSeconds', 'have value greater than or equal to 900'),
      ),
    },
  },
  {
    name: 'RoleArn of 2049 characters',
    params: { ...BASE, RoleArn: 'a'.repeat(2049) },
    expect: { error: errors(at('a'.repeat(2049), 'roleArn', 'have length less than or equal to 2048')) },
  },
  {
    name: 'RoleArn of 2048 characters passes the model check (ARN shape is checked later)',
    params: { ...BASE, RoleArn: 'a'.repeat(2048) },
    expect: { roleArn: 'a'.repeat(2048) },
  },
  {
    name: 'RoleArn with a NUL',
    params: { ...BASE, RoleArn: `${ARN}\u0000` },
    expect: { error: errors(at(`${ARN}\u0000`, 'roleArn', `satisfy regular expression pattern: ${ARN_PATTERN}`)) },
  },
  {
    name: 'RoleArn with tab, LF, CR, U+0085, astral passes the model pattern',
    params: { ...BASE, RoleArn: `${ARN}\t\n\r\u0085\u{1F600}` },
    expect: { roleArn: `${ARN}\t\n\r\u0085\u{1F600}` },
  },
  {
    name: 'RoleArn with U+FFFE',
    params: { ...BASE, RoleArn: `${ARN}\uFFFE` },
    expect: { error: errors(at(`${ARN}\uFFFE`, 'roleArn', `satisfy regular expression pattern: ${ARN_PATTERN}`)) },
  },
  {
    name: 'session name length counts code points',
    params: { ...BASE, RoleSessionName: 'a'.repeat(64) },
    expect: { roleSessionName: 'a'.repeat(64) },
  },
  { name: 'policy of 2048 characters', params: { ...BASE, Policy: 'p'.repeat(2048) }, expect: { policy: 'p'.repeat(2048) } },
  { name: 'policy with Latin-1 characters passes the pattern', params: { ...BASE, Policy: '{"é":"ÿ"}' }, expect: { policy: '{"é":"ÿ"}' } },
  { name: 'empty list PolicyArns=', params: { ...BASE, PolicyArns: '' }, expect: { policyArns: [] } },
  {
    name: '11 policy ARNs (after the per-member checks pass)',
    params: {
      ...BASE,
      ...Object.fromEntries(
        Array.from({ length: 11 }, (_, i) => [`PolicyArns.member.${i + 1}.arn`, `arn:aws:iam::123456789012:policy/p${i + 1}`]),
      ),
    },
    expect: {
      error: errors(
        at(
          `[${Array.from({ length: 11 }, (_, i) => `arn:aws:iam::123456789012:policy/p${i + 1}`).join(', ')}]`,
          'policyArns',
          'have length less than or equal to 10',
        ),
      ),
    },
  },
  { name: 'DurationSeconds 43200', params: { ...BASE, DurationSeconds: '43200' }, expect: { durationSeconds: 43200 } },
  { name: 'DurationSeconds with a sign', params: { ...BASE, DurationSeconds: '+1000' }, expect: { durationSeconds: 1000 } },
  // AWS refuses a value that is not an integer; white space around the digits makes it one (issue 14, item 13).
  {
    name: 'DurationSeconds with a leading space',
    params: { ...BASE, DurationSeconds: ' 900' },
    expect: { error: errors(at(' 900', 'durationSeconds', 'be a whole number')) },
  },
  {
    name: 'DurationSeconds with a sign and spaces',
    params: { ...BASE, DurationSeconds: ' +1000 ' },
    expect: { error: errors(at(' +1000 ', 'durationSeconds', 'be a whole number')) },
  },
  {
    name: 'DurationSeconds with a trailing newline',
    params: { ...BASE, DurationSeconds: '900\n' },
    expect: { error: errors(at('900\n', 'durationSeconds', 'be a whole number')) },
  },
  {
    name: 'DurationSeconds 15 digits is a number (then too large)',
    params: { ...BASE, DurationSeconds: '999999999999999' },
    expect: { error: errors(at('999999999999999', 'durationSeconds', 'have value less than or equal to 43200')) },
  },
  {
    name: 'DurationSeconds 16 digits is not a whole number',
    params: { ...BASE, DurationSeconds: '9999999999999999' },
    expect: { error: errors(at('9999999999999999', 'durationSeconds', 'be a whole number')) },
  },
  {
    name: 'DurationSeconds -0',
    params: { ...BASE, DurationSeconds: '-0' },
    expect: { error: errors(at('0', 'durationSeconds', 'have value greater than or equal to 900')) },
  },
];

for (const v of vectors) {
  test(`readWebIdentityParams: ${v.name}`, () => {
    const params = new Map(Object.entries(v.params));
    if ('error' in v.expect) {
      const message = v.expect.error;
      assert.throws(
        () => readWebIdentityParams(params),
        (e: unknown) => {
          assert.ok(e instanceof StsError);
          assert.equal(e.code, 'ValidationError');
          assert.equal(e.message, message);
          return true;
        },
      );
    } else {
      const p = readWebIdentityParams(params) as unknown as Record<string, unknown>;
      for (const [k, want] of Object.entries(v.expect)) assert.deepEqual(p[k], want, k);
    }
  });
}

const assumeRole: readonly { name: string; params: Record<string, string>; error?: string }[] = [
  { name: 'minimal (no token needed)', params: { RoleArn: ARN, RoleSessionName: 'sess' } },
  { name: 'ExternalId with / and :', params: { RoleArn: ARN, RoleSessionName: 'sess', ExternalId: 'a/b:c' } },
  {
    name: 'ExternalId of 1 character',
    params: { RoleArn: ARN, RoleSessionName: 'sess', ExternalId: 'a' },
    error: errors(at('a', 'externalId', 'have length greater than or equal to 2')),
  },
  {
    name: 'TokenCode of 5 characters',
    params: { RoleArn: ARN, RoleSessionName: 'sess', TokenCode: '12345' },
    error: errors(at('12345', 'tokenCode', 'have length greater than or equal to 6')),
  },
  {
    name: 'SourceIdentity with a space',
    params: { RoleArn: ARN, RoleSessionName: 'sess', SourceIdentity: 'a b' },
    error: errors(at('a b', 'sourceIdentity', 'satisfy regular expression pattern: [\\w+=,.@-]*')),
  },
  { name: 'members missing', params: {}, error: errors(at(null, 'roleArn', 'not be null'), at(null, 'roleSessionName', 'not be null')) },
];
for (const v of assumeRole) {
  test(`readAssumeRoleParams: ${v.name}`, () => {
    const params = new Map(Object.entries(v.params));
    if (v.error === undefined) assert.equal(readAssumeRoleParams(params).roleArn, ARN);
    else
      assert.throws(
        () => readAssumeRoleParams(params),
        (e: unknown) => e instanceof StsError && e.message === v.error,
      );
  });
}
