/**
 * One row per behaviour of the rules beyond the documented policies: each trips (or must not trip) a rule, with the
 * findings exact, the message and fix checked where the row names them, and every token a finding names as getting
 * in allowed by the evaluator.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lintConfig, type Finding, type Severity } from '../../src/lint/index.js';
import { allow, allows, configWith, type ProviderSpec } from './helpers.js';

const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const PROJECT = '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5';
const GH: ProviderSpec = { url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'] };
const GHE: ProviderSpec = { url: 'https://token.actions.octocorp.ghe.com', clientIds: ['sts.amazonaws.com'] };
const CIRCLE: ProviderSpec = { url: `https://oidc.circleci.com/org/${ORG}`, clientIds: [ORG] };
const GITLAB: ProviderSpec = { url: 'https://gitlab.com', clientIds: ['https://gitlab.com'] };
const TFC: ProviderSpec = { url: 'https://app.terraform.io', clientIds: ['aws.workload.identity'] };
const BB: ProviderSpec = {
  url: 'https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc',
  clientIds: ['ari:cloud:bitbucket::workspace/x'],
};
const EKS: ProviderSpec = {
  url: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789',
  clientIds: ['sts.amazonaws.com'],
};
const SHARED: ProviderSpec = { url: 'https://idp.example.com', clientIds: ['app-a', 'app-b'] };

const k = (p: ProviderSpec, claim: string): string => `${p.url.replace('https://', '')}:${claim}`;
const aud = (p: ProviderSpec): Record<string, string> => ({ [k(p, 'aud')]: p.clientIds[0] as string });

interface Row {
  readonly name: string;
  readonly provider: ProviderSpec;
  /** The role's statements; default: one Allow with `condition`. */
  readonly statements?: readonly Record<string, unknown>[];
  readonly condition?: Record<string, unknown>;
  readonly expect: readonly (readonly [Severity, string])[];
  /** For the finding of this rule: message and fix patterns, and the path (relative to AssumeRolePolicyDocument.). */
  readonly check?: { rule: string; message?: RegExp; fix?: RegExp; path?: string };
  /** The claims of the intended token besides sub. */
  readonly claims?: Record<string, string>;
}

