/**
 * decideVault, pure, as tables: cap/jwt's clock rules (shared/reference/infisical-vault.md §2.4, cap v0.13.0 jwt.go:
 * clock_skew_leeway 60 s on exp, nbf and iat, 0 meaning the default and -1 disabling; expiration_leeway and
 * not_before_leeway only when the claim is absent; a claim of 0 counts as absent), the type-strict string mode and the
 * glob mode of bound_claims (§2.3, claims.go: json.Number of int(v), list elements left as float64, non-strings skipped
 * in glob mode), JSON-pointer keys, and the trace naming the field, the token's value, the pattern and the rule.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VaultBoundValue, VaultRole } from '../../src/config/index.js';
import { decideVault, type VaultDecision } from '../../src/vault/index.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const T = Math.floor(NOW.getTime() / 1000);

function role(over: Partial<VaultRole> = {}): VaultRole {
  return {
    name: 'r',
    roleType: 'jwt',
    boundAudiences: [],
    boundSubject: '',
    boundClaimsType: 'string',
    boundClaims: [],
    claimMappings: [],
    userClaim: 'sub',
    userClaimJsonPointer: false,
    groupsClaim: '',
    expirationLeeway: 150,
    notBeforeLeeway: 150,
    clockSkewLeeway: 60,
    tokenTtl: 0,
    tokenMaxTtl: 0,
    tokenExplicitMaxTtl: 0,
    tokenPeriod: 0,
    tokenPolicies: [],
    tokenNoDefaultPolicy: false,
    tokenBoundCidrs: [],
    tokenType: 'default',
    tokenNumUses: 0,
    file: 'roles/r.json',
    base: '',
    ...over,
  };
}

const mount = { boundIssuer: '', supportedAlgs: [] };
const decide = (claims: Record<string, unknown>, r: Partial<VaultRole> = {}): VaultDecision =>
  decideVault({ mount, role: role(r), claims: { sub: 'u', ...claims }, now: NOW });
const messageOf = (d: VaultDecision): string => (d.decision === 'deny' ? d.message : 'allow');

const V = 'error validating token: ';
const EXPIRED = `${V}invalid expiration time (exp) claim: token is expired`;
const NOT_YET = `${V}invalid not before (nbf) claim: token not yet valid`;
const FUTURE = `${V}invalid issued at (iat) claim: token issued in the future`;
const NO_TIMES = `${V}no issued at (iat), not before (nbf), or expiration time (exp) claims in token`;

/** [name, claims, role fields, Vault's message or 'allow']. */
const TIMES: readonly [string, Record<string, unknown>, Partial<VaultRole>, string][] = [
  ['exp 60 s past: inside the default skew', { iat: T - 100, exp: T - 60 }, {}, 'allow'],
  ['exp 61 s past: expired', { iat: T - 100, exp: T - 61 }, {}, EXPIRED],
  ['clock_skew_leeway 0 means 60', { iat: T - 100, exp: T - 60 }, { clockSkewLeeway: 0 }, 'allow'],
  ['clock_skew_leeway -1 disables: exp 1 s past is expired', { iat: T - 100, exp: T - 1 }, { clockSkewLeeway: -1 }, EXPIRED],
  ['clock_skew_leeway 300: exp 299 s past passes', { iat: T - 400, exp: T - 299 }, { clockSkewLeeway: 300 }, 'allow'],
  ['nbf 60 s ahead passes', { iat: T, nbf: T + 60, exp: T + 600 }, {}, 'allow'],
  ['nbf 61 s ahead: not yet valid', { iat: T, nbf: T + 61, exp: T + 600 }, {}, NOT_YET],
  ['iat 61 s ahead with no nbf: nbf = iat, so not yet valid first', { iat: T + 61, exp: T + 600 }, {}, NOT_YET],
  ['iat 61 s ahead with nbf now: issued in the future', { iat: T + 61, nbf: T, exp: T + 600 }, {}, FUTURE],
  ['no exp: exp = iat + 150 (iat 210 s ago passes with the skew)', { iat: T - 210 }, {}, 'allow'],
  ['no exp: exp = iat + 150 (iat 211 s ago is expired)', { iat: T - 211 }, {}, EXPIRED],
  ['no exp: exp = max(iat, nbf) + 150', { iat: T - 1000, nbf: T - 210 }, {}, 'allow'],
  ['no exp, expiration_leeway 0 means 150', { iat: T - 210 }, { expirationLeeway: 0 }, 'allow'],
  ['no exp, expiration_leeway -1: exp = iat', { iat: T - 61 }, { expirationLeeway: -1 }, EXPIRED],
  ['no exp, expiration_leeway 1000', { iat: T - 1000 }, { expirationLeeway: 1000 }, 'allow'],
  ['exp given: expiration_leeway is not used', { iat: T - 1000, exp: T - 61 }, { expirationLeeway: 100000 }, EXPIRED],
  ['only exp: nbf = exp - 150 (exp 211 s ahead: nbf 61 s ahead)', { exp: T + 211 }, {}, NOT_YET],
  ['only exp: nbf = exp - 150 (exp 210 s ahead passes)', { exp: T + 210 }, {}, 'allow'],
  ['only exp, not_before_leeway -1: nbf = exp', { exp: T + 61 }, { notBeforeLeeway: -1 }, NOT_YET],
  ['only exp, not_before_leeway 1000', { exp: T + 900 }, { notBeforeLeeway: 1000 }, 'allow'],
  ['no time claim at all', {}, {}, NO_TIMES],
  ['claims of 0 count as absent', { iat: 0, nbf: 0, exp: 0 }, {}, NO_TIMES],
  ['fractional seconds are truncated (exp T-59.1 is T-60)', { iat: T - 100, exp: T - 59.1 }, {}, 'allow'],
  ['fractional seconds are truncated (exp T-60.5 is T-61)', { iat: T - 100, exp: T - 60.5 }, {}, EXPIRED],
  [
    'a string exp is a decoding error',
    { iat: T, exp: String(T + 10) },
    {},
    `${V}go-jose/go-jose/jwt: expected number value to unmarshal NumericDate`,
  ],
];

