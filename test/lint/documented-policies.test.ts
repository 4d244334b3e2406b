/**
 * Precision and recall against the providers' own documentation: each row is a trust policy as a provider's (or
 * AWS's) page shows it, cited, marked documented-safe (the page recommends it: lint must report nothing above info)
 * or documented-dangerous (a pattern the page shows whose danger issue 16 lists: lint must report it). Every token a
 * finding names as getting in is then checked with the evaluator: it does get in.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding, Severity } from '../../src/lint/index.js';
import { allow, allows, configWith, type ProviderSpec } from './helpers.js';
import { lintConfig } from '../../src/lint/index.js';

const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const PROJECT = '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5';
const REPO_UUID = '{8d4b2c1a-3e5f-4a6b-9c7d-1e2f3a4b5c6d}';

const GITHUB: ProviderSpec = { url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'] };
const GITLAB_COM: ProviderSpec = { url: 'https://gitlab.com', clientIds: ['https://gitlab.com'] };
const GITLAB_SELF: ProviderSpec = { url: 'https://gitlab.example.com', clientIds: ['https://gitlab.example.com'] };
const CIRCLECI: ProviderSpec = { url: `https://oidc.circleci.com/org/${ORG}`, clientIds: [ORG] };
const TERRAFORM: ProviderSpec = { url: 'https://app.terraform.io', clientIds: ['aws.workload.identity'] };
const BITBUCKET: ProviderSpec = {
  url: 'https://api.bitbucket.org/2.0/workspaces/my-workspace/pipelines-config/identity/oidc',
  clientIds: ['ari:cloud:bitbucket::workspace/6a2d4f8e-1b3c-4d5e-8f9a-0b1c2d3e4f5a'],
};
const EKS: ProviderSpec = {
  url: 'https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
  clientIds: ['sts.amazonaws.com'],
};

const key = (p: ProviderSpec, claim: string): string => `${p.url.replace('https://', '')}:${claim}`;

interface Row {
  readonly name: string;
  /** The page the policy comes from (and what it says about it). */
  readonly source: string;
  readonly kind: 'safe' | 'dangerous';
  readonly provider: ProviderSpec;
  readonly condition: Record<string, unknown> | undefined;
  /** Exactly these findings (severity, rule), in any order. */
  readonly expect: readonly (readonly [Severity, string])[];
  /** The claims of the token the policy was written for, besides sub (the audience, the pinned ids). */
  readonly claims: Record<string, string>;
}

const AWS_GITHUB =
  'IAM User Guide, "Create a role for OpenID Connect federation": Configuring a role for GitHub OIDC identity provider (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub)';
const GITHUB_AWS =
  'GitHub Docs, "Configuring OpenID Connect in Amazon Web Services" (https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws)';
const GITHUB_REFERENCE =
  'GitHub Docs, "OpenID Connect reference" and "OpenID Connect": example subject claims, the token example, immutable subject claims (https://docs.github.com/en/actions/reference/security/oidc)';
const GITLAB_AWS =
  'GitLab Docs, "Configure OpenID Connect in AWS to retrieve temporary credentials" (https://docs.gitlab.com/ci/cloud_services/aws/)';
const GITLAB_CLOUD =
  'GitLab Docs, "Connect to cloud services": configure a conditional role with OIDC claims, filter types (https://docs.gitlab.com/ci/cloud_services/#configure-a-conditional-role-with-oidc-claims)';
const CIRCLECI_DOC =
  'CircleCI Docs, "Using OpenID Connect tokens in jobs": Set up AWS; Limit role access based on project / branch (https://circleci.com/docs/openid-connect-tokens/; seed 001)';
const TERRAFORM_DOC =
  'HCP Terraform Docs, "Use dynamic credentials with the AWS provider": Configure AWS, trust policy (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration; hashicorp/terraform-dynamic-credentials-setup-examples aws/aws.tf)';
