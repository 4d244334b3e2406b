/**
 * What each preset's options do to the claims: GitHub's triggers, environments, reusable workflows, custom and
 * immutable subjects; CircleCI's V1/V2, webhook pipelines, SSH reruns; GitLab, HCP Terraform, Bitbucket and EKS
 * subjects. And the problems options can have (choices, conflicts), as case files and the API see them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { presetClaims, presetNamed, PRESETS } from '../../src/identity/provider-kinds.js';
import { DEMO, presetOptionProblems, type PresetName } from '../../src/identity/presets.js';

const T = { now: new Date('2026-03-01T10:00:00Z'), ttlSeconds: 3600 };
const T_S = T.now.getTime() / 1000;
const GH = 'https://token.actions.githubusercontent.com';
const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const CIRCLE = `https://oidc.circleci.com/org/${ORG}`;

interface ShapeRow {
  readonly name: string;
  /** The page the shape comes from. */
  readonly page: string;
  readonly preset: PresetName;
  readonly issuer: string;
  readonly options: Record<string, unknown>;
  readonly expect: Record<string, unknown>;
  /** Claims that must be absent. */
  readonly absent?: readonly string[];
}

/** The pages the rows cite. */
const PAGE = {
  githubReference: 'GitHub "OpenID Connect reference" https://docs.github.com/en/actions/reference/security/oidc',
  githubConcepts: 'GitHub "OpenID Connect" https://docs.github.com/en/actions/concepts/security/openid-connect',
  githubImmutable:
    'GitHub changelog "Immutable subject claims for GitHub Actions OIDC tokens" https://github.blog/changelog/2026-04-23-immutable-subject-claims-for-github-actions-oidc-tokens/',
  ghecom:
    'GitHub "Network details for GHE.com" https://docs.github.com/en/enterprise-cloud@latest/admin/data-residency/network-details-for-ghecom',
  ghes: 'GitHub Enterprise Server "OpenID Connect reference" https://docs.github.com/en/enterprise-server@latest/actions/reference/security/oidc',
  circleci: 'CircleCI "Using OpenID Connect tokens in jobs" https://circleci.com/docs/openid-connect-tokens/',
  circleciCustom: 'CircleCI "OIDC tokens with custom claims" https://circleci.com/docs/openid-connect-tokens/#custom-claims',
  gitlab: 'GitLab "OpenID Connect (OIDC) Authentication Using ID Tokens" https://docs.gitlab.com/ci/secrets/id_token_authentication/',
  terraform:
    'HCP Terraform "Workload identity" https://developer.hashicorp.com/terraform/cloud-docs/dynamic-provider-credentials/workload-identity-tokens',
  bitbucket:
    'Bitbucket "Integrate Pipelines with resource servers using OIDC" https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/',
  eks: 'EKS User Guide "Assign IAM roles to Kubernetes service accounts" https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html',
} as const;

const V1 = `org/${ORG}/project/${DEMO.circleci.projectId}/user/${DEMO.circleci.userId}`;

