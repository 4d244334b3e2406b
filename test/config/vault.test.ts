/**
 * vault/<mount>/config.json and vault/<mount>/roles/*.json through the loader: the shapes `vault read -format=json`
 * prints (whole answer or `data`) and the body of `vault write`, values as Vault's framework reads them (durations,
 * comma lists), the emulated issuer's keys for an oidc_discovery_url that is its Url, and every problem at once with
 * Vault's texts where Vault has them (path_role.go, path_config.go), each with its file and JSON path.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { configOf, problemsOf, show } from './helpers.js';

const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const ISSUER = `https://oidc.circleci.com/org/${ORG}`;
const EMULATED_AWS = { Url: ISSUER, ClientIDList: [ORG], Emulated: true };
const PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;

const base = (files: Record<string, unknown>): Record<string, unknown> => ({ 'providers/circleci.json': EMULATED_AWS, ...files });
const jwtRole = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  role_type: 'jwt',
  user_claim: 'sub',
  bound_audiences: ORG,
  ...fields,
});

test('vault read output (data), durations and comma lists read as Vault reads them; emulated keys by Url', () => {
  const config = configOf(
    base({
      'vault/jwt/config.json': {
        request_id: 'x',
        lease_id: '',
        lease_duration: 0,
        renewable: false,
        data: { oidc_discovery_url: ISSUER, bound_issuer: ISSUER, default_role: 'Dev' },
        warnings: null,
      },
      'vault/jwt/roles/Dev.json': {
        data: jwtRole({
          token_ttl: '1h30m',
          token_max_ttl: 7200,
          token_policies: 'Deploy, read,deploy',
          expiration_leeway: -1,
          bound_claims: { a: ['x', 1, true] },
        }),
      },
    }),
  );
  const [mount] = config.vault?.mounts ?? [];
  assert.ok(mount);
  assert.equal(mount.path, 'jwt');
  assert.equal(mount.keys.field, 'oidc_discovery_url');
  assert.equal('source' in mount.keys && mount.keys.source.kind, 'emulated');
  const role = mount.roles.get('dev');
  assert.ok(role, 'role names are lower-cased');
  assert.equal(role.tokenTtl, 5400);
  assert.equal(role.tokenMaxTtl, 7200);
  assert.deepEqual(role.tokenPolicies, ['deploy', 'read']);
  assert.deepEqual(role.boundAudiences, [ORG]);
  assert.equal(role.expirationLeeway, -1);
  assert.equal(role.clockSkewLeeway, 60);
  assert.deepEqual(role.boundClaims, [
    {
      claim: 'a',
      values: [
        { type: 'string', value: 'x' },
        { type: 'number', value: '1' },
        { type: 'bool', value: true },
      ],
    },
  ]);
});

test('oidc_discovery_url of another issuer is discovery; jwks_url; static PEM keys', () => {
  const config = configOf(
    base({
      'vault/a/config.json': { oidc_discovery_url: 'https://token.actions.githubusercontent.com' },
      'vault/a/roles/r.json': jwtRole(),
      'vault/b/config.json': { jwks_url: 'https://example.com/jwks' },
      'vault/b/roles/r.json': jwtRole(),
      'vault/c/config.json': { jwt_validation_pubkeys: [PEM] },
      'vault/c/roles/r.json': jwtRole(),
    }),
  );
  const kinds = (config.vault?.mounts ?? []).map((m) => ('source' in m.keys ? `${m.keys.field}:${m.keys.source.kind}` : m.keys.field));
  assert.deepEqual(kinds, ['oidc_discovery_url:discovery', 'jwks_url:uri', 'jwt_validation_pubkeys']);
});

/** [name, files, the problems as `file: path: message`]. */
const PROBLEMS: readonly [string, Record<string, unknown>, readonly string[]][] = [
  [
    'no key source',
    { 'vault/m/config.json': { bound_issuer: ISSUER }, 'vault/m/roles/r.json': jwtRole() },
    ["vault/m/config.json: : exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set"],
  ],
  [
    'two key sources',
    { 'vault/m/config.json': { jwks_url: 'https://x/jwks', jwt_validation_pubkeys: [PEM] }, 'vault/m/roles/r.json': jwtRole() },
    ["vault/m/config.json: : exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set"],
  ],
  [
    'a bad PEM and an unknown algorithm',
    { 'vault/m/config.json': { jwt_validation_pubkeys: ['nope'], jwt_supported_algs: 'RS256,HS256' }, 'vault/m/roles/r.json': jwtRole() },
    ['vault/m/config.json: jwt_supported_algs: invalid jwt_supported_algs: unsupported signing algorithm "HS256"'],
  ],
  [
    'roles without a config',
    { 'vault/m/roles/r.json': jwtRole() },
    ['vault/m: : the mount has roles but no vault/m/config.json (its keys and bound_issuer)'],
  ],
  [
    'role_type left out is oidc, which needs allowed_redirect_uris',
    { 'vault/m/config.json': { jwks_url: 'https://x/jwks' }, 'vault/m/roles/r.json': { user_claim: 'sub', bound_audiences: ['a'] } },
    ["vault/m/roles/r.json: role_type: 'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified."],
  ],
  [
    'user_claim required, a bound constraint required',
    { 'vault/m/config.json': { jwks_url: 'https://x/jwks' }, 'vault/m/roles/r.json': { role_type: 'jwt' } },
    [
      'vault/m/roles/r.json: user_claim: a user claim must be defined on the role',
      'vault/m/roles/r.json: : must have at least one bound constraint when creating/updating a role',
    ],
  ],
  [
    'glob mode takes strings only; role claim mapping reserved; ttl over max ttl; unknown field',
    {
      'vault/m/config.json': { jwks_url: 'https://x/jwks' },
      'vault/m/roles/r.json': jwtRole({
        bound_claims_type: 'glob',
        bound_claims: { n: 5 },
        claim_mappings: { sub: 'role' },
        token_ttl: 100,
        token_max_ttl: 10,
        bound_subjects: 'x',
      }),
    },
    [
      "vault/m/roles/r.json: bound_subjects: unknown field (did you mean 'bound_subject'?)",
      'vault/m/roles/r.json: bound_claims.n: claim is not a string: 5 (bound_claims_type glob compares strings only)',
      'vault/m/roles/r.json: claim_mappings.sub: metadata key "role" is reserved and may not be a mapping destination',
      'vault/m/roles/r.json: token_ttl: ttl should not be greater than max ttl',
    ],
  ],
  [
    'invalid bound_claims_type and role_type',
    {
      'vault/m/config.json': { jwks_url: 'https://x/jwks' },
      'vault/m/roles/r.json': jwtRole({ role_type: 'saml', bound_claims_type: 'regex' }),
    },
    [
      "vault/m/roles/r.json: role_type: invalid 'role_type': saml",
      "vault/m/roles/r.json: bound_claims_type: invalid 'bound_claims_type': regex",
    ],
  ],
  [
    'default_role names no role; a bad CIDR; a bad duration',
    {
      'vault/m/config.json': { jwks_url: 'https://x/jwks', default_role: 'ghost' },
      'vault/m/roles/r.json': jwtRole({ token_bound_cidrs: ['10.0.0.0/33'], token_ttl: '1 hour' }),
    },
    [
      "vault/m/roles/r.json: token_bound_cidrs[0]: is not a CIDR block or address: '10.0.0.0/33'",
      'vault/m/roles/r.json: token_ttl: must be a duration: whole seconds or a Go duration such as "1h30m", got "1 hour"',
      'vault/m/config.json: default_role: names no role in vault/m/roles/ (a login without role would fail)',
    ],
  ],
];

for (const [name, files, expected] of PROBLEMS) {
  test(`problem: ${name}`, () => {
    const got = problemsOf(base(files)).map(show);
    for (const e of expected) assert.ok(got.includes(e), `expected\n  ${e}\namong\n  ${got.join('\n  ')}`);
  });
}

test('the demo mount jwt and its role load from the default policies', async () => {
  const { loadConfig } = await import('../../src/config/index.js');
  const config = await loadConfig('policies', { accountId: '123456789012' });
  const mount = config.vault?.mounts.find((m) => m.path === 'jwt');
  assert.ok(mount);
  assert.equal(mount.boundIssuer, ISSUER);
  assert.ok(mount.roles.has('circleci-deploy-main'));
});
