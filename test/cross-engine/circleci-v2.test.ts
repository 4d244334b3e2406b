/**
 * One CircleCI V2 token, one intended restriction ("project P's main branch"), written for AWS, Infisical and Vault as
 * people write it, and where the three engines differ (README "HashiCorp Vault (JWT auth)" shows the table, checked
 * here). Each engine decides with its own code: AWS through the emulator's in-process decision, Vault through
 * decideVault, Infisical through decideInfisical. Tokens: main of P; a feature branch of P; main of another project; and a crafted branch
 * of P named `x/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main`, whose V2 `sub` ends like main's.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/index.js';
import { decideInfisical } from '../../src/infisical/index.js';
import { decideVault } from '../../src/vault/index.js';
import { configOf } from '../config/helpers.js';
import { REPO_ROOT } from '../helpers/harness.js';

const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const PROJECT = '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5';
const ISSUER = `https://oidc.circleci.com/org/${ORG}`;
const SUB = `org/${ORG}/project/${PROJECT}/user/*/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main`;
const CLAIMS = { 'oidc.circleci.com/project-id': PROJECT, 'oidc.circleci.com/vcs-ref': 'refs/heads/main' };

/** The tokens, as the columns of the table. */
const TOKENS = [
  { column: 'main of P', preset: { name: 'circleci', branch: 'main' } },
  { column: 'feature/x of P', preset: { name: 'circleci', branch: 'feature/x' } },
  { column: 'main of project Q', preset: { name: 'circleci', branch: 'main', projectId: '11111111-2222-4333-8444-555555555555' } },
  {
    column: 'crafted branch of P',
    preset: { name: 'circleci', branch: 'x/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main' },
  },
] as const;

type Verdict = 'allow' | 'deny';

interface Row {
  readonly engine: 'AWS' | 'Infisical' | 'Vault';
  /** How the restriction is written, as README's first column shows it. */
  readonly written: string;
  readonly decide: (claims: Record<string, unknown>, token: string) => Promise<Verdict>;
}

let emu: Emulator;
const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

const awsRole = (name: string, condition: Record<string, unknown>): Record<string, unknown> => ({
  RoleName: name,
  AssumeRolePolicyDocument: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/oidc.circleci.com/org/${ORG}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: condition,
      },
    ],
  },
});

function vaultRow(written: string, role: Record<string, unknown>): Row {
  const config = configOf({
    'vault/jwt/config.json': { jwt_validation_pubkeys: [PEM_PLACEHOLDER], bound_issuer: ISSUER },
    'vault/jwt/roles/r.json': { role_type: 'jwt', user_claim: 'sub', bound_audiences: [ORG], ...role },
  });
  const mount = config.vault?.mounts[0];
  assert.ok(mount);
  const r = mount.roles.get('r');
  assert.ok(r);
  return {
    engine: 'Vault',
    written,
    decide: (claims) => Promise.resolve(decideVault({ mount, role: r, claims, alg: 'RS256', now: new Date() }).decision),
  };
}

/** Any public key: decideVault runs after the signature, so the mount's keys play no part here. */
const PEM_PLACEHOLDER = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;

function infisicalRow(written: string, auth: Record<string, unknown>): Row {
  const config = configOf({
    'providers/circleci.json': { Url: ISSUER, ClientIDList: [ORG], Emulated: true },
    'infisical/identities/i.json': {
      identityOidcAuth: {
        identityId: '7c1f2a9e-3b4d-4e5f-8a6b-9c0d1e2f3a4b',
        oidcDiscoveryUrl: ISSUER,
        boundIssuer: ISSUER,
        boundAudiences: ORG,
        boundClaims: {},
        boundSubject: '',
        ...auth,
      },
      Emulated: true,
    },
  });
  const identity = config.infisical?.identities[0];
  assert.ok(identity !== undefined, 'the Infisical identity loads');
  return {
    engine: 'Infisical',
    written,
    decide: (claims) => Promise.resolve(decideInfisical(identity, claims).decision === 'allow' ? 'allow' : 'deny'),
  };
}

before(async () => {
  emu = await startEmulator();
  await emu.putRole(
    awsRole('cross-engine-claims', {
      StringEquals: Object.fromEntries(Object.entries(CLAIMS).map(([k, v]) => [`oidc.circleci.com/org/${ORG}:${k}`, v])),
    }),
  );
});

after(async () => {
  await emu.stop();
});

/** The expected table: one row per way of writing the restriction; allow/deny per token column. */
const EXPECTED: readonly (readonly [engine: Row['engine'], written: string, verdicts: readonly Verdict[]])[] = [
  ['AWS', '`StringLike` on `sub`: the V2 pattern with `user/*`, `StringEquals` on `aud`', ['allow', 'deny', 'deny', 'allow']],
  [
    'AWS',
    '`StringEquals` on `<provider>:oidc.circleci.com/project-id` and `<provider>:oidc.circleci.com/vcs-ref`',
    ['deny', 'deny', 'deny', 'deny'],
  ],
  ['Infisical', '`boundSubject`: the V2 pattern with `user/*`, `boundAudiences`: the org', ['allow', 'deny', 'deny', 'deny']],
  ['Infisical', '`boundClaims` on `oidc.circleci.com/project-id` and `oidc.circleci.com/vcs-ref`', ['deny', 'deny', 'deny', 'deny']],
  ['Vault', '`bound_subject`: the V2 pattern with `user/*`', ['deny', 'deny', 'deny', 'deny']],
  ['Vault', '`bound_claims` (glob) on `sub`: the V2 pattern with `user/*`', ['allow', 'deny', 'deny', 'allow']],
  ['Vault', '`bound_claims` (string) on `oidc.circleci.com/project-id` and `oidc.circleci.com/vcs-ref`', ['allow', 'deny', 'deny', 'deny']],
];

async function rows(): Promise<Row[]> {
  const aws =
    (role: string): Row['decide'] =>
    async (_claims, token) =>
      (await emu.decide({ role, token })).decision === 'allow' ? 'allow' : 'deny';
  const out: (Row | undefined)[] = [
    { engine: 'AWS', written: EXPECTED[0]![1], decide: aws('deploy-main') },
    { engine: 'AWS', written: EXPECTED[1]![1], decide: aws('cross-engine-claims') },
    infisicalRow(EXPECTED[2]![1], { boundSubject: SUB }),
    infisicalRow(EXPECTED[3]![1], { boundClaims: CLAIMS }),
    vaultRow(EXPECTED[4]![1], { bound_subject: SUB }),
    vaultRow(EXPECTED[5]![1], { bound_claims_type: 'glob', bound_claims: { sub: SUB } }),
    vaultRow(EXPECTED[6]![1], { bound_claims: CLAIMS }),
  ];
  return out.filter((r): r is Row => r !== undefined);
}

test('one CircleCI V2 token, the same restriction in three engines: where they differ, and README shows it', async () => {
  const tokens = await Promise.all(TOKENS.map((c) => emu.mintToken({ preset: c.preset as never })));
  const table = await rows();
  const got: string[] = [];
  for (const row of table) {
    const verdicts: Verdict[] = [];
    for (const token of tokens) verdicts.push(await row.decide(claimsOf(token), token));
    const expected = EXPECTED.find(([e, w]) => e === row.engine && w === row.written);
    assert.ok(expected);
    assert.deepEqual(verdicts, expected[2], `${row.engine}: ${row.written}`);
    got.push(`| ${row.engine} | ${row.written} | ${verdicts.join(' | ')} |`);
  }
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const header = `| engine | the restriction as written | ${TOKENS.map((c) => c.column).join(' | ')} |`;
  const start = readme.indexOf(header);
  assert.ok(start >= 0, `README has the table:\n${header}`);
  const shown = readme
    .slice(start)
    .split('\n')
    .slice(2)
    .filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('|')));
  assert.equal(table.length, EXPECTED.length);
  assert.deepEqual(shown, got, 'README shows the table as computed');
});
