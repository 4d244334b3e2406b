/**
 * Infisical's matching as vectors (shared/reference/infisical-vault.md §1.4 and §3.2): the Infisical column of the
 * picomatch / go-glob / minimatch table (every row, with the equality shortcut), boolean and number coercion, arrays
 * any-of, the inputs Infisical's matcher throws on, the dot-path lookup and the falsy claims, and the decision's
 * order and trace (subject 403 first, then audiences, claims, metadata).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InfisicalIdentity } from '../../src/config/index.js';
import { decideInfisical, matchValue, valueByDot } from '../../src/infisical/index.js';

// pattern, subject, Infisical's answer (the reference's table, column "Infisical (picomatch + equality)").
const TABLE: readonly (readonly [string, string, boolean])[] = [
  ['org/*/project/*', 'org/O/project/P/user/U', false],
  ['refs/heads/*', 'refs/heads/feature/x', false],
  ['org/O**', 'org/O/project/P', false],
  ['*', 'a/b', false],
  ['*', '.hidden', false],
  ['a/*', 'a/', false],
  ['a/*/b', 'a//b', true],
  ['a/**/b', 'a/b', true],
  ['ref?', 'refs', true],
  ['[abc]', 'a', true],
  ['{main,dev}', 'main', true],
  ['@(main|dev)', 'main', true],
  ['!evil', 'anything', true],
  ['a\\*b', 'a*b', true],
  ['#x', '#x', true],
  ['[!a]', 'b', false],
  ['!(evil)', 'evil', false],
  ['./a', 'a', true],
  ['a//b', 'a/b', false],
  ['a/../b', 'b', false],
  ['a\\b', 'a\\b', true],
  ['a[/]b', 'a/b', true],
  // more of the same rules
  ['org/*/project/*/user/*', 'org/O/project/P/user/U', true],
  ['refs/heads/**', 'refs/heads/feature/x', true],
  ['!org/evil/*', 'org/good/x', true],
  ['!org/evil/*', 'org/evil/x', false],
];

for (const [pattern, subject, expected] of TABLE) {
  test(`picomatch + equality: '${pattern}' vs '${subject}' is ${expected}`, () => {
    assert.equal(matchValue(subject, pattern).matched, expected);
  });
}

test("'*' vs the empty string: picomatch says false (the reference's row), and Infisical never matches an empty value", () => {
  assert.equal(matchValue('', '*').matched, false);
});

test('equality comes first: a pattern that picomatch would not match matches itself', () => {
  const m = matchValue('[!a]', '[!a]');
  assert.deepEqual(m, { matched: true, rule: 'equal' });
});

const TYPED: readonly { name: string; value: unknown; pattern: string; matched: boolean; rule: string; audience?: boolean }[] = [
  { name: 'true matches "true"', value: true, pattern: 'true', matched: true, rule: 'boolean' },
  { name: 'false matches anything but "true"', value: false, pattern: 'no', matched: true, rule: 'boolean' },
  { name: 'true does not match "True"', value: true, pattern: 'True', matched: false, rule: 'boolean' },
  { name: '12 matches "12abc" (parseInt)', value: 12, pattern: '12abc', matched: true, rule: 'number' },
  { name: '1000 does not match "1e3" (parseInt gives 1)', value: 1000, pattern: '1e3', matched: false, rule: 'number' },
  { name: '1 matches "1e3"', value: 1, pattern: '1e3', matched: true, rule: 'number' },
  { name: 'an array matches when any element does', value: ['x', 'team-blue'], pattern: 'team-*', matched: true, rule: 'glob' },
  { name: 'an array with no match', value: ['x', 'y'], pattern: 'z*', matched: false, rule: 'glob' },
  { name: 'an array element that is not a string throws', value: [1, 'a'], pattern: 'a', matched: false, rule: 'throws' },
  { name: 'an equal element before it does not', value: ['a', 1], pattern: 'a', matched: true, rule: 'equal' },
  { name: 'a missing value throws', value: undefined, pattern: 'x', matched: false, rule: 'throws' },
  { name: 'an object throws', value: { a: 1 }, pattern: 'x', matched: false, rule: 'throws' },
  { name: 'audiences have no number branch: a number throws', value: 5, pattern: '5', matched: false, rule: 'throws', audience: true },
];
for (const c of TYPED) {
  test(`typed claims: ${c.name}`, () => {
    const m = matchValue(c.value, c.pattern, c.audience === true);
    assert.equal(m.matched, c.matched);
    assert.equal(m.rule, c.rule);
  });
}