for (const [name, claims, r, expected] of TIMES) {
  test(`times: ${name}`, () => assert.equal(messageOf(decide(claims, r)), expected));
}

const valid = { iat: T, exp: T + 600 };
const s = (value: string): VaultBoundValue => ({ type: 'string', value });
const b = (value: boolean): VaultBoundValue => ({ type: 'bool', value });
const n = (value: string): VaultBoundValue => ({ type: 'number', value });
const NO_MATCH = (k: string): string => `error validating claims: claim "${k}" does not match any associated bound claim values`;

/** [name, claim value(s), bound values, mode, allow?]. */
const MATCHING: readonly [string, Record<string, unknown>, readonly VaultBoundValue[], 'string' | 'glob', string, boolean][] = [
  ['string equals string', { c: 'main' }, [s('main')], 'string', 'c', true],
  ['string mode has no wildcard', { c: 'main' }, [s('ma*')], 'string', 'c', false],
  ['"true" (string) is not true (bool)', { c: true }, [s('true')], 'string', 'c', false],
  ['true is true', { c: true }, [b(true)], 'string', 'c', true],
  ['"123" (string) is not 123 (number)', { c: 123 }, [s('123')], 'string', 'c', false],
  ['123 is 123 (json.Number)', { c: 123 }, [n('123')], 'string', 'c', true],
  ['1.9 becomes json.Number "1"', { c: 1.9 }, [n('1')], 'string', 'c', true],
  ['-1.9 becomes json.Number "-1"', { c: -1.9 }, [n('-1')], 'string', 'c', true],
  ['a number in a list stays float64: never equal', { c: [123] }, [n('123')], 'string', 'c', false],
  ['a list matches any of its entries', { c: ['a', 'b'] }, [s('x'), s('b')], 'string', 'c', true],
  ['glob: * crosses /', { c: 'refs/heads/feature/x' }, [s('refs/heads/*')], 'glob', 'c', true],
  ['glob: ? is literal', { c: 'refs' }, [s('ref?')], 'glob', 'c', false],
  ['glob: a bool claim is skipped, not stringified', { c: true }, [s('true')], 'glob', 'c', false],
  ['glob: a number claim is skipped', { c: 5 }, [s('*')], 'glob', 'c', false],
  ['glob: strings of a mixed list still match', { c: [5, 'main'] }, [s('ma*')], 'glob', 'c', true],
  [
    'literal key with dots and slashes',
    { 'oidc.circleci.com/vcs-ref': 'refs/heads/main' },
    [s('refs/heads/main')],
    'string',
    'oidc.circleci.com/vcs-ref',
    true,
  ],
  ['JSON Pointer into an object, ~1 for /', { o: { 'a/b': 'v' } }, [s('v')], 'string', '/o/a~1b', true],
  ['JSON Pointer ~0 for ~', { o: { 'a~b': 'v' } }, [s('v')], 'string', '/o/a~0b', true],
  ['JSON Pointer into a list', { o: ['x', 'v'] }, [s('v')], 'string', '/o/1', true],
  ['JSON Pointer number: json.Number', { o: { n: 7 } }, [n('7')], 'string', '/o/n', true],
];

