/**
 * lint's Infisical rules over identities built from memory (the loader's record only): a dotted boundClaims key
 * (CircleCI's namespaced claims never match; the fix pins the value through the sub), a trailing `*` that picomatch
 * stops at `/` (the reference's counterexamples `refs/heads/*`, `org/*​/project/*`, `org/O**`), and an empty
 * boundSubject with only the organisation's audience pinned. Each finding's example is checked against Infisical's
 * own matcher; the demo identity of the default policies has no finding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildConfig, loadConfig } from '../../src/config/index.js';
import { decideInfisical, matchValue } from '../../src/infisical/index.js';
import { lintConfig } from '../../src/lint/index.js';
import { DEMO_POLICIES } from '../helpers/harness.js';

const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const ISSUER = `https://oidc.circleci.com/org/${ORG}`;
const PROJECT = '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5';

function findings(identities: readonly Record<string, unknown>[]) {
  const r = buildConfig(
    [
      {
        name: 'infisical/identities/x.json',
        text: JSON.stringify(
          identities.map((i, n) => ({ identityOidcAuth: { identityId: `id-${n}`, oidcDiscoveryUrl: ISSUER, boundIssuer: ISSUER, ...i } })),
        ),
      },
    ],
    { accountId: '123456789012', dir: '/nonexistent' },
  );
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return { config: r.config, found: lintConfig(r.config).filter((f) => f.rule.startsWith('infisical-')) };
}

test('infisical-dotted-claim-key: the login it predicts fails, and the fix pins the value through the sub', () => {
  const { config, found } = findings([{ boundAudiences: ORG, boundClaims: { 'oidc.circleci.com/project-id': PROJECT, team: 'blue' } }]);
  assert.deepEqual(
    found.map((f) => [f.rule, f.severity, f.role, f.path]),
    [['infisical-dotted-claim-key', 'error', 'id-0', '[0].identityOidcAuth.boundClaims["oidc.circleci.com/project-id"]']],
  );
  assert.match(
    found[0]?.fix ?? '',
    new RegExp(`"boundSubject": "org/${ORG}/project/${PROJECT}/user/\\*/vcs-origin/<vcs-origin>/vcs-ref/<ref>"`),
  );
  const identity = config.infisical?.identities[0];
  assert.ok(identity !== undefined);
  const d = decideInfisical(identity, { aud: ORG, team: 'blue', 'oidc.circleci.com/project-id': PROJECT });
  assert.equal(d.error?.body('r').message, 'Access denied: token has no oidc.circleci.com/project-id field');
});

const STARS: readonly { name: string; identity: Record<string, unknown>; path: string | undefined }[] = [
  {
    name: 'refs/heads/* in a claim',
    identity: { boundSubject: 'x', boundClaims: { ref: 'refs/heads/*' } },
    path: '[0].identityOidcAuth.boundClaims.ref',
  },
  {
    name: `org/${ORG}/project/* as the subject`,
    identity: { boundSubject: `org/${ORG}/project/*` },
    path: '[0].identityOidcAuth.boundSubject',
  },
  { name: 'org/O** (a ** inside a segment)', identity: { boundSubject: `org/${ORG}**` }, path: '[0].identityOidcAuth.boundSubject' },
  { name: 'an audience entry', identity: { boundSubject: 'x', boundAudiences: 'a, team/*' }, path: '[0].identityOidcAuth.boundAudiences' },
  {
    name: 'not a trailing * (one segment meant)',
    identity: { boundSubject: `org/${ORG}/project/${PROJECT}/user/*/vcs-origin/o/vcs-ref/refs/heads/main` },
    path: undefined,
  },
  { name: 'a whole-segment ** spans segments', identity: { boundSubject: 'refs/heads/**' }, path: undefined },
  { name: 'an escaped *', identity: { boundSubject: 'a\\*' }, path: undefined },
  { name: 'a negation', identity: { boundSubject: '!org/evil/*' }, path: undefined },
];
for (const c of STARS) {
  test(`infisical-star-stops-at-slash: ${c.name}`, () => {
    const star = findings([c.identity]).found.filter((f) => f.rule === 'infisical-star-stops-at-slash');
    if (c.path === undefined) return assert.deepEqual(star, []);
    assert.deepEqual(
      star.map((f) => f.path),
      [c.path],
    );
    // The example the finding names is refused by Infisical's matcher, though the pattern's prefix fits it.
    const example = /'([^']*)' is refused/.exec(star[0]?.message ?? '')?.[1];
    const pattern = /^'([^']*)' ends in/.exec(star[0]?.message ?? '')?.[1];
    assert.ok(example !== undefined && pattern !== undefined);
    assert.equal(matchValue(example, pattern).matched, false);
  });
}

test('infisical-subject-open: only the org audience pinned (CircleCI), or nothing pinned at all', () => {
  const { found } = findings([{ boundAudiences: ORG }, {}, { boundSubject: 'x' }, { boundClaims: { team: 'blue' } }]);
  const open = found.filter((f) => f.rule === 'infisical-subject-open');
  assert.deepEqual(
    open.map((f) => f.path),
    ['[0].identityOidcAuth.boundSubject', '[1].identityOidcAuth.boundSubject'],
  );
  assert.match(open[0]?.message ?? '', new RegExp(`every CircleCI job of the organisation ${ORG} has it`));
  assert.match(open[0]?.fix ?? '', new RegExp(`"boundSubject": "org/${ORG}/project/<project-id>/user/\\*/`));
  assert.match(open[1]?.message ?? '', /every token of https:\/\/oidc\.circleci\.com\/org\/.* logs in/);
});

test('the demo identity of the default policies has no finding', async () => {
  const config = await loadConfig(DEMO_POLICIES, { accountId: '123456789012' });
  assert.ok((config.infisical?.identities.length ?? 0) > 0);
  assert.deepEqual(
    lintConfig(config).filter((f) => f.rule.startsWith('infisical-')),
    [],
  );
});