const CLAIMS = {
  sub: 'org/acme/project/p1/user/u1',
  'oidc.circleci.com/project-id': 'p1',
  nested: { team: 'blue', flag: false, zero: 0, empty: '', list: ['a', 'b'], mixed: ['a', 1], obj: { x: 1 } },
};
const LOOKUPS: readonly [string, unknown][] = [
  ['sub', 'org/acme/project/p1/user/u1'],
  ['nested.team', 'blue'],
  ['nested.list', ['a', 'b']],
  ['nested.mixed', undefined],
  ['nested.obj', undefined],
  ['nested.flag', false],
  ['oidc.circleci.com/project-id', undefined],
  ['nested.toString', undefined],
  ['constructor', undefined],
];
for (const [key, expected] of LOOKUPS) {
  test(`dot-path lookup: ${key}`, () => assert.deepEqual(valueByDot(CLAIMS, key), expected));
}

function identity(over: Partial<InfisicalIdentity> = {}): InfisicalIdentity {
  return {
    identityId: 'id-1',
    oidcDiscoveryUrl: 'https://issuer.example',
    boundIssuer: 'https://issuer.example',
    boundAudiences: '',
    audiences: [],
    boundClaims: {},
    claimPatterns: {},
    boundSubject: '',
    claimMetadataMapping: {},
    accessTokenTTL: 60,
    accessTokenMaxTTL: 120,
    accessTokenNumUsesLimit: 0,
    accessTokenTrustedIps: [],
    keys: { kind: 'discovery' },
    file: 'infisical/identities/x.json',
    path: '',
    ...over,
  };
}
const claimsOf = (patterns: Record<string, string>): Partial<InfisicalIdentity> => ({
  boundClaims: patterns,
  claimPatterns: Object.fromEntries(Object.entries(patterns).map(([k, v]) => [k, v.split(', ')])),
});

const DECISIONS: readonly {
  name: string;
  identity: Partial<InfisicalIdentity>;
  claims: Record<string, unknown>;
  status?: number;
  message?: string;
  decidedBy?: string;
}[] = [
  { name: 'nothing bound: allowed', identity: {}, claims: { sub: 'x' } },
  {
    name: 'subject refused with 403',
    identity: { boundSubject: 'repo/*/main' },
    claims: { sub: 'repo/a/dev' },
    status: 403,
    message: 'Access denied: OIDC subject not allowed.',
    decidedBy: 'boundSubject',
  },
  {
    name: 'the subject is checked before the audience',
    identity: { boundSubject: 'repo/*/main', boundAudiences: 'a', audiences: ['a'] },
    claims: { sub: 'repo/a/dev', aud: 'b' },
    status: 403,
    decidedBy: 'boundSubject',
  },
  {
    name: 'a boundSubject is one pattern: its commas are not a list',
    identity: { boundSubject: 'a, b' },
    claims: { sub: 'b' },
    status: 403,
  },
  {
    name: 'audience: any entry of the comma list',
    identity: { boundAudiences: 'x, y*', audiences: ['x', 'y*'] },
    claims: { aud: ['z', 'yes'] },
  },
  {
    name: 'audience refused with 401',
    identity: { boundAudiences: 'x', audiences: ['x'] },
    claims: { aud: 'y' },
    status: 401,
    message: 'Access denied: OIDC audience not allowed.',
    decidedBy: 'boundAudiences',
  },
  {
    name: 'a missing audience makes Infisical throw: 500',
    identity: { boundAudiences: 'x', audiences: ['x'] },
    claims: {},
    status: 500,
    message: 'Something went wrong',
  },
  {
    name: 'a missing subject makes Infisical throw: 500',
    identity: { boundSubject: 'x' },
    claims: {},
    status: 500,
  },
  {
    name: "CircleCI's dotted claim key never matches: token has no field",
    identity: claimsOf({ 'oidc.circleci.com/project-id': 'p1' }),
    claims: { 'oidc.circleci.com/project-id': 'p1' },
    status: 401,
    message: 'Access denied: token has no oidc.circleci.com/project-id field',
  },
  {
    name: 'a false claim is missing',
    identity: claimsOf({ flag: 'false' }),
    claims: { flag: false },
    status: 401,
    message: 'Access denied: token has no flag field',
  },
  { name: 'a true claim against "true"', identity: claimsOf({ flag: 'true' }), claims: { flag: true } },
  {
    name: 'a 0 claim is missing',
    identity: claimsOf({ n: '0' }),
    claims: { n: 0 },
    status: 401,
    message: 'Access denied: token has no n field',
  },
  {
    name: 'an empty string claim is missing',
    identity: claimsOf({ s: '*' }),
    claims: { s: '' },
    status: 401,
    message: 'Access denied: token has no s field',
  },
  {
    name: 'a claim refused',
    identity: claimsOf({ team: 'blue, green' }),
    claims: { team: 'red' },
    status: 401,
    message: 'Access denied: OIDC claim not allowed.',
    decidedBy: 'boundClaims.team',
  },
  { name: 'a claim list matches any entry', identity: claimsOf({ team: 'blue, green' }), claims: { team: 'green' } },
  { name: 'a nested claim by its dotted path', identity: claimsOf({ 'ctx.team': 'b*' }), claims: { ctx: { team: 'blue' } } },
  {
    name: 'claims are checked in their order: the first refusal answers',
    identity: claimsOf({ a: 'x', b: 'y' }),
    claims: { b: 'y' },
    status: 401,
    message: 'Access denied: token has no a field',
    decidedBy: 'boundClaims.a',
  },
  {
    name: 'a mapped metadata claim must be present',
    identity: { claimMetadataMapping: { env: 'environment' } },
    claims: {},
    status: 401,
    message: 'Access denied: token has no environment field',
    decidedBy: 'claimMetadataMapping.env',
  },
];
for (const c of DECISIONS) {
  test(`decision: ${c.name}`, () => {
    const d = decideInfisical(identity(c.identity), c.claims);
    if (c.status === undefined) {
      assert.equal(d.decision, 'allow', d.error?.reason);
      return;
    }
    assert.equal(d.error?.status, c.status);
    if (c.message !== undefined) assert.equal(d.error?.body('r').message, c.message);
    if (c.decidedBy !== undefined) assert.equal(d.decidedBy, c.decidedBy);
  });
}