for (const [name, claims, values, mode, key, allow] of MATCHING) {
  test(`bound_claims ${mode} mode: ${name}`, () => {
    const d = decide({ ...valid, ...claims }, { boundClaimsType: mode, boundClaims: [{ claim: key, values }] });
    assert.equal(messageOf(d), allow ? 'allow' : NO_MATCH(key));
    const step = d.trace.find((t) => t.field === `bound_claims[${JSON.stringify(key)}]`);
    assert.ok(step, 'the trace has the bound claim');
    assert.equal(step.ok, allow);
    assert.equal(step.rule, mode === 'glob' ? 'globMode' : 'stringMode');
  });
}

test('a JSON Pointer that does not resolve is a missing claim', () => {
  const d = decide(valid, { boundClaims: [{ claim: '/o/x', values: [s('v')] }] });
  assert.equal(messageOf(d), 'error validating claims: claim "/o/x" is missing');
});

test('bound_subject is exact: a * in it is not a wildcard, and the reason says so', () => {
  const d = decide({ ...valid, sub: 'org/O/project/P' }, { boundSubject: 'org/O/project/*' });
  assert.equal(messageOf(d), `${V}invalid subject (sub) claim`);
  assert.ok(d.decision === 'deny' && d.reason.includes('not a wildcard'));
});

test('the trace of an allow: each bound field with the token value, the pattern and the rule', () => {
  const d = decideVault({
    mount: { boundIssuer: 'https://i', supportedAlgs: [] },
    role: role({ boundAudiences: ['a'], boundClaimsType: 'glob', boundClaims: [{ claim: 'ref', values: [s('refs/heads/*')] }] }),
    claims: { ...valid, iss: 'https://i', sub: 'u', aud: 'a', ref: 'refs/heads/main' },
    alg: 'RS256',
    now: NOW,
  });
  assert.equal(d.decision, 'allow');
  assert.deepEqual(
    d.trace.map((t) => [t.field, t.rule, t.ok]),
    [
      ['jwt_supported_algs', 'algorithm', true],
      ['bound_issuer', 'exact', true],
      ['bound_subject', 'skipped', true],
      ['bound_audiences', 'exactAnyOf', true],
      ['clock_skew_leeway', 'times', true],
      ['user_claim', 'userClaim', true],
      ['bound_claims["ref"]', 'globMode', true],
    ],
  );
  const last = d.trace.at(-1);
  assert.equal(last?.actual, '"refs/heads/main"');
  assert.equal(last?.expected, '"refs/heads/*"');
  assert.equal(last?.matched, '"refs/heads/main" ~ "refs/heads/*"');
});