const rows: readonly ShapeRow[] = [
  // GitHub: the default sub of each trigger (OpenID Connect reference, "Example subject claims")
  {
    name: 'github push of a branch',
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: { branch: 'release/2' },
    expect: {
      sub: 'repo:demo-org/demo-app:ref:refs/heads/release/2',
      ref: 'refs/heads/release/2',
      ref_type: 'branch',
      event_name: 'push',
      head_ref: '',
      base_ref: '',
    },
  },
  {
    name: 'github push of a tag',
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: { tag: 'v1.2.0' },
    expect: { sub: 'repo:demo-org/demo-app:ref:refs/tags/v1.2.0', ref: 'refs/tags/v1.2.0', ref_type: 'tag', ref_protected: 'false' },
  },
  {
    name: 'github pull_request: sub :pull_request, ref refs/pull/<n>/merge, head_ref and base_ref',
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: { trigger: 'pull_request', branch: 'fix-x', pullRequest: '7' },
    expect: {
      sub: 'repo:demo-org/demo-app:pull_request',
      ref: 'refs/pull/7/merge',
      head_ref: 'fix-x',
      base_ref: 'main',
      event_name: 'pull_request',
      workflow_ref: 'demo-org/demo-app/.github/workflows/deploy.yml@refs/pull/7/merge',
    },
  },
  {
    name: 'github pull_request_target: sub :pull_request, ref the base branch',
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: { trigger: 'pull_request_target', baseBranch: 'develop' },
    expect: {
      sub: 'repo:demo-org/demo-app:pull_request',
      ref: 'refs/heads/develop',
      head_ref: 'feature',
      base_ref: 'develop',
      event_name: 'pull_request_target',
    },
  },
  {
    name: 'github workflow_dispatch on a branch',
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: { trigger: 'workflow_dispatch', branch: 'main' },
    expect: { sub: 'repo:demo-org/demo-app:ref:refs/heads/main', event_name: 'workflow_dispatch' },
  },
  {
    name: 'github schedule runs on the default branch',
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: { trigger: 'schedule' },
    expect: { sub: 'repo:demo-org/demo-app:ref:refs/heads/main', event_name: 'schedule', ref_protected: 'true' },
  },
  {
    name: 'github environment job: the environment wins over the trigger',
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: { trigger: 'pull_request', environment: 'production' },
    expect: { sub: 'repo:demo-org/demo-app:environment:production', environment: 'production' },
  },
  {
    name: "github ':' in an environment is %3A in sub, kept in the claim",
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: { environment: 'Production:V1' },
    expect: { sub: 'repo:demo-org/demo-app:environment:Production%3AV1', environment: 'Production:V1' },
  },
  {
    name: 'github reusable workflow: job_workflow_ref and job_workflow_sha differ from the caller',
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: { jobWorkflowRef: 'demo-org/deploy-workflows/.github/workflows/deploy.yml@refs/heads/main' },
    expect: {
      workflow_ref: 'demo-org/demo-app/.github/workflows/deploy.yml@refs/heads/main',
      job_workflow_ref: 'demo-org/deploy-workflows/.github/workflows/deploy.yml@refs/heads/main',
      job_workflow_sha: 'fedcba9876543210fedcba9876543210fedcba98',
    },
  },
  {
    name: 'github include_claim_keys [repo, context, job_workflow_ref] (the reference page example)',
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: {
      repository: 'octo-org/octo-repo',
      environment: 'prod',
      jobWorkflowRef: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
      includeClaimKeys: ['repo', 'context', 'job_workflow_ref'],
    },
    expect: {
      sub: 'repo:octo-org/octo-repo:environment:prod:job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
    },
  },
  {
    name: 'github include_claim_keys [repository_owner, repository_visibility]',
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: { repository: 'monalisa/app', includeClaimKeys: ['repository_owner', 'repository_visibility'] },
    expect: { sub: 'repository_owner:monalisa:repository_visibility:private' },
  },
  {
    name: "github include_claim_keys [environment, repository_owner] with ':' in the environment",
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: { repository: 'octo-org/x', environment: 'production:eastus', includeClaimKeys: ['environment', 'repository_owner'] },
    expect: { sub: 'environment:production%3Aeastus:repository_owner:octo-org' },
  },
  {
    name: 'github immutable subject: repo:<owner>@<owner-id>/<repo>@<repo-id>',
    page: PAGE.githubImmutable,
    preset: 'github',
    issuer: GH,
    // The changelog's example, word for word.
    options: { repository: 'octocat/my-repo', repositoryOwnerId: '123456', repositoryId: '456789', branch: 'main', immutableSub: true },
    expect: { sub: 'repo:octocat@123456/my-repo@456789:ref:refs/heads/main', repository: 'octocat/my-repo' },
  },
  {
    name: 'github immutable subject stays in a custom template',
    page: PAGE.githubImmutable,
    preset: 'github',
    issuer: GH,
    options: { repositoryOwnerId: '1', repositoryId: '2', immutableSub: true, includeClaimKeys: ['repo', 'context', 'job_workflow_ref'] },
    expect: {
      sub: 'repo:demo-org@1/demo-app@2:ref:refs/heads/main:job_workflow_ref:demo-org/demo-app/.github/workflows/deploy.yml@refs/heads/main',
    },
  },
  {
    name: 'github on GHE.com: iss token.actions.<subdomain>.ghe.com, the enterprise from it',
    page: PAGE.ghecom,
    preset: 'github',
    issuer: 'https://token.actions.octocorp.ghe.com',
    options: {},
    expect: { iss: 'https://token.actions.octocorp.ghe.com', enterprise: 'octocorp', enterprise_id: DEMO.github.enterpriseId },
  },
  {
    name: 'github on GHES: iss https://<host>/_services/token, no enterprise unless given',
    page: PAGE.ghes,
    preset: 'github',
    issuer: 'https://ghes.example.com/_services/token',
    options: { runnerEnvironment: 'self-hosted' },
    expect: { iss: 'https://ghes.example.com/_services/token', runner_environment: 'self-hosted' },
    absent: ['enterprise', 'enterprise_id'],
  },
  {
    name: 'github ids as GitHub sends them: strings of digits',
    page: PAGE.githubConcepts,
    preset: 'github',
    issuer: GH,
    options: {},
    expect: { repository_id: '200000002', repository_owner_id: '100000001', actor_id: '400000004', runner_environment: 'github-hosted' },
    absent: ['environment', 'enterprise'],
  },
  // CircleCI
  {
    name: 'circleci V2 sub (default)',
    page: PAGE.circleci,
    preset: 'circleci',
    issuer: CIRCLE,
    options: {},
    expect: { sub: `${V1}/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main`, aud: ORG },
  },
  { name: 'circleci V1 sub', page: PAGE.circleci, preset: 'circleci', issuer: CIRCLE, options: { v1: true }, expect: { sub: V1 } },
  {
    name: 'circleci tag',
    page: PAGE.circleci,
    preset: 'circleci',
    issuer: CIRCLE,
    options: { tag: 'v1' },
    expect: { 'oidc.circleci.com/vcs-ref': 'refs/tags/v1' },
  },
  {
    name: 'circleci custom aud',
    page: PAGE.circleciCustom,
    preset: 'circleci',
    issuer: CIRCLE,
    options: { aud: 'sts.amazonaws.com' },
    expect: { aud: 'sts.amazonaws.com' },
  },
  {
    name: 'circleci ssh rerun',
    page: PAGE.circleci,
    preset: 'circleci',
    issuer: CIRCLE,
    options: { sshRerun: true },
    expect: { 'oidc.circleci.com/ssh-rerun': true },
  },
  {
    name: 'circleci context ids',
    page: PAGE.circleci,
    preset: 'circleci',
    issuer: CIRCLE,
    options: { contextIds: ['c1', 'c2'] },
    expect: { 'oidc.circleci.com/context-ids': ['c1', 'c2'] },
  },
  {
    name: 'circleci custom webhook: no VCS claims, no VCS parts in the V2 sub',
    page: PAGE.circleci,
    preset: 'circleci',
    issuer: CIRCLE,
    options: { trigger: 'webhook' },
    expect: { sub: V1 },
    absent: ['oidc.circleci.com/vcs-origin', 'oidc.circleci.com/vcs-ref'],
  },
  // GitLab
  {
    name: 'gitlab branch: sub, ref, ref_path, protected main',
    page: PAGE.gitlab,
    preset: 'gitlab',
    issuer: 'https://gitlab.com',
    options: {},
    expect: {
      sub: 'project_path:demo-group/demo-project:ref_type:branch:ref:main',
      ref: 'main',
      ref_type: 'branch',
      ref_path: 'refs/heads/main',
      ref_protected: 'true',
      aud: 'https://gitlab.com',
      namespace_path: 'demo-group',
      pipeline_source: 'push',
      ci_config_ref_uri: 'gitlab.com/demo-group/demo-project//.gitlab-ci.yml@refs/heads/main',
    },
    absent: ['environment', 'environment_protected', 'deployment_tier'],
  },
  {
    name: 'gitlab tag in a subgroup project',
    page: PAGE.gitlab,
    preset: 'gitlab',
    issuer: 'https://gitlab.com',
    options: { projectPath: 'acme/platform/api', tag: 'v2.0.0' },
    expect: {
      sub: 'project_path:acme/platform/api:ref_type:tag:ref:v2.0.0',
      namespace_path: 'acme/platform',
      ref_path: 'refs/tags/v2.0.0',
      ref_protected: 'false',
      ci_config_ref_uri: 'gitlab.com/acme/platform/api//.gitlab-ci.yml@refs/tags/v2.0.0',
    },
  },
  {
    name: 'gitlab environment: tier guessed from the name, the sub unchanged',
    page: PAGE.gitlab,
    preset: 'gitlab',
    issuer: 'https://gitlab.com',
    options: { environment: 'production', trigger: 'web', userAccessLevel: 'maintainer' },
    expect: {
      sub: 'project_path:demo-group/demo-project:ref_type:branch:ref:main',
      environment: 'production',
      deployment_tier: 'production',
      environment_protected: 'false',
      pipeline_source: 'web',
      user_access_level: 'maintainer',
    },
  },
  {
    name: 'github include_claim_keys naming a claim this token lacks: written with an empty value',
    page: PAGE.githubReference,
    preset: 'github',
    issuer: GH,
    options: { includeClaimKeys: ['repo', 'enterprise'] },
    expect: { sub: 'repo:demo-org/demo-app:enterprise:' },
    absent: ['enterprise'],
  },
  {
    name: 'gitlab nbf is iat - 5, as in its example',
    page: PAGE.gitlab,
    preset: 'gitlab',
    issuer: 'https://gitlab.com',
    options: { environment: 'review/fix-1' },
    expect: { nbf: T_S - 5, iat: T_S, deployment_tier: 'development' },
  },
  // HCP Terraform
  {
    name: 'terraform nbf is iat',
    page: PAGE.terraform,
    preset: 'terraform',
    issuer: 'https://app.terraform.io',
    options: {},
    expect: { nbf: T_S, iat: T_S, sub: 'organization:demo-org:project:Default Project:workspace:demo-workspace:run_phase:apply' },
  },
  {
    name: 'terraform plan phase',
    page: PAGE.terraform,
    preset: 'terraform',
    issuer: 'https://app.terraform.io',
    options: { runPhase: 'plan', workspace: 'networking' },
    expect: {
      sub: 'organization:demo-org:project:Default Project:workspace:networking:run_phase:plan',
      terraform_full_workspace: 'organization:demo-org:project:Default Project:workspace:networking',
      terraform_run_phase: 'plan',
      aud: 'aws.workload.identity',
    },
  },
  // Bitbucket
  {
    name: 'bitbucket step without a deployment: sub {repository}:{step}',
    page: PAGE.bitbucket,
    preset: 'bitbucket',
    issuer: 'https://api.bitbucket.org/2.0/workspaces/demo-workspace/pipelines-config/identity/oidc',
    options: {},
    expect: {
      sub: `${DEMO.bitbucket.repositoryUuid}:${DEMO.bitbucket.stepUuid}`,
      aud: `ari:cloud:bitbucket::workspace/${DEMO.bitbucket.workspaceUuid.slice(1, -1)}`,
    },
    absent: ['deploymentEnvironmentUuid'],
  },
  // EKS
  {
    name: 'eks: sub system:serviceaccount:<namespace>:<name>, aud a list',
    page: PAGE.eks,
    preset: 'eks',
    issuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
    options: { namespace: 'payments', serviceAccount: 'api' },
    expect: {
      sub: 'system:serviceaccount:payments:api',
      aud: ['sts.amazonaws.com'],
      iss: 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
      'kubernetes.io': {
        namespace: 'payments',
        node: { name: DEMO.eks.node, uid: DEMO.eks.nodeUid },
        pod: { name: 'api-7c9d8b6f5d-x2x4z', uid: DEMO.eks.podUid },
        serviceaccount: { name: 'api', uid: DEMO.eks.serviceAccountUid },
      },
    },
  },
];