test('the trace shows every bound field: the value, the patterns, the outcome and the rule that decided', () => {
  const d = decideInfisical(
    identity({
      boundSubject: 'repo/*/main',
      boundAudiences: 'aud-1',
      audiences: ['aud-1'],
      ...claimsOf({ team: 'b*' }),
      claimMetadataMapping: { t: 'team' },
    }),
    { sub: 'repo/a/main', aud: 'aud-1', team: 'blue' },
  );
  assert.equal(d.decision, 'allow');
  assert.deepEqual(d.metadata, { t: 'blue' });
  assert.deepEqual(
    d.trace.map((t) => [t.field, t.value, t.patterns, t.outcome, t.rule]),
    [
      ['boundSubject', 'repo/a/main', ['repo/*/main'], 'matched', 'glob'],
      ['boundAudiences', 'aud-1', ['aud-1'], 'matched', 'equal'],
      ['boundClaims.team', 'blue', ['b*'], 'matched', 'glob'],
      ['claimMetadataMapping.t', 'blue', [], 'present', undefined],
    ],
  );
});

test('a refusal still traces the later fields', () => {
  const d = decideInfisical(identity({ boundSubject: 'x', boundAudiences: 'a', audiences: ['a'] }), { sub: 'y', aud: 'b' });
  assert.equal(d.decidedBy, 'boundSubject');
  assert.deepEqual(
    d.trace.map((t) => t.outcome),
    ['not-matched', 'not-matched'],
  );
});

test('with now (claims not verified as a token): the clock and issuer checks come first, no leeway, exp optional', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const s = Math.floor(now.getTime() / 1000);
  const id = identity({ boundSubject: 'x' });
  const cases: [Record<string, unknown>, string | undefined][] = [
    [{ iss: 'https://issuer.example', sub: 'x', exp: s + 1 }, undefined],
    [{ iss: 'https://issuer.example', sub: 'x' }, undefined],
    [{ iss: 'https://issuer.example', sub: 'x', exp: s }, 'Access denied: jwt expired'],
    [{ iss: 'https://issuer.example', sub: 'x', nbf: s + 1 }, 'Access denied: jwt not active'],
    [{ iss: 'https://issuer.example/', sub: 'x' }, 'Access denied: jwt issuer invalid. expected: https://issuer.example'],
    [{ iss: 'https://issuer.example', sub: 'y', exp: s }, 'Access denied: jwt expired'],
  ];
  for (const [claims, message] of cases) {
    const d = decideInfisical(id, claims, now);
    assert.equal(d.error?.body('r').message, message, JSON.stringify(claims));
    assert.equal(d.trace[0]?.field, 'token');
  }
});