const ROWS: Row[] = [
  // Keys
  {
    name: "condition-key-prefix-not-provider: a key written with https:// is absent (and GitHub's sub is then unchecked)",
    provider: GH,
    condition: { StringEquals: { ...aud(GH), 'https://token.actions.githubusercontent.com:sub': 'repo:o/r:ref:refs/heads/main' } },
    expect: [
      ['error', 'condition-key-prefix-not-provider'],
      ['error', 'github-without-sub'],
    ],
    check: {
      rule: 'condition-key-prefix-not-provider',
      message: /always false, so the statement never allows/,
      fix: /^"token\.actions\.githubusercontent\.com:sub"$/,
    },
  },
  {
    name: "condition-key-prefix-not-provider: CircleCI's key without /org/<id>",
    provider: CIRCLE,
    condition: {
      StringEquals: { 'oidc.circleci.com:aud': ORG },
      StringLike: { [k(CIRCLE, 'sub')]: `org/${ORG}/project/${PROJECT}/user/*` },
    },
    expect: [
      ['error', 'condition-key-prefix-not-provider'],
      ['info', 'audience-only-in-client-id-list'],
    ],
    check: { rule: 'condition-key-prefix-not-provider', fix: new RegExp(`^"oidc\\.circleci\\.com/org/${ORG}:aud"$`) },
  },
  {
    name: 'condition-key-of-other-provider: a GitHub key in a gitlab.com statement (GitHub not registered)',
    provider: GITLAB,
    condition: {
      StringEquals: {
        ...aud(GITLAB),
        [k(GITLAB, 'project_id')]: '42',
        'token.actions.githubusercontent.com:sub': 'repo:o/r:ref:refs/heads/main',
      },
    },
    expect: [['error', 'condition-key-of-other-provider']],
  },
  {
    name: "unsupported-condition-key: CircleCI's ssh-rerun claim, with CircleCI's advice as the fix",
    provider: CIRCLE,
    condition: {
      StringEquals: aud(CIRCLE),
      StringLike: { [k(CIRCLE, 'sub')]: `org/${ORG}/project/${PROJECT}/user/*` },
      Bool: { [k(CIRCLE, 'oidc.circleci.com/ssh-rerun')]: 'false' },
    },
    expect: [['error', 'unsupported-condition-key']],
    check: { rule: 'unsupported-condition-key', message: /always false, so the statement never allows/, fix: /Rerun job with SSH/ },
  },
  // Keys that pass when absent
  {
    name: 'condition-passes-when-key-absent: StringEqualsIfExists on GitHub environment',
    provider: GH,
    condition: {
      StringEquals: { ...aud(GH), [k(GH, 'sub')]: 'repo:o@1/r@2:environment:prod' },
      StringEqualsIfExists: { [k(GH, 'environment')]: 'prod' },
    },
    expect: [['warning', 'condition-passes-when-key-absent']],
    check: { rule: 'condition-passes-when-key-absent', message: /a token without a environment claim passes/, fix: /^use StringEquals,/ },
  },
  {
    name: 'condition-passes-when-key-absent: Null "true"; not Null "false", not IfExists on aud, not a negated IfExists',
    provider: GH,
    condition: {
      StringEquals: { [k(GH, 'sub')]: 'repo:o@1/r@2:ref:refs/heads/main' },
      StringEqualsIfExists: aud(GH),
      Null: { [k(GH, 'environment')]: 'true', [k(GH, 'ref')]: 'false' },
      StringNotEqualsIfExists: { [k(GH, 'actor')]: 'bot' },
    },
    expect: [['warning', 'condition-passes-when-key-absent']],
    check: { rule: 'condition-passes-when-key-absent', message: /^Null "true" holds only when 'environment' is absent/ },
  },
  // Actions
  {
    name: 'assume-role-action-for-oidc: sts:AssumeRole for a federated OIDC principal',
    provider: GH,
    statements: [
      allow(GH, { StringEquals: { ...aud(GH), [k(GH, 'sub')]: 'repo:o@1/r@2:ref:refs/heads/main' } }, { Action: 'sts:AssumeRole' }),
    ],
    expect: [['error', 'assume-role-action-for-oidc']],
    check: { rule: 'assume-role-action-for-oidc', path: 'Statement[0].Action', fix: /"Action": "sts:AssumeRoleWithWebIdentity"/ },
  },
  {
    name: 'tag-session-missing: a condition on aws:RequestTag without sts:TagSession',
    provider: GH,
    condition: { StringEquals: { ...aud(GH), [k(GH, 'sub')]: 'repo:o@1/r@2:ref:refs/heads/main', 'aws:RequestTag/team': 'platform' } },
    expect: [['error', 'tag-session-missing']],
    check: { rule: 'tag-session-missing', fix: /"sts:TagSession"/ },
  },
  {
    name: 'tag-session-missing: not with sts:TagSession',
    provider: GH,
    statements: [
      allow(
        GH,
        { StringEquals: { ...aud(GH), [k(GH, 'sub')]: 'repo:o@1/r@2:ref:refs/heads/main', 'aws:RequestTag/team': 'platform' } },
        {
          Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
        },
      ),
    ],
    expect: [],
  },
  // Audience
  {
    name: "no-audience-condition: a shared ClientIDList names the other client's token",
    provider: SHARED,
    condition: { StringEquals: { [k(SHARED, 'sub')]: 'user-1' } },
    expect: [['warning', 'no-audience-condition']],
    check: {
      rule: 'no-audience-condition',
      message: /a token minted for 'app-b' gets in as well as one for 'app-a'/,
      fix: /"idp\.example\.com:aud": "app-a"/,
    },
  },
  // Anyone
  {
    name: "subject-open-to-anyone: GitHub repo:* (another owner's repository)",
    provider: GH,
    condition: { StringEquals: aud(GH), StringLike: { [k(GH, 'sub')]: 'repo:*' } },
    expect: [['error', 'subject-open-to-anyone']],
    check: { rule: 'subject-open-to-anyone', message: /sub 'repo:another-owner\/another-repo:/ },
  },
  {
    name: 'subject-open-to-anyone: GitHub * with a context kept (repo:*:environment:prod)',
    provider: GH,
    condition: { StringEquals: aud(GH), StringLike: { [k(GH, 'sub')]: 'repo:*:environment:prod' } },
    expect: [['error', 'subject-open-to-anyone']],
    check: {
      rule: 'subject-open-to-anyone',
      message: /sub 'repo:another-owner\/another-repo:environment:prod'/,
      fix: /repo:<owner>\/<repo>:environment:prod/,
    },
  },
  {
    name: 'subject-open-to-anyone: not when repository_id pins the repository',
    provider: GH,
    condition: { StringEquals: { ...aud(GH), [k(GH, 'repository_id')]: '74' }, StringLike: { [k(GH, 'sub')]: '*' } },
    expect: [],
  },
  {
    name: 'subject-open-to-anyone: gitlab.com without a sub condition',
    provider: GITLAB,
    condition: { StringEquals: aud(GITLAB) },
    expect: [['error', 'subject-open-to-anyone']],
    check: {
      rule: 'subject-open-to-anyone',
      message: /any project on gitlab\.com .*sub 'project_path:another-group\/another-project:ref_type:branch:ref:main'/,
    },
  },
  {
    name: 'subject-open-to-anyone: HCP Terraform organization:*',
    provider: TFC,
    condition: { StringEquals: aud(TFC), StringLike: { [k(TFC, 'sub')]: 'organization:*' } },
    expect: [['error', 'subject-open-to-anyone']],
    check: {
      rule: 'subject-open-to-anyone',
      message: /sub 'organization:another-org:project:Default Project:workspace:any-workspace:run_phase:apply'/,
    },
  },
  // GitHub subjects
  {
    name: 'github-sub-any-context: not for any branch only (ref:refs/heads/*)',
    provider: GH,
    condition: { StringEquals: aud(GH), StringLike: { [k(GH, 'sub')]: 'repo:o@1/r@2:ref:refs/heads/*' } },
    expect: [],
  },
  {
    name: 'github-pull-request-subject: not for a role for pull requests only',
    provider: GH,
    condition: { StringEquals: { ...aud(GH), [k(GH, 'sub')]: 'repo:o@1/r@2:pull_request' } },
    expect: [],
  },
  {
    name: 'branch-name-prefix-wildcard: refs/heads/main* admits main-hotfix',
    provider: GH,
    condition: { StringEquals: aud(GH), StringLike: { [k(GH, 'sub')]: 'repo:o@1/r@2:ref:refs/heads/main*' } },
    expect: [['warning', 'branch-name-prefix-wildcard']],
    check: {
      rule: 'branch-name-prefix-wildcard',
      message: /a branch named 'main-hotfix' matches too \(sub 'repo:o@1\/r@2:ref:refs\/heads\/main-hotfix'\)/,
      fix: /"repo:o@1\/r@2:ref:refs\/heads\/main"$/,
    },
  },
  {
    name: "branch-name-prefix-wildcard: GitHub's ref key, and not release-* (a prefix by name)",
    provider: GH,
    condition: {
      StringEquals: { ...aud(GH), [k(GH, 'sub')]: 'repo:o@1/r@2:environment:prod' },
      StringLike: { [k(GH, 'ref')]: ['refs/tags/v1*', 'refs/heads/release-*'] },
    },
    expect: [['warning', 'branch-name-prefix-wildcard']],
    check: { rule: 'branch-name-prefix-wildcard', message: /a tag named 'v1-hotfix' matches too/ },
  },
  {
    name: 'branch-name-prefix-wildcard: GitLab ref:main*',
    provider: GITLAB,
    condition: {
      StringEquals: { ...aud(GITLAB), [k(GITLAB, 'project_id')]: '42' },
      StringLike: { [k(GITLAB, 'sub')]: 'project_path:g/p:ref_type:branch:ref:main*' },
    },
    expect: [['warning', 'branch-name-prefix-wildcard']],
    claims: { project_id: '42' },
  },
  {
    name: 'github-custom-subject-unpinned: an owner-wide custom subject',
    provider: GH,
    condition: { StringEquals: { ...aud(GH), [k(GH, 'sub')]: 'repository_owner:octo-org:environment:prod' } },
    expect: [['warning', 'github-custom-subject-unpinned']],
    check: { rule: 'github-custom-subject-unpinned', message: /any repository of octo-org/ },
  },
  {
    name: 'subject-open-to-anyone: a custom subject that names neither repository nor owner (context only)',
    provider: GH,
    condition: { StringEquals: { ...aud(GH), [k(GH, 'sub')]: 'environment:prod' } },
    expect: [['error', 'subject-open-to-anyone']],
    check: { rule: 'subject-open-to-anyone', message: /sub 'environment:prod'/ },
  },
  {
    name: 'github-custom-subject-unpinned: not when the template names the reusable workflow (which is followed by branch: info)',
    provider: GH,
    condition: {
      StringEquals: {
        ...aud(GH),
        [k(GH, 'sub')]: 'repository_owner:octo-org:job_workflow_ref:octo-org/wf/.github/workflows/deploy.yml@refs/heads/main',
      },
    },
    expect: [['info', 'github-job-workflow-ref-not-sha']],
  },
  {
    name: 'github-sub-name-based: not on GHE.com (no immutable subjects there), not with repository_id pinned',
    provider: GHE,
    condition: { StringEquals: { ...aud(GHE), [k(GHE, 'sub')]: 'repo:o/r:ref:refs/heads/main' } },
    expect: [],
  },
  {
    name: 'github-sub-name-based: not when repository_id is pinned',
    provider: GH,
    condition: { StringEquals: { ...aud(GH), [k(GH, 'sub')]: 'repo:o/r:ref:refs/heads/main', [k(GH, 'repository_id')]: '74' } },
    expect: [],
  },
  {
    name: 'github-job-workflow-ref-not-sha: not for a commit SHA; a tag is reported',
    provider: GH,
    condition: {
      StringEquals: {
        ...aud(GH),
        [k(GH, 'sub')]: 'repo:o@1/r@2:ref:refs/heads/main',
        [k(GH, 'job_workflow_ref')]: [
          'o/wf/.github/workflows/a.yml@0123456789abcdef0123456789abcdef01234567',
          'o/wf/.github/workflows/b.yml@refs/tags/v1',
        ],
      },
    },
    expect: [['info', 'github-job-workflow-ref-not-sha']],
    check: {
      rule: 'github-job-workflow-ref-not-sha',
      message: /follows refs\/tags\/v1 of o\/wf/,
      fix: /o\/wf\/\.github\/workflows\/b\.yml@<commit-sha>/,
    },
  },
  // CircleCI tokens
  {
    name: 'circleci-v1-token-skips-v2-guard: a StringNotLike on vcs-ref in an Allow that admits V1 subjects',
    provider: CIRCLE,
    condition: {
      StringEquals: aud(CIRCLE),
      StringLike: { [k(CIRCLE, 'sub')]: `org/${ORG}/project/${PROJECT}/user/*` },
      StringNotLike: { [k(CIRCLE, 'sub')]: '*/vcs-ref/refs/heads/feature/*' },
    },
    expect: [['warning', 'circleci-v1-token-skips-v2-guard']],
    check: { rule: 'circleci-v1-token-skips-v2-guard', message: new RegExp(`sub 'org/${ORG}/project/${PROJECT}/user/`) },
  },
  {
    name: 'subject-open-to-organisation: a CircleCI sub in no CircleCI format (repo:...) admits no job, so no project is named as getting in',
    provider: CIRCLE,
    condition: { StringEquals: aud(CIRCLE), StringLike: { [k(CIRCLE, 'sub')]: 'repo:*' } },
    expect: [],
  },
  {
    name: 'circleci-v1-token-skips-v2-guard: a Deny on a V2 branch pattern',
    provider: CIRCLE,
    statements: [
      allow(CIRCLE, { StringEquals: aud(CIRCLE), StringLike: { [k(CIRCLE, 'sub')]: `org/${ORG}/project/${PROJECT}/user/*` } }),
      { ...allow(CIRCLE, { StringLike: { [k(CIRCLE, 'sub')]: '*/vcs-ref/refs/heads/dev' } }), Effect: 'Deny' },
    ],
    expect: [['warning', 'circleci-v1-token-skips-v2-guard']],
    check: {
      rule: 'circleci-v1-token-skips-v2-guard',
      path: `Statement[1].Condition.StringLike["${k(CIRCLE, 'sub')}"]`,
      message: /^the Deny of Statement\[1\]/,
    },
  },
  // GitLab
  {
    name: 'gitlab-ref-type-wildcard: a tag named like the branch; gitlab-ref-wildcard not (the ref is named)',
    provider: GITLAB,
    condition: {
      StringEquals: { ...aud(GITLAB), [k(GITLAB, 'project_id')]: '42' },
      StringLike: { [k(GITLAB, 'sub')]: 'project_path:g/p:ref_type:*:ref:main' },
    },
    expect: [['warning', 'gitlab-ref-type-wildcard']],
    check: { rule: 'gitlab-ref-type-wildcard', message: /sub 'project_path:g\/p:ref_type:tag:ref:main'/ },
    claims: { project_id: '42' },
  },
  {
    name: 'gitlab-ref-type-wildcard, gitlab-ref-wildcard: not with ref_protected "true" (gitlab.com)',
    provider: GITLAB,
    condition: {
      StringEquals: { ...aud(GITLAB), [k(GITLAB, 'project_id')]: '42', [k(GITLAB, 'ref_protected')]: 'true' },
      StringLike: { [k(GITLAB, 'sub')]: 'project_path:g/p:ref_type:*:ref:*' },
    },
    expect: [],
  },
  {
    name: 'gitlab-subject-path-only: not with project_id pinned; the spans-subgroups fix names namespace_id on gitlab.com',
    provider: GITLAB,
    condition: { StringEquals: aud(GITLAB), StringLike: { [k(GITLAB, 'sub')]: 'project_path:g/*:ref_type:branch:ref:main' } },
    expect: [['warning', 'gitlab-project-path-spans-subgroups']],
    check: {
      rule: 'gitlab-project-path-spans-subgroups',
      message: /sub 'project_path:g\/any-subgroup\/another-project:ref_type:branch:ref:main'/,
      fix: /namespace_id/,
    },
  },
  // Terraform
  {
    name: 'terraform-organization-wide: organization:ORG:* (and not the workspace or run-phase rule as well)',
    provider: TFC,
    condition: { StringEquals: aud(TFC), StringLike: { [k(TFC, 'sub')]: 'organization:my-org:*' } },
    expect: [['warning', 'terraform-organization-wide']],
  },
  {
    name: 'terraform-workspace-wildcard: workspace:* of one project, applies only',
    provider: TFC,
    condition: { StringEquals: aud(TFC), StringLike: { [k(TFC, 'sub')]: 'organization:my-org:project:infra:workspace:*:run_phase:apply' } },
    expect: [['warning', 'terraform-workspace-wildcard']],
    check: {
      rule: 'terraform-workspace-wildcard',
      message: /sub 'organization:my-org:project:infra:workspace:any-workspace:run_phase:apply'/,
    },
  },
  // Bitbucket, EKS
  {
    name: 'bitbucket-workspace-wide: a sub of *',
    provider: BB,
    condition: { StringEquals: aud(BB), StringLike: { [k(BB, 'sub')]: '*' } },
    expect: [['warning', 'bitbucket-workspace-wide']],
    check: { rule: 'bitbucket-workspace-wide', message: /every repository of Bitbucket workspace acme/ },
  },
  {
    name: 'eks-service-account-wildcard: a namespace wildcard keeps the account name',
    provider: EKS,
    condition: { StringEquals: aud(EKS), StringLike: { [k(EKS, 'sub')]: 'system:serviceaccount:*:deployer' } },
    expect: [['warning', 'eks-service-account-wildcard']],
    check: { rule: 'eks-service-account-wildcard', message: /sub 'system:serviceaccount:another-namespace:deployer'/ },
  },
  {
    name: 'eks-service-account-wildcard: a namespace prefix (team-*)',
    provider: EKS,
    condition: { StringEquals: aud(EKS), StringLike: { [k(EKS, 'sub')]: 'system:serviceaccount:team-*:deployer' } },
    expect: [['warning', 'eks-service-account-wildcard']],
    check: {
      rule: 'eks-service-account-wildcard',
      message: /sub 'system:serviceaccount:team-another-namespace:deployer'/,
      fix: /"system:serviceaccount:<namespace>:deployer"/,
    },
  },
  {
    name: 'eks-service-account-wildcard: not for every account of one namespace',
    provider: EKS,
    condition: { StringEquals: aud(EKS), StringLike: { [k(EKS, 'sub')]: 'system:serviceaccount:ci:*' } },
    expect: [],
  },
  {
    name: 'eks-service-account-wildcard: no sub condition (the audience pinned)',
    provider: EKS,
    condition: { StringEquals: aud(EKS) },
    expect: [['warning', 'eks-service-account-wildcard']],
    check: { rule: 'eks-service-account-wildcard', path: 'Statement[0].Condition' },
  },
];

const namedSubjects = (f: Finding): string[] => [...f.message.matchAll(/\(sub '([^']+)'\)/g)].map((m) => m[1] as string);
const NAMES_A_DENIED_TOKEN = new Set(['circleci-v2-sub-excludes-v1']);

describe('lint rule vectors', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const config = configWith([row.provider], row.statements ?? [allow(row.provider, row.condition)]);
      const findings = lintConfig(config);
      const shown = JSON.stringify(findings, null, 2);
      assert.deepEqual(findings.map((f) => [f.severity, f.rule] as const).sort(), [...row.expect].sort(), shown);
      for (const f of findings) {
        assert.ok(f.line !== undefined && f.line > 0, `${f.rule}: a line for ${f.path}`);
        assert.ok(f.fix.length > 0 && f.message.length > 0);
        for (const sub of namedSubjects(f)) {
          const claims = { aud: row.provider.clientIds[0] as string, ...row.claims, sub };
          assert.equal(allows(config, row.provider, claims), !NAMES_A_DENIED_TOKEN.has(f.rule), `${f.rule}: sub '${sub}'`);
        }
      }
      if (row.check !== undefined) {
        const { rule, message, fix, path } = row.check;
        const f = findings.find((x) => x.rule === rule) ?? assert.fail(`no ${rule} finding:\n${shown}`);
        if (message !== undefined) assert.match(f.message, message);
        if (fix !== undefined) assert.match(f.fix, fix);
        if (path !== undefined) assert.equal(f.path, `AssumeRolePolicyDocument.${path}`);
      }
    });
  }
});
