/**
 * Lint's Google Cloud rules, one row per configuration (positive and negative): the findings exact, the path and
 * the line and column where the loader saw it, the message and fix where the row names them, and every token a
 * finding names as getting in rebuilt here from the row's own description and admitted by the provider's mapping
 * and condition (the exchange's code, gcp/mapping.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapAndCheck } from '../../src/gcp/index.js';
import { presetClaims } from '../../src/identity/provider-kinds.js';
import { lintConfig, type Finding, type Severity } from '../../src/lint/index.js';
import { configOf } from '../config/helpers.js';
import { EXAMPLE_JWKS } from '../helpers/example-jwks.js';

const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const PROJECT = '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5';
const OTHER_UUID = '00000000-0000-4000-8000-000000000000';
const POOL = 'projects/314159265358/locations/global/workloadIdentityPools/ci-pool';
const GH = 'https://token.actions.githubusercontent.com';
const CIRCLE = `https://oidc.circleci.com/org/${ORG}`;
const JWKS = JSON.stringify(EXAMPLE_JWKS);
const CIRCLE_MAPPING = {
  'google.subject': 'assertion.sub',
  'attribute.org_id': 'assertion.aud',
  'attribute.project': "assertion['oidc.circleci.com/project-id']",
};

function provider(issuerUri: string, fields: Record<string, unknown> = {}, id = 'ci'): Record<string, unknown> {
  return {
    name: `${POOL}/providers/${id}-provider`,
    attributeMapping: { 'google.subject': 'assertion.sub' },
    oidc: { issuerUri, jwksJson: JWKS },
    ...fields,
  };
}

const circle = (condition: string | undefined, fields: Record<string, unknown> = {}): Record<string, unknown> =>
  provider(CIRCLE, {
    attributeMapping: CIRCLE_MAPPING,
    ...(condition === undefined ? {} : { attributeCondition: condition }),
    oidc: { issuerUri: CIRCLE, allowedAudiences: [ORG], jwksJson: JWKS },
    ...fields,
  });

function account(members: readonly string[], role = 'roles/iam.workloadIdentityUser'): Record<string, unknown> {
  return { email: 'deployer@demo-project.iam.gserviceaccount.com', bindings: [{ role, members }] };
}

/** A token a finding names: the preset and options it is minted with, as the message describes it. */
interface NamedToken {
  readonly preset: 'github' | 'gitlab' | 'terraform' | 'circleci';
  readonly issuer: string;
  readonly options: Record<string, unknown>;
  /** Claims the condition asks for, which the owner of the other repository or project sets at will. */
  readonly claims?: Record<string, unknown>;
}

interface Row {
  readonly name: string;
  readonly files: Record<string, unknown>;
  readonly expect: readonly (readonly [Severity, string])[];
  readonly check?: { path?: string; line?: number; message?: RegExp; fix?: RegExp };
  readonly token?: NamedToken;
}

const OTHER_GH = {
  repository: 'another-owner/another-repo',
  repositoryId: '900000009',
  repositoryOwnerId: '900000008',
  actor: 'another-user',
  actorId: '900000007',
};
const OTHER_GL = {
  projectPath: 'another-group/another-project',
  projectId: '9900099',
  namespaceId: '9800098',
  userId: '9700097',
  userLogin: 'another-user',
  userEmail: 'another-user@example.com',
};
const OTHER_CIRCLE = {
  projectId: OTHER_UUID,
  userId: '00000000-0000-4000-8000-000000000001',
  vcsOrigin: 'github.com/demo-org/another-repo',
  v1: true,
};