describe('preset options shape the claims', () => {
  for (const row of rows) {
    test(`${row.name} — ${row.page}`, () => {
      assert.deepEqual(presetOptionProblems(presetNamed(row.preset), row.options), [], 'the options are valid');
      const claims = presetClaims(row.preset, row.issuer, row.options, T, 'jti-1');
      for (const [k, v] of Object.entries(row.expect)) assert.deepEqual(claims[k], v, k);
      for (const k of row.absent ?? []) assert.equal(Object.hasOwn(claims, k), false, `${k} is absent`);
    });
  }
});

const problems: readonly {
  name: string;
  preset: PresetName;
  options: Record<string, unknown>;
  expect: { option: string; message: string }[];
}[] = [
  {
    name: 'a value outside the choices',
    preset: 'github',
    options: { trigger: 'release' },
    expect: [
      { option: 'trigger', message: "must be one of push, pull_request, pull_request_target, workflow_dispatch, schedule, got 'release'" },
    ],
  },
  {
    name: 'an option of an earlier version names its successor',
    preset: 'github',
    options: { eventName: 'pull_request' },
    expect: [{ option: 'eventName', message: 'was renamed trigger' }],
  },
  {
    name: 'branch and tag',
    preset: 'github',
    options: { branch: 'a', tag: 'b' },
    expect: [{ option: '', message: 'give branch or tag, not both' }],
  },
  {
    name: 'branch, ref and tag',
    preset: 'circleci',
    options: { branch: 'a', tag: 'b', ref: 'refs/x' },
    expect: [{ option: '', message: 'give only one of branch, ref, tag' }],
  },
  {
    name: 'a ref for a pull request',
    preset: 'github',
    options: { trigger: 'pull_request', ref: 'refs/heads/x' },
    expect: [{ option: '', message: 'ref does not apply to pull requests (trigger pull_request)' }],
  },
  {
    name: 'a pull request number for a push',
    preset: 'github',
    options: { pullRequest: '3' },
    expect: [{ option: '', message: 'pullRequest applies only to pull requests (trigger push)' }],
  },
  {
    name: 'include_claim_keys naming what is no claim',
    preset: 'github',
    options: { includeClaimKeys: ['repo', 'branch'] },
    expect: [{ option: '', message: "includeClaimKeys: 'branch' is not a claim of GitHub's tokens (nor repo or context)" }],
  },
  {
    name: 'include_claim_keys naming environment without one',
    preset: 'github',
    options: { includeClaimKeys: ['environment'] },
    expect: [
      {
        option: '',
        message: 'includeClaimKeys names environment: GitHub then issues tokens only to jobs with an environment; give environment',
      },
    ],
  },
  {
    name: 'a webhook pipeline with VCS options',
    preset: 'circleci',
    options: { trigger: 'webhook', branch: 'main' },
    expect: [{ option: '', message: 'branch does not apply to trigger webhook (a custom webhook has no VCS)' }],
  },
  {
    name: 'a Bitbucket UUID without braces',
    preset: 'bitbucket',
    options: { repositoryUuid: '8e7d6c5b-4a39-4281-9f0e-d1c2b3a49586' },
    expect: [
      { option: '', message: 'repositoryUuid must be a UUID in braces, as Bitbucket writes them: {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}' },
    ],
  },
  {
    name: 'a Kubernetes name with a colon',
    preset: 'eks',
    options: { serviceAccount: 'a:b' },
    expect: [{ option: '', message: "serviceAccount must be a Kubernetes name (lower-case letters, digits, '-' and '.')" }],
  },
  {
    name: 'GitLab environment options without an environment',
    preset: 'gitlab',
    options: { deploymentTier: 'production' },
    expect: [{ option: '', message: 'deploymentTier needs environment' }],
  },
  {
    name: 'a Terraform workspace with a colon',
    preset: 'terraform',
    options: { workspace: 'a:b' },
    expect: [{ option: '', message: "workspace cannot contain ':'" }],
  },
  {
    name: 'an option of another preset, and a wrong kind',
    preset: 'terraform',
    options: { branch: 'main', runPhase: true },
    expect: [
      {
        option: 'branch',
        message:
          'unknown option of preset terraform (known: name, organization, organizationId, project, projectId, workspace, workspaceId, runPhase, runId, aud)',
      },
      { option: 'runPhase', message: 'must be a non-empty string' },
    ],
  },
];

describe('preset option problems', () => {
  for (const p of problems) {
    test(p.name, () => assert.deepEqual(presetOptionProblems(presetNamed(p.preset), p.options), p.expect));
  }
});

test('each renamed option names an option of its preset, and no current one', () => {
  for (const name of PRESETS) {
    const preset = presetNamed(name);
    for (const [old, now] of Object.entries(preset.renamed ?? {})) {
      assert.ok(Object.hasOwn(preset.options, now), `${name}: ${old} -> ${now}`);
      assert.equal(Object.hasOwn(preset.options, old), false, `${name}: ${old} is still an option`);
    }
  }
});