const BITBUCKET_DOC =
  'Bitbucket Cloud Support, "Deploy on AWS using Bitbucket Pipelines OpenID Connect": the role "can be assumed by anyone using Bitbucket Pipelines with this OIDC provider" (https://support.atlassian.com/bitbucket-cloud/docs/deploy-on-aws-using-bitbucket-pipelines-openid-connect/); sub format from "Integrate Pipelines with resource servers using OIDC"';
const EKS_DOC =
  'Amazon EKS User Guide, "Assign IAM roles to Kubernetes service accounts": the trust policy of a role for a service account (https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html)';

const ROWS: Row[] = [
  // AWS: GitHub.
  {
    name: 'AWS: GitHub role limited to organization, repository and branch',
    source: AWS_GITHUB,
    kind: 'safe',
    provider: GITHUB,
    condition: {
      StringEquals: {
        [key(GITHUB, 'aud')]: 'sts.amazonaws.com',
        [key(GITHUB, 'sub')]: 'repo:GitHubOrg/GitHubRepo:ref:refs/heads/GitHubBranch',
      },
    },
    expect: [['info', 'github-sub-name-based']],
    claims: { aud: 'sts.amazonaws.com' },
  },
  {
    name: 'AWS: GitHub role for any branch of the repository (repo:org/repo:*)',
    source: AWS_GITHUB,
    kind: 'dangerous',
    provider: GITHUB,
    condition: { StringLike: { [key(GITHUB, 'aud')]: 'sts.amazonaws.com', [key(GITHUB, 'sub')]: 'repo:GitHubOrg/GitHubRepo:*' } },
    expect: [
      ['info', 'string-like-without-wildcard'],
      ['warning', 'github-sub-any-context'],
      ['info', 'github-sub-name-based'],
    ],
    claims: { aud: 'sts.amazonaws.com' },
  },
  {
    name: 'AWS: GitHub "minimum" condition, any repository of the organization (repo:org/*)',
    source: AWS_GITHUB,
    kind: 'dangerous',
    provider: GITHUB,
    condition: { StringLike: { [key(GITHUB, 'aud')]: 'sts.amazonaws.com', [key(GITHUB, 'sub')]: 'repo:GitHubOrg/*' } },
    expect: [
      ['info', 'string-like-without-wildcard'],
      ['warning', 'subject-open-to-organisation'],
    ],
    claims: { aud: 'sts.amazonaws.com' },
  },
  // GitHub.
  {
    name: 'GitHub: branch of a repository',
    source: GITHUB_AWS,
    kind: 'safe',
    provider: GITHUB,
    condition: {
      StringEquals: {
        [key(GITHUB, 'aud')]: 'sts.amazonaws.com',
        [key(GITHUB, 'sub')]: 'repo:octo-org/octo-repo:ref:refs/heads/octo-branch',
      },
    },
    expect: [['info', 'github-sub-name-based']],
    claims: { aud: 'sts.amazonaws.com' },
  },
  {
    name: 'GitHub: environment of a repository',
    source: GITHUB_AWS,
    kind: 'safe',
    provider: GITHUB,
    condition: {
      StringEquals: { [key(GITHUB, 'aud')]: 'sts.amazonaws.com', [key(GITHUB, 'sub')]: 'repo:octo-org/octo-repo:environment:prod' },
    },
    expect: [['info', 'github-sub-name-based']],
    claims: { aud: 'sts.amazonaws.com' },
  },
  {
    name: 'GitHub: the immutable subject of a branch (repo:owner@ID/repo@ID)',
    source: GITHUB_REFERENCE,
    kind: 'safe',
    provider: GITHUB,
    condition: {
      StringEquals: {
        [key(GITHUB, 'aud')]: 'sts.amazonaws.com',
        [key(GITHUB, 'sub')]: 'repo:octocat@123456/my-repo@456789:ref:refs/heads/main',
      },
    },
    expect: [],
    claims: { aud: 'sts.amazonaws.com' },
  },
  {
    name: 'GitHub: any branch, pull request merge branch or environment (StringLike repo:octo-org/octo-repo:*)',
    source: GITHUB_AWS,
    kind: 'dangerous',
    provider: GITHUB,
    condition: {
      StringLike: { [key(GITHUB, 'sub')]: 'repo:octo-org/octo-repo:*' },
      StringEquals: { [key(GITHUB, 'aud')]: 'sts.amazonaws.com' },
    },
    expect: [
      ['warning', 'github-sub-any-context'],
      ['info', 'github-sub-name-based'],
    ],
    claims: { aud: 'sts.amazonaws.com' },
  },
  {
    name: 'GitHub: a deploy role that also lists the pull_request subject',
    source: GITHUB_REFERENCE,
    kind: 'dangerous',
    provider: GITHUB,
    condition: {
      StringEquals: {
        [key(GITHUB, 'aud')]: 'sts.amazonaws.com',
        [key(GITHUB, 'sub')]: ['repo:octo-org/octo-repo:ref:refs/heads/main', 'repo:octo-org/octo-repo:pull_request'],
      },
    },
    expect: [
      ['warning', 'github-pull-request-subject'],
      ['info', 'github-sub-name-based'],
      ['info', 'github-sub-name-based'],
    ],
    claims: { aud: 'sts.amazonaws.com' },
  },
  {
    name: 'GitHub: a reusable workflow pinned by job_workflow_ref at a branch',
    source: GITHUB_REFERENCE,
    kind: 'safe',
    provider: GITHUB,
    condition: {
      StringEquals: {
        [key(GITHUB, 'aud')]: 'sts.amazonaws.com',
        [key(GITHUB, 'job_workflow_ref')]: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
      },
    },
    expect: [['info', 'github-job-workflow-ref-not-sha']],
    claims: { aud: 'sts.amazonaws.com' },
  },
  // GitLab.
  {
    name: 'GitLab self-managed: project, branch main (only sub is a key there)',
    source: GITLAB_AWS,
    kind: 'safe',
    provider: GITLAB_SELF,
    condition: { StringEquals: { [key(GITLAB_SELF, 'sub')]: 'project_path:mygroup/myproject:ref_type:branch:ref:main' } },
    expect: [['info', 'audience-only-in-client-id-list']],
    claims: { aud: 'https://gitlab.example.com' },
  },
  {
    name: 'gitlab.com: project, branch main, with namespace_id and project_id',
    source: GITLAB_AWS,
    kind: 'safe',
    provider: GITLAB_COM,
    condition: {
      StringEquals: {
        [key(GITLAB_COM, 'sub')]: 'project_path:mygroup/myproject:ref_type:branch:ref:main',
        [key(GITLAB_COM, 'namespace_id')]: '12345',
        [key(GITLAB_COM, 'project_id')]: '67890',
      },
    },
    expect: [['info', 'audience-only-in-client-id-list']],
    claims: { aud: 'https://gitlab.com', namespace_id: '12345', project_id: '67890' },
  },
  {
    name: 'gitlab.com: the project by path only',
    source: GITLAB_AWS,
    kind: 'dangerous',
    provider: GITLAB_COM,
    condition: { StringEquals: { [key(GITLAB_COM, 'sub')]: 'project_path:mygroup/myproject:ref_type:branch:ref:main' } },
    expect: [
      ['info', 'audience-only-in-client-id-list'],
      ['warning', 'gitlab-subject-path-only'],
    ],
    claims: { aud: 'https://gitlab.com' },
  },
  {
    name: 'GitLab filter "any branch": project_path:mygroup/myproject:ref_type:branch:ref:*',
    source: GITLAB_CLOUD,
    kind: 'dangerous',
    provider: GITLAB_SELF,
    condition: { StringLike: { [key(GITLAB_SELF, 'sub')]: 'project_path:mygroup/myproject:ref_type:branch:ref:*' } },
    expect: [
      ['info', 'audience-only-in-client-id-list'],
      ['warning', 'gitlab-ref-wildcard'],
    ],
    claims: { aud: 'https://gitlab.example.com' },
  },
  {
    name: 'GitLab filter "all projects of a group": project_path:mygroup/*:ref_type:branch:ref:main',
    source: GITLAB_CLOUD,
    kind: 'dangerous',
    provider: GITLAB_SELF,
    condition: { StringLike: { [key(GITLAB_SELF, 'sub')]: 'project_path:mygroup/*:ref_type:branch:ref:main' } },
    expect: [
      ['info', 'audience-only-in-client-id-list'],
      ['warning', 'gitlab-project-path-spans-subgroups'],
    ],
    claims: { aud: 'https://gitlab.example.com' },
  },
  {
    name: 'GitLab filter "Git tag": project_path:mygroup/*:ref_type:tag:ref:1.0',
    source: GITLAB_CLOUD,
    kind: 'dangerous',
    provider: GITLAB_SELF,
    condition: { StringLike: { [key(GITLAB_SELF, 'sub')]: 'project_path:mygroup/*:ref_type:tag:ref:1.0' } },
    expect: [
      ['info', 'audience-only-in-client-id-list'],
      ['warning', 'gitlab-project-path-spans-subgroups'],
    ],
    claims: { aud: 'https://gitlab.example.com' },
  },
  // CircleCI.
  {
    name: 'CircleCI: jobs of one project, audience as the console sets it',
    source: CIRCLECI_DOC,
    kind: 'safe',
    provider: CIRCLECI,
    condition: {
      StringEquals: { [key(CIRCLECI, 'aud')]: ORG },
      StringLike: { [key(CIRCLECI, 'sub')]: `org/${ORG}/project/${PROJECT}/user/*` },
    },
    expect: [],
    claims: { aud: ORG },
  },
  {
    name: 'CircleCI: jobs of one project, the condition alone as the page shows it',
    source: CIRCLECI_DOC,
    kind: 'safe',
    provider: CIRCLECI,
    condition: { StringLike: { [key(CIRCLECI, 'sub')]: `org/${ORG}/project/${PROJECT}/user/*` } },
    expect: [['info', 'audience-only-in-client-id-list']],
    claims: { aud: ORG },
  },
  {
    name: 'CircleCI: main branch of any repository of a GitHub organisation, any project (V2 sub)',
    source: CIRCLECI_DOC,
    kind: 'dangerous',
    provider: CIRCLECI,
    condition: {
      StringLike: { [key(CIRCLECI, 'sub')]: `org/${ORG}/project/*/user/*/vcs-origin/github.com/my-org/*/vcs-ref/refs/heads/main` },
    },
    expect: [
      ['info', 'audience-only-in-client-id-list'],
      ['warning', 'subject-open-to-organisation'],
      ['warning', 'sub-wildcard-spans-branch'],
      ['info', 'circleci-v2-sub-excludes-v1'],
      ['info', 'circleci-ssh-rerun'],
    ],
    claims: { aud: ORG },
  },
  // HCP Terraform.
  {
    name: 'HCP Terraform: the documented trust policy, run_phase:*',
    source: TERRAFORM_DOC,
    kind: 'dangerous',
    provider: TERRAFORM,
    condition: {
      StringEquals: { [key(TERRAFORM, 'aud')]: 'aws.workload.identity' },
      StringLike: { [key(TERRAFORM, 'sub')]: 'organization:my-org-name:project:my-project-name:workspace:my-workspace-name:run_phase:*' },
    },
    expect: [['warning', 'terraform-run-phase-wildcard']],
    claims: { aud: 'aws.workload.identity' },
  },
  {
    name: 'HCP Terraform: the same, for applies only',
    source: TERRAFORM_DOC,
    kind: 'safe',
    provider: TERRAFORM,
    condition: {
      StringEquals: {
        [key(TERRAFORM, 'aud')]: 'aws.workload.identity',
        [key(TERRAFORM, 'sub')]: 'organization:my-org-name:project:my-project-name:workspace:my-workspace-name:run_phase:apply',
      },
    },
    expect: [],
    claims: { aud: 'aws.workload.identity' },
  },
  // Bitbucket Pipelines.
  {
    name: 'Bitbucket: the role as the page creates it, audience only',
    source: BITBUCKET_DOC,
    kind: 'dangerous',
    provider: BITBUCKET,
    condition: { StringEquals: { [key(BITBUCKET, 'aud')]: BITBUCKET.clientIds[0] } },
    expect: [['warning', 'bitbucket-workspace-wide']],
    claims: { aud: BITBUCKET.clientIds[0] as string },
  },
  {
    name: 'Bitbucket: one repository',
    source: BITBUCKET_DOC,
    kind: 'safe',
    provider: BITBUCKET,
    condition: {
      StringEquals: { [key(BITBUCKET, 'aud')]: BITBUCKET.clientIds[0] },
      StringLike: { [key(BITBUCKET, 'sub')]: `${REPO_UUID}:*` },
    },
    expect: [],
    claims: { aud: BITBUCKET.clientIds[0] as string },
  },
  // EKS.
  {
    name: 'EKS: one service account, audience sts.amazonaws.com',
    source: EKS_DOC,
    kind: 'safe',
    provider: EKS,
    condition: {
      StringEquals: { [key(EKS, 'sub')]: 'system:serviceaccount:default:my-service-account', [key(EKS, 'aud')]: 'sts.amazonaws.com' },
    },
    expect: [],
    claims: { aud: 'sts.amazonaws.com' },
  },
  {
    name: 'EKS: every service account of the cluster',
    source: EKS_DOC,
    kind: 'dangerous',
    provider: EKS,
    condition: { StringLike: { [key(EKS, 'sub')]: 'system:serviceaccount:*:*' }, StringEquals: { [key(EKS, 'aud')]: 'sts.amazonaws.com' } },
    expect: [['warning', 'eks-service-account-wildcard']],
    claims: { aud: 'sts.amazonaws.com' },
  },
];

