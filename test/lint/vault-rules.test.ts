/**
 * The Vault lint rules as vectors over vault/<mount>/roles/ files: each fires where the role reads differently from
 * what its author meant and stays quiet on the fixed role; the token value a finding names is checked against the
 * login's own decision (decideVault): refused where the finding says refused, admitted where it says admitted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintConfig } from '../../src/lint/index.js';
import { decideVault } from '../../src/vault/index.js';
import { configOf } from '../config/helpers.js';

const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const ISSUER = `https://oidc.circleci.com/org/${ORG}`;
const NOW = new Date('2026-03-01T12:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);

function lintRole(role: Record<string, unknown>): { rule: string; path: string; message: string; fix: string }[] {
  const config = configOf({
    'providers/circleci.json': { Url: ISSUER, ClientIDList: [ORG], Emulated: true },
    'vault/jwt/config.json': { oidc_discovery_url: ISSUER, bound_issuer: ISSUER },
    'vault/jwt/roles/r.json': { data: { role_type: 'jwt', user_claim: 'sub', bound_audiences: [ORG], ...role } },
  });
  return lintConfig(config)
    .filter((f) => f.rule.startsWith('vault-'))
    .map((f) => ({ rule: f.rule, path: f.path, message: f.message, fix: f.fix }));
}

function decide(role: Record<string, unknown>, claims: Record<string, unknown>): string {
  const config = configOf({
    'providers/circleci.json': { Url: ISSUER, ClientIDList: [ORG], Emulated: true },
    'vault/jwt/config.json': { oidc_discovery_url: ISSUER, bound_issuer: ISSUER },
    'vault/jwt/roles/r.json': { role_type: 'jwt', user_claim: 'sub', bound_audiences: [ORG], ...role },
  });
  const mount = config.vault?.mounts[0];
  assert.ok(mount);
  const d = decideVault({
    mount,
    role: mount.roles.get('r') as never,
    claims: { iss: ISSUER, aud: ORG, sub: 's', iat: T, exp: T + 60, ...claims },
    now: NOW,
  });
  return d.decision;
}

/** [rule, role fields, fires?, the path, a claim the finding names and the decision the role gives it]. */
const CASES: readonly [string, Record<string, unknown>, boolean, string?, Record<string, unknown>?, string?][] = [
  [
    'vault-glob-literal-metacharacter',
    { bound_claims_type: 'glob', bound_claims: { ref: 'refs/heads/release-?' } },
    true,
    'data.bound_claims.ref',
    { ref: 'refs/heads/release-1' },
    'deny',
  ],
  [
    'vault-glob-literal-metacharacter',
    { bound_claims_type: 'glob', bound_claims: { ref: ['refs/heads/{main,dev}'] } },
    true,
    'data.bound_claims.ref',
    { ref: 'refs/heads/main' },
    'deny',
  ],
  [
    'vault-glob-literal-metacharacter',
    { bound_claims_type: 'glob', bound_claims: { ref: 'refs/heads/[mr]ain' } },
    true,
    'data.bound_claims.ref',
    { ref: 'refs/heads/main' },
    'deny',
  ],
  ['vault-glob-literal-metacharacter', { bound_claims_type: 'glob', bound_claims: { ref: 'refs/heads/*' } }, false],
  ['vault-glob-literal-metacharacter', { bound_claims: { ref: 'refs/heads/release-?' } }, false],
  ['vault-string-mode-wildcard', { bound_claims: { ref: 'refs/heads/*' } }, true, 'data.bound_claims.ref', { ref: 'refs/heads/x' }, 'deny'],
  ['vault-string-mode-wildcard', { bound_subject: 'org/O/project/*' }, true, 'data.bound_subject', { sub: 'org/O/project/x' }, 'deny'],
  ['vault-string-mode-wildcard', { bound_claims_type: 'glob', bound_claims: { ref: 'refs/heads/*' } }, false],
  [
    'vault-string-mode-type',
    { bound_claims: { 'oidc.circleci.com/ssh-rerun': 'false' } },
    true,
    'data.bound_claims["oidc.circleci.com/ssh-rerun"]',
    { 'oidc.circleci.com/ssh-rerun': false },
    'deny',
  ],
  ['vault-string-mode-type', { bound_claims: { level: 3 } }, true, 'data.bound_claims.level', { level: '3' }, 'deny'],
  [
    'vault-string-mode-type',
    { bound_claims: { 'oidc.circleci.com/ssh-rerun': false } },
    true,
    'data.bound_claims["oidc.circleci.com/ssh-rerun"]',
    { 'oidc.circleci.com/ssh-rerun': 'false' },
    'deny',
  ],
  ['vault-string-mode-type', { bound_claims: { ref: 'refs/heads/main' } }, false],
  ['vault-subject-open', {}, true, 'data.bound_audiences', { sub: `org/${ORG}/project/any/user/u` }, 'allow'],
  ['vault-subject-open', { bound_claims: { 'oidc.circleci.com/project-id': 'p' } }, false],
  ['vault-subject-open', { bound_subject: 'x' }, false],
];

for (const [rule, role, fires, path, claims, decision] of CASES) {
  test(`${rule} ${fires ? 'fires on' : 'is quiet on'} ${JSON.stringify(role)}`, () => {
    const found = lintRole(role).filter((f) => f.rule === rule);
    if (!fires) return assert.deepEqual(found, []);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]?.path, path);
    assert.ok(claims !== undefined && decision !== undefined);
    for (const v of Object.values(claims))
      if (typeof v === 'string')
        assert.ok(
          found[0]?.message.includes(JSON.stringify(v).slice(1, -1).slice(0, 20)) || rule === 'vault-string-mode-type',
          found[0]?.message,
        );
    assert.equal(decide(role, claims), decision, 'the login decides as the finding says');
  });
}

test('the default policies have no Vault finding (the demo role binds the project and the branch)', async () => {
  const { loadConfig } = await import('../../src/config/index.js');
  const config = await loadConfig('policies', { accountId: '123456789012' });
  assert.deepEqual(
    lintConfig(config).filter((f) => f.rule.startsWith('vault-')),
    [],
  );
});