const ROWS: Row[] = [
  // gcp-shared-issuer-open
  {
    name: "GitHub, no attribute condition: another owner's repository gets in",
    files: { 'gcp/pools/gh.json': provider(GH) },
    expect: [['error', 'gcp-shared-issuer-open']],
    check: {
      path: 'oidc.issuerUri',
      line: 7,
      message:
        /^no attribute condition on https:\/\/token\.actions\.githubusercontent\.com, an issuer every GitHub customer shares: a job of another GitHub repository gets in \(repository 'another-owner\/another-repo', google\.subject 'repo:another-owner\/another-repo:ref:refs\/heads\/main'\)$/,
      fix: /^add: "attributeCondition": "assertion\.repository_owner_id == '<owner id>'"$/,
    },
    token: { preset: 'github', issuer: GH, options: OTHER_GH },
  },
  {
    name: 'GitHub, a condition on the branch only: another repository with a main branch gets in',
    files: { 'gcp/pools/gh.json': provider(GH, { attributeCondition: "assertion.ref == 'refs/heads/main'" }) },
    expect: [['error', 'gcp-shared-issuer-open']],
    check: {
      path: 'attributeCondition',
      message:
        /^the attribute condition does not pin the GitHub repository on .*: a job of another GitHub repository gets in \(repository 'another-owner\/another-repo'/,
      fix: /^pin it: "attributeCondition": "assertion\.ref == 'refs\/heads\/main' && assertion\.repository_owner_id == '<owner id>'"$/,
    },
    token: { preset: 'github', issuer: GH, options: OTHER_GH },
  },
  {
    name: 'GitHub, a condition on a branch and a workflow the other owner names alike: it gets in',
    files: {
      'gcp/pools/gh.json': provider(GH, {
        attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.workflow': 'assertion.workflow' },
        attributeCondition: "assertion.ref == 'refs/heads/release' && attribute.workflow == 'ship'",
      }),
    },
    expect: [['error', 'gcp-shared-issuer-open']],
    check: { path: 'attributeCondition', message: /google\.subject 'repo:another-owner\/another-repo:ref:refs\/heads\/main'/ },
    token: { preset: 'github', issuer: GH, options: OTHER_GH, claims: { ref: 'refs/heads/release', workflow: 'ship' } },
  },
  {
    name: 'GitHub, a negated owner: the evaluator admits another owner',
    files: { 'gcp/pools/gh.json': provider(GH, { attributeCondition: "assertion.repository_owner != 'evil-org'" }) },
    expect: [['error', 'gcp-shared-issuer-open']],
    check: { path: 'attributeCondition' },
    token: { preset: 'github', issuer: GH, options: OTHER_GH },
  },
  {
    name: 'GitHub, a pattern on the branch that lint cannot satisfy, reading no claim of the owner: reported without a token',
    files: { 'gcp/pools/gh.json': provider(GH, { attributeCondition: "assertion.ref.matches('^refs/heads/rel-[0-9]+$')" }) },
    expect: [['error', 'gcp-shared-issuer-open']],
    check: {
      path: 'attributeCondition',
      message:
        /^the attribute condition reads none of the claims that name the GitHub repository \(repository, repository_owner, repository_id, repository_owner_id, /,
    },
  },
  {
    name: 'GitHub, the owner pinned: clean',
    files: { 'gcp/pools/gh.json': provider(GH, { attributeCondition: "assertion.repository_owner_id == '100000001'" }) },
    expect: [],
  },
  {
    name: 'GitHub, the owner pinned through a mapped attribute: clean',
    files: {
      'gcp/pools/gh.json': provider(GH, {
        attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.repository_owner': 'assertion.repository_owner' },
        attributeCondition: "attribute.repository_owner == 'demo-org' && assertion.ref == 'refs/heads/main'",
      }),
    },
    expect: [],
  },
  {
    name: 'GitHub, the fix uses the attribute the provider maps from repository_owner_id',
    files: {
      'gcp/pools/gh.json': provider(GH, {
        attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.owner_id': 'assertion.repository_owner_id' },
      }),
    },
    expect: [['error', 'gcp-shared-issuer-open']],
    check: { fix: /^add: "attributeCondition": "attribute\.owner_id == '<owner id>'"$/ },
    token: { preset: 'github', issuer: GH, options: OTHER_GH },
  },
  {
    name: "GitHub Enterprise Cloud's own issuer (/<enterprise>) is not shared: clean",
    files: { 'gcp/pools/gh.json': provider(`${GH}/octocorp`) },
    expect: [],
  },
  {
    name: "gitlab.com, no attribute condition: another group's project gets in",
    files: { 'gcp/pools/gl.json': provider('https://gitlab.com') },
    expect: [['error', 'gcp-shared-issuer-open']],
    check: {
      message:
        /a job of another GitLab project gets in \(project_path 'another-group\/another-project', google\.subject 'project_path:another-group\/another-project:ref_type:branch:ref:main'\)$/,
      fix: /assertion\.namespace_id == '<group id>'/,
    },
    token: { preset: 'gitlab', issuer: 'https://gitlab.com', options: OTHER_GL },
  },
  {
    name: 'gitlab.com, the group pinned: clean',
    files: { 'gcp/pools/gl.json': provider('https://gitlab.com', { attributeCondition: "assertion.namespace_id == '7700077'" }) },
    expect: [],
  },
  {
    name: 'HCP Terraform, the run phase only: another organization gets in',
    files: {
      'gcp/pools/tfc.json': provider('https://app.terraform.io', { attributeCondition: "assertion.terraform_run_phase == 'apply'" }),
    },
    expect: [['error', 'gcp-shared-issuer-open']],
    check: { message: /terraform_organization_name 'another-org'/, fix: /assertion\.terraform_organization_id == '<organization id>'/ },
    token: {
      preset: 'terraform',
      issuer: 'https://app.terraform.io',
      options: {
        organization: 'another-org',
        organizationId: 'org-AnotherOrg00000001',
        projectId: 'prj-AnotherProject0001',
        workspaceId: 'ws-AnotherWorkspace01',
        runId: 'run-AnotherRun000001',
      },
    },
  },
  {
    name: 'an issuer of one organisation, no condition: not a shared issuer, clean',
    files: { 'gcp/pools/idp.json': provider('https://idp.example.com') },
    expect: [],
  },
  {
    name: 'the second provider of an array file: the path starts with its index, the line is its own',
    files: {
      'gcp/pools/two.json': [
        provider(GH, { attributeCondition: "assertion.repository_owner_id == '100000001'" }, 'one'),
        provider(GH, { attributeCondition: "assertion.ref == 'refs/heads/main'" }, 'two'),
      ],
    },
    expect: [['error', 'gcp-shared-issuer-open']],
    check: { path: '[1].attributeCondition', line: 22 },
    token: { preset: 'github', issuer: GH, options: OTHER_GH },
  },
  // gcp-circleci-org-wide
  {
    name: 'CircleCI, the org and the branch but no project: another project of the org gets in; the fix takes the bound project',
    files: {
      'gcp/pools/circle.json': circle(`attribute.org_id == '${ORG}' && assertion['oidc.circleci.com/vcs-ref'] == 'refs/heads/main'`),
      'gcp/service-accounts/sa.json': account([`principalSet://iam.googleapis.com/${POOL}/attribute.project/${PROJECT}`]),
    },
    expect: [['warning', 'gcp-circleci-org-wide']],
    check: {
      path: 'attributeCondition',
      line: 15,
      message: new RegExp(
        `^the attribute condition does not pin the CircleCI project on CircleCI organisation ${ORG}'s issuer: a job of another CircleCI project gets in \\(oidc\\.circleci\\.com/project-id '${OTHER_UUID}', google\\.subject 'org/${ORG}/project/${OTHER_UUID}/user/`,
      ),
      fix: new RegExp(`&& attribute\\.project == '${PROJECT}'"$`),
    },
    token: { preset: 'circleci', issuer: CIRCLE, options: { ...OTHER_CIRCLE, aud: ORG } },
  },
  {
    name: 'CircleCI, no condition: another project gets in',
    files: { 'gcp/pools/circle.json': circle(undefined) },
    expect: [['warning', 'gcp-circleci-org-wide']],
    check: { path: 'oidc.issuerUri', fix: /^add: "attributeCondition": "attribute\.project == '<project-id>'"$/ },
    token: { preset: 'circleci', issuer: CIRCLE, options: { ...OTHER_CIRCLE, aud: ORG } },
  },
  {
    name: 'CircleCI, the project pinned: clean',
    files: { 'gcp/pools/circle.json': circle(`attribute.org_id == '${ORG}' && attribute.project == '${PROJECT}'`) },
    expect: [],
  },
  {
    name: 'CircleCI, the project pinned in the sub: clean',
    files: { 'gcp/pools/circle.json': circle(`assertion.sub.startsWith('org/${ORG}/project/${PROJECT}/')`) },
    expect: [],
  },
  {
    name: 'CircleCI, the repository pinned (vcs-origin): clean',
    files: { 'gcp/pools/circle.json': circle("assertion['oidc.circleci.com/vcs-origin'] == 'github.com/demo-org/demo-app'") },
    expect: [],
  },
  // gcp-binding-whole-pool
  {
    name: 'the whole pool bound to impersonate: a token of its provider is named, and the attribute to bind instead',
    files: {
      'gcp/pools/circle.json': circle(`attribute.project == '${PROJECT}'`),
      'gcp/service-accounts/sa.json': account([`principalSet://iam.googleapis.com/${POOL}/*`]),
    },
    expect: [['warning', 'gcp-binding-whole-pool']],
    check: {
      path: 'bindings[0].members[0]',
      line: 7,
      message: new RegExp(
        `^roles/iam\\.workloadIdentityUser on the whole pool ci-pool: every identity any provider of the pool admits, and any provider added to it later, can impersonate deployer@demo-project\\.iam\\.gserviceaccount\\.com, e\\.g\\. from provider ci-pool/ci-provider \\(oidc\\.circleci\\.com/project-id '${PROJECT}', google\\.subject 'org/${ORG}/project/${PROJECT}/user/`,
      ),
      fix: new RegExp(`^bind what you mean: "principalSet://iam\\.googleapis\\.com/${POOL}/attribute\\.project/${PROJECT}"$`),
    },
    token: { preset: 'circleci', issuer: CIRCLE, options: { v1: true, aud: ORG } },
  },
  {
    name: 'the whole pool with serviceAccountTokenCreator, a pool with no provider here',
    files: {
      'gcp/service-accounts/sa.json': account([`principalSet://iam.googleapis.com/${POOL}/*`], 'roles/iam.serviceAccountTokenCreator'),
    },
    expect: [['warning', 'gcp-binding-whole-pool']],
    check: { message: /\(no provider of the pool is configured here\)$/, fix: /^bind a principal set of an attribute/ },
  },
  {
    name: 'the whole pool with a role that does not impersonate: clean',
    files: { 'gcp/service-accounts/sa.json': account([`principalSet://iam.googleapis.com/${POOL}/*`], 'roles/viewer') },
    expect: [],
  },
  {
    name: 'a principal set of one attribute value: clean',
    files: {
      'gcp/pools/circle.json': circle(`attribute.project == '${PROJECT}'`),
      'gcp/service-accounts/sa.json': account([`principalSet://iam.googleapis.com/${POOL}/attribute.project/${PROJECT}`]),
    },
    expect: [],
  },
];

/** The token the row names, minted as the message describes it, through the provider's mapping and condition. */
function admitted(row: Row, f: Finding): void {
  const t = row.token;
  if (t === undefined) return;
  const claims = presetClaims(t.preset, t.issuer, t.options, { now: new Date(Date.UTC(2026, 0, 1)), ttlSeconds: 3600 });
  Object.assign(claims, t.claims ?? {});
  const config = configOf(row.files);
  const name = /provider ([\w-]+)\/([\w-]+) \(/.exec(f.message);
  const p =
    config.gcp?.providers.find((x) =>
      name === null
        ? x.file === f.file && (x.at === '' || f.path.startsWith(`${x.at}.`))
        : x.poolId === name[1] && x.providerId === name[2],
    ) ?? assert.fail(`no provider for ${f.file}`);
  const r = mapAndCheck(p.mapping, p.condition, claims);
  assert.ok(r.allowed, `the named token is admitted: ${JSON.stringify(r.trace)}`);
  const subject = /google\.subject '([^']*)'/.exec(f.message)?.[1];
  if (subject !== undefined) assert.equal(r.subject, subject, 'the google.subject named is the one the mapping gives');
}

for (const row of ROWS) {
  test(`gcp lint: ${row.name}`, () => {
    const findings = lintConfig(configOf(row.files));
    assert.deepEqual(
      findings.map((f) => [f.severity, f.rule]),
      row.expect,
      findings.map((f) => `${f.path}: ${f.message}\n  fix: ${f.fix}`).join('\n'),
    );
    const f = findings[0];
    if (f === undefined) return;
    assert.ok(f.target === 'gcp-provider' || f.target === 'gcp-service-account');
    if (row.check?.path !== undefined) assert.equal(f.path, row.check.path);
    if (row.check?.line !== undefined) assert.equal(f.line, row.check.line, `line of ${f.path}`);
    assert.ok(f.line !== undefined && f.column !== undefined, 'every finding has a position');
    if (row.check?.message !== undefined) assert.match(f.message, row.check.message);
    if (row.check?.fix !== undefined) assert.match(f.fix, row.check.fix);
    admitted(row, f);
  });
}

test('gcp lint: findings name the provider as <pool>/<provider> and the service account by email', () => {
  const findings = lintConfig(
    configOf({
      'gcp/pools/gh.json': provider(GH),
      'gcp/service-accounts/sa.json': account([`principalSet://iam.googleapis.com/${POOL}/*`]),
    }),
  );
  assert.deepEqual(
    findings.map((f) => [f.rule, f.file, f.role, f.target]),
    [
      ['gcp-shared-issuer-open', 'gcp/pools/gh.json', 'ci-pool/ci-provider', 'gcp-provider'],
      ['gcp-binding-whole-pool', 'gcp/service-accounts/sa.json', 'deployer@demo-project.iam.gserviceaccount.com', 'gcp-service-account'],
    ],
  );
});