/** Every `(sub '...')` a finding's message names. */
const namedSubjects = (f: Finding): string[] => [...f.message.matchAll(/\(sub '([^']+)'\)/g)].map((m) => m[1] as string);
/** Rules whose named token is one that is shut out (the others name a token that gets in). */
const NAMES_A_DENIED_TOKEN = new Set(['circleci-v2-sub-excludes-v1']);

describe('documented trust policies: safe ones report nothing above info, dangerous ones are reported', () => {
  for (const row of ROWS) {
    test(`${row.kind}: ${row.name}`, () => {
      const config = configWith([row.provider], [allow(row.provider, row.condition)]);
      const findings = lintConfig(config);
      const got = findings.map((f) => [f.severity, f.rule] as const);
      assert.deepEqual([...got].sort(), [...row.expect].sort(), `${row.source}\n${JSON.stringify(findings, null, 2)}`);
      if (row.kind === 'safe')
        assert.ok(
          findings.every((f) => f.severity === 'info'),
          row.source,
        );
      else
        assert.ok(
          findings.some((f) => f.severity !== 'info'),
          row.source,
        );
      for (const f of findings) {
        for (const sub of namedSubjects(f)) {
          assert.equal(allows(config, row.provider, { ...row.claims, sub }), !NAMES_A_DENIED_TOKEN.has(f.rule), `${f.rule}: sub '${sub}'`);
        }
      }
    });
  }

  test('every provider lint knows has a documented-safe and a documented-dangerous row', () => {
    for (const p of [GITHUB, GITLAB_COM, GITLAB_SELF, CIRCLECI, TERRAFORM, BITBUCKET, EKS]) {
      const kinds = new Set(ROWS.filter((r) => r.provider === p).map((r) => r.kind));
      if (p === GITLAB_COM || p === GITLAB_SELF) continue;
      assert.deepEqual([...kinds].sort(), ['dangerous', 'safe'], p.url);
    }
    const gitlab = new Set(ROWS.filter((r) => r.provider === GITLAB_COM || r.provider === GITLAB_SELF).map((r) => r.kind));
    assert.deepEqual([...gitlab].sort(), ['dangerous', 'safe']);
  });
});
