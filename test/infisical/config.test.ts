/**
 * The infisical/ files through the loader (buildConfig): Infisical's API shape (wrapped or not), its defaults and
 * limits, the save-time comma normalisation, "Emulated": true against providers/, the secret sets, and every problem
 * with its file and JSON path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildConfig, type ConfigFile } from '../../src/config/index.js';

const ISSUER = 'https://oidc.circleci.com/org/o1';
const provider: ConfigFile = {
  name: 'providers/circleci.json',
  text: JSON.stringify({ Url: ISSUER, ClientIDList: ['o1'], ThumbprintList: [], Emulated: true, PrivateKeyFile: 'k.pem' }),
};
const build = (files: Record<string, unknown>) =>
  buildConfig(
    [provider, ...Object.entries(files).map(([name, doc]) => ({ name, text: typeof doc === 'string' ? doc : JSON.stringify(doc) }))],
    {
      accountId: '123456789012',
      dir: '/tmp/policies',
    },
  );

test('an identity as the API returns it, with the defaults and the comma lists normalised', () => {
  const r = build({
    'infisical/identities/a.json': {
      identityOidcAuth: {
        identityId: 'id-a',
        oidcDiscoveryUrl: ISSUER,
        boundIssuer: ISSUER,
        boundAudiences: 'o1,other ',
        boundClaims: { team: 'blue ,green' },
        boundSubject: 'org/o1/project/*/user/*',
      },
      Emulated: true,
    },
    'infisical/secrets/s.json': {
      workspaceId: 'p',
      environment: 'dev',
      identities: ['id-a'],
      secrets: [{ secretKey: 'K', secretValue: 'V' }],
    },
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  const [identity] = r.config.infisical?.identities ?? [];
  assert.equal(identity?.boundAudiences, 'o1, other');
  assert.deepEqual(identity?.audiences, ['o1', 'other']);
  assert.deepEqual(identity?.boundClaims, { team: 'blue, green' });
  assert.equal(identity?.accessTokenTTL, 2592000);
  assert.equal(identity?.accessTokenMaxTTL, 2592000);
  assert.equal(identity?.accessTokenNumUsesLimit, 0);
  assert.equal(identity?.keys.kind, 'emulated');
  assert.deepEqual(
    identity?.accessTokenTrustedIps.map((t) => t.type),
    ['ipv4', 'ipv6'],
  );
  const [set] = r.config.infisical?.secretSets ?? [];
  assert.deepEqual([set?.projectId, set?.environment, set?.secretPath], ['p', 'dev', '/']);
});

test('without infisical/ files there is no infisical part', () => {
  const r = build({});
  assert.ok(r.ok);
  assert.equal(r.config.infisical, undefined);
});

const PROBLEMS: readonly { name: string; files: Record<string, unknown>; expected: readonly [string, string, RegExp][] }[] = [
  {
    name: 'required fields',
    files: { 'infisical/identities/a.json': { identityOidcAuth: {} } },
    expected: [
      ['infisical/identities/a.json', 'identityOidcAuth.identityId', /is required/],
      ['infisical/identities/a.json', 'identityOidcAuth.oidcDiscoveryUrl', /is required/],
      ['infisical/identities/a.json', 'identityOidcAuth.boundIssuer', /is required/],
    ],
  },
  {
    name: 'an empty comma entry, an empty claim pattern, TTL over max TTL, a typo',
    files: {
      'infisical/identities/a.json': [
        {
          identityId: 'x',
          oidcDiscoveryUrl: 'https://i',
          boundIssuer: 'https://i',
          boundAudiences: 'a,,b',
          boundClaims: { team: '' },
          accessTokenTTL: 10,
          accessTokenMaxTTL: 5,
          boundSubjet: 'x',
        },
      ],
    },
    expected: [
      ['infisical/identities/a.json', '[0].boundSubjet', /did you mean 'boundSubject'/],
      ['infisical/identities/a.json', '[0].boundAudiences', /empty entry .* 500/],
      ['infisical/identities/a.json', '[0].boundClaims.team', /empty pattern/],
      ['infisical/identities/a.json', '[0].accessTokenTTL', /Access token TTL cannot be greater than max TTL/],
    ],
  },
  {
    name: 'Emulated without an emulated provider of that Url; a bad trusted IP; a duplicate id',
    files: {
      'infisical/identities/a.json': { identityId: 'x', oidcDiscoveryUrl: 'https://elsewhere', boundIssuer: 'i', Emulated: true },
      'infisical/identities/b.json': {
        identityId: 'x',
        oidcDiscoveryUrl: ISSUER,
        boundIssuer: 'i',
        accessTokenTrustedIps: [{ ipAddress: '10.0.0.0/33' }],
      },
      'infisical/identities/c.json': { identityId: 'x', oidcDiscoveryUrl: ISSUER, boundIssuer: 'i' },
      'infisical/identities/d.json': { identityId: 'x', oidcDiscoveryUrl: ISSUER, boundIssuer: 'i' },
    },
    expected: [
      ['infisical/identities/a.json', 'Emulated', /no emulated provider in providers\/ has the Url https:\/\/elsewhere/],
      ['infisical/identities/b.json', 'accessTokenTrustedIps[0].ipAddress', /The IP is not a valid IPv4, IPv6, or CIDR block/],
      ['infisical/identities/d.json', 'identityId', /x is already configured in infisical\/identities\/c.json/],
    ],
  },
  {
    name: 'a secret set without identities or secrets',
    files: { 'infisical/secrets/s.json': { projectId: 'p', environment: 'dev', secretPath: 'app', secrets: [{ secretKey: '' }] } },
    expected: [
      ['infisical/secrets/s.json', 'secretPath', /must start with '\/'/],
      ['infisical/secrets/s.json', 'identities', /must list the identityIds/],
      ['infisical/secrets/s.json', 'secrets[0].secretKey', /non-empty string/],
      ['infisical/secrets/s.json', 'secrets[0].secretValue', /must be a string/],
    ],
  },
  { name: 'not JSON', files: { 'infisical/identities/a.json': '{' }, expected: [['infisical/identities/a.json', '', /JSON/]] },
];

for (const c of PROBLEMS) {
  test(`problems: ${c.name}`, () => {
    const r = build(c.files);
    assert.ok(!r.ok, 'expected problems');
    for (const [file, path, message] of c.expected) {
      assert.ok(
        r.problems.some((p) => p.file === file && p.path === path && message.test(p.message)),
        `${file} ${path} ${String(message)} in ${JSON.stringify(r.problems, null, 1)}`,
      );
    }
  });
}
