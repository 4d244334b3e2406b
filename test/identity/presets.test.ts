/**
 * Each preset against its provider's documentation: the example token where the page has one (minted with the
 * example's values, every claim of the example must be there, with the same JSON type, and equal unless it is a
 * per-run value the preset fills with demo data), else the claims the page lists. Each row cites its page.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { presetClaims } from '../../src/identity/provider-kinds.js';
import type { PresetName } from '../../src/identity/presets.js';

const T = new Date('2026-03-01T10:00:00Z');
const T_S = T.getTime() / 1000;

interface DocRow {
  readonly name: string;
  /** The page the example (or the claim list) comes from. */
  readonly page: string;
  readonly preset: PresetName;
  readonly issuer: string;
  readonly options: Record<string, unknown>;
  /** The documented example token's payload, or the claims the page lists with example values. */
  readonly documented: Record<string, unknown>;
  /** Per-run values (ids, SHAs, times) the preset fills with its own demo data: same type, any value. */
  readonly perRun: readonly string[];
  /** Claims of the example the preset does not mint, and why. */
  readonly notMinted?: Readonly<Record<string, string>>;
  /** Claims the preset mints beyond the example, each documented elsewhere on the page (or its reference page). */
  readonly alsoMinted?: Readonly<Record<string, string>>;
}

const TIMES = ['iat', 'nbf', 'exp'];

const rows: readonly DocRow[] = [
  {
    name: 'GitHub: the example token (job environment prod, workflow_dispatch, a reusable workflow)',
    page: 'https://docs.github.com/en/actions/concepts/security/openid-connect ("Understanding the OIDC token")',
    preset: 'github',
    issuer: 'https://token.actions.githubusercontent.com',
    options: {
      repository: 'octo-org/octo-repo',
      repositoryId: '74',
      repositoryOwnerId: '65',
      actor: 'octocat',
      actorId: '12',
      environment: 'prod',
      branch: 'main',
      trigger: 'workflow_dispatch',
      workflow: 'example-workflow',
      jobWorkflowRef: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
      aud: 'https://github.com/octo-org',
    },
    documented: {
      jti: 'example-id',
      sub: 'repo:octo-org/octo-repo:environment:prod',
      environment: 'prod',
      aud: 'https://github.com/octo-org',
      ref: 'refs/heads/main',
      sha: 'example-sha',
      repository: 'octo-org/octo-repo',
      repository_owner: 'octo-org',
      actor_id: '12',
      repository_visibility: 'private',
      repository_id: '74',
      repository_owner_id: '65',
      run_id: 'example-run-id',
      run_number: '10',
      run_attempt: '2',
      runner_environment: 'github-hosted',
      actor: 'octocat',
      workflow: 'example-workflow',
      head_ref: '',
      base_ref: '',
      event_name: 'workflow_dispatch',
      ref_type: 'branch',
      job_workflow_ref: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
      iss: 'https://token.actions.githubusercontent.com',
      nbf: 1632492967,
      exp: 1632493867,
      iat: 1632493567,
    },
    perRun: ['jti', 'sha', 'run_id', 'run_number', 'run_attempt', ...TIMES],
    alsoMinted: {
      workflow_ref: 'OpenID Connect reference, custom claims table',
      workflow_sha: 'OpenID Connect reference, custom claims table',
      job_workflow_sha: 'OpenID Connect reference, custom claims table',
      ref_protected: "in claims_supported of GitHub's openid-configuration",
    },
  },
  {
    name: 'GitHub: an enterprise issuer (token.actions.githubusercontent.com/<enterprise>) adds enterprise, enterprise_id',
    page: 'https://docs.github.com/en/enterprise-cloud@latest/actions/reference/security/oidc ("Customizing the issuer value for an enterprise")',
    preset: 'github',
    issuer: 'https://token.actions.githubusercontent.com/octocat-inc',
    options: {
      repository: 'octocat-inc/private-server',
      branch: 'main',
      enterpriseId: '123',
      aud: 'http://octocat-inc.example/octocat-inc',
    },
    documented: {
      jti: '6f4762ed-0758-4ccb-808d-ee3af5d723a8',
      sub: 'repo:octocat-inc/private-server:ref:refs/heads/main',
      aud: 'http://octocat-inc.example/octocat-inc',
      enterprise: 'octocat-inc',
      enterprise_id: '123',
      iss: 'https://token.actions.githubusercontent.com/octocat-inc',
      exp: 1755351553,
      iat: 1755351253,
    },
    perRun: ['jti', ...TIMES],
    // The page's excerpt shows only these claims; every other claim is the same as for any GitHub token.
    alsoMinted: Object.fromEntries(
      [
        'ref',
        'sha',
        'repository',
        'repository_owner',
        'actor_id',
        'repository_visibility',
        'repository_id',
        'repository_owner_id',
        'run_id',
        'run_number',
        'run_attempt',
        'runner_environment',
        'actor',
        'workflow',
        'head_ref',
        'base_ref',
        'event_name',
        'ref_type',
        'ref_protected',
        'workflow_ref',
        'workflow_sha',
        'job_workflow_ref',
        'job_workflow_sha',
        'nbf',
      ].map((c) => [c, 'the example token above']),
    ),
  },
  {
    name: 'GitLab: the ID token payload example (a branch push, a job with an environment)',
    page: 'https://docs.gitlab.com/ci/secrets/id_token_authentication/ ("Token payload")',
    preset: 'gitlab',
    issuer: 'https://gitlab.example.com',
    options: {
      projectPath: 'my-group/my-project',
      projectId: '20',
      namespaceId: '72',
      userId: '1',
      userLogin: 'sample-user',
      userEmail: 'sample-user@example.com',
      trigger: 'push',
      branch: 'feature-branch-1',
      environment: 'test-environment2',
      deploymentTier: 'testing',
      runnerEnvironment: 'self-hosted',
      projectVisibility: 'public',
      aud: 'https://vault.example.com',
    },
    documented: {
      namespace_id: '72',
      namespace_path: 'my-group',
      project_id: '20',
      project_path: 'my-group/my-project',
      user_id: '1',
      user_login: 'sample-user',
      user_email: 'sample-user@example.com',
      user_identities: [
        { provider: 'github', extern_uid: '2435223452345' },
        { provider: 'bitbucket', extern_uid: 'john.smith' },
      ],
      pipeline_id: '574',
      pipeline_source: 'push',
      job_id: '302',
      ref: 'feature-branch-1',
      ref_type: 'branch',
      ref_path: 'refs/heads/feature-branch-1',
      ref_protected: 'false',
      groups_direct: ['mygroup/mysubgroup', 'myothergroup/myothersubgroup'],
      environment: 'test-environment2',
      environment_protected: 'false',
      deployment_tier: 'testing',
      environment_action: 'start',
      runner_id: 1,
      runner_environment: 'self-hosted',
      sha: '714a629c0b401fdce83e847fc9589983fc6f46bc',
      project_visibility: 'public',
      ci_config_ref_uri: 'gitlab.example.com/my-group/my-project//.gitlab-ci.yml@refs/heads/main',
      ci_config_sha: '714a629c0b401fdce83e847fc9589983fc6f46bc',
      jti: '235b3a54-b797-45c7-ae9a-f72d7bc6ef5b',
      iss: 'https://gitlab.example.com',
      iat: 1681395193,
      nbf: 1681395188,
      exp: 1681398793,
      sub: 'project_path:my-group/my-project:ref_type:branch:ref:feature-branch-1',
      aud: 'https://vault.example.com',
    },
    // ci_config_ref_uri: the example's config ref (main) differs from its job ref; the preset reads the config at the job's ref.
    perRun: ['pipeline_id', 'job_id', 'runner_id', 'sha', 'ci_config_sha', 'ci_config_ref_uri', 'jti', ...TIMES],
    notMinted: {
      user_identities: 'only with the user preference "Include external identities in ID tokens"',
      groups_direct: 'behind the ci_jwt_groups_direct feature flag',
    },
    alsoMinted: { user_access_level: 'the custom claims table (GitLab 16.9)' },
  },
  {
    name: 'HCP Terraform: the workspace run token structure',
    page: 'https://developer.hashicorp.com/terraform/cloud-docs/dynamic-provider-credentials/workload-identity-tokens ("Workspace run token structure")',
    preset: 'terraform',
    issuer: 'https://app.terraform.io',
    options: {
      organization: 'my-org',
      organizationId: 'org-GRNbCjYNpBB6NEH9',
      project: 'Default Project',
      projectId: 'prj-vegSA59s1XPwMr2t',
      workspace: 'my-workspace',
      workspaceId: 'ws-mbsd5E3Ktt5Rg2Xm',
      runId: 'run-X3n1AUXNGWbfECsJ',
      runPhase: 'apply',
      aud: 'my-example-audience',
    },
    documented: {
      jti: '1192426d-b525-4fde-9d42-f238be437bbd',
      iss: 'https://app.terraform.io',
      aud: 'my-example-audience',
      iat: 1650486122,
      nbf: 1650486117,
      exp: 1650486422,
      sub: 'organization:my-org:project:Default Project:workspace:my-workspace:run_phase:apply',
      terraform_organization_id: 'org-GRNbCjYNpBB6NEH9',
      terraform_organization_name: 'my-org',
      terraform_project_id: 'prj-vegSA59s1XPwMr2t',
      terraform_project_name: 'Default Project',
      terraform_workspace_id: 'ws-mbsd5E3Ktt5Rg2Xm',
      terraform_workspace_name: 'my-workspace',
      terraform_full_workspace: 'organization:my-org:project:Default Project:workspace:my-workspace',
      terraform_run_id: 'run-X3n1AUXNGWbfECsJ',
      terraform_run_phase: 'apply',
    },
    perRun: ['jti', ...TIMES],
  },
  {
    name: 'Bitbucket Pipelines: the claims of a deployment step token',
    page: 'https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/ (claims; sub {repository}:{environment}:{step})',
    preset: 'bitbucket',
    issuer: 'https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc',
    options: {
      workspaceUuid: '{11111111-2222-4333-8444-555555555555}',
      repositoryUuid: '{aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee}',
      stepUuid: '{99999999-8888-4777-8666-555555555555}',
      pipelineUuid: '{12121212-3434-4565-8787-909090909090}',
      environmentUuid: '{abcdabcd-abcd-4bcd-8bcd-abcdabcdabcd}',
      branch: 'main',
    },
    documented: {
      sub: '{aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee}:{abcdabcd-abcd-4bcd-8bcd-abcdabcdabcd}:{99999999-8888-4777-8666-555555555555}',
      aud: 'ari:cloud:bitbucket::workspace/11111111-2222-4333-8444-555555555555',
      stepUuid: '{99999999-8888-4777-8666-555555555555}',
      iss: 'https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc',
      repositoryUuid: '{aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee}',
      branchName: 'main',
      exp: 1700003600,
      iat: 1700000000,
      pipelineUuid: '{12121212-3434-4565-8787-909090909090}',
      workspaceUuid: '{11111111-2222-4333-8444-555555555555}',
      deploymentEnvironmentUuid: '{abcdabcd-abcd-4bcd-8bcd-abcdabcdabcd}',
    },
    perRun: ['iat', 'exp'],
  },
  {
    name: 'Kubernetes: the pod-bound service-account token example (EKS projects the same shape)',
    page: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/ ("Launch a Pod using service account token projection")',
    preset: 'eks',
    issuer: 'https://kubernetes.default.svc',
    options: {
      namespace: 'kube-system',
      serviceAccount: 'coredns',
      serviceAccountUid: 'a087d5a0-e1dd-43ec-93ac-f13d89cd13af',
      pod: 'coredns-69cbfb9798-jv9gn',
      podUid: '778a530c-b3f4-47c0-9cd5-ab018fb64f33',
      node: '127.0.0.1',
      aud: 'https://kubernetes.default.svc',
    },
    documented: {
      aud: ['https://kubernetes.default.svc'],
      exp: 1731613413,
      iat: 1700077413,
      iss: 'https://kubernetes.default.svc',
      jti: 'ea28ed49-2e11-4280-9ec5-bc3d1d84661a',
      'kubernetes.io': {
        namespace: 'kube-system',
        node: { name: '127.0.0.1', uid: '58456cb0-dd00-45ed-b797-5578fdceaced' },
        pod: { name: 'coredns-69cbfb9798-jv9gn', uid: '778a530c-b3f4-47c0-9cd5-ab018fb64f33' },
        serviceaccount: { name: 'coredns', uid: 'a087d5a0-e1dd-43ec-93ac-f13d89cd13af' },
        warnafter: 1700081020,
      },
      nbf: 1700077413,
      sub: 'system:serviceaccount:kube-system:coredns',
    },
    perRun: ['jti', 'kubernetes.io.node.uid', ...TIMES],
    notMinted: {
      'kubernetes.io.warnafter': 'only in tokens of the default 1-hour (3607 s) lifetime; IRSA tokens are requested for 24 hours',
    },
  },
  {
    name: "CircleCI: the V2 token's claims (the page lists claims, no example token)",
    page: 'https://circleci.com/docs/openid-connect-tokens/ ("Format of the OpenID Connect ID token")',
    preset: 'circleci',
    issuer: 'https://oidc.circleci.com/org/6b376885-8f20-45b2-ba2f-c27c0919bc6d',
    options: {
      projectId: 'f1a2b3c4-0000-4000-8000-000000000001',
      userId: 'f1a2b3c4-0000-4000-8000-000000000002',
      vcsOrigin: 'github.com/organization-123/repo-1',
      branch: 'main',
      contextIds: ['f1a2b3c4-0000-4000-8000-000000000003'],
    },
    documented: {
      iss: 'https://oidc.circleci.com/org/6b376885-8f20-45b2-ba2f-c27c0919bc6d',
      sub: 'org/6b376885-8f20-45b2-ba2f-c27c0919bc6d/project/f1a2b3c4-0000-4000-8000-000000000001/user/f1a2b3c4-0000-4000-8000-000000000002/vcs-origin/github.com/organization-123/repo-1/vcs-ref/refs/heads/main',
      aud: '6b376885-8f20-45b2-ba2f-c27c0919bc6d',
      iat: 1700000000,
      exp: 1700003600,
      'oidc.circleci.com/project-id': 'f1a2b3c4-0000-4000-8000-000000000001',
      'oidc.circleci.com/vcs-origin': 'github.com/organization-123/repo-1',
      'oidc.circleci.com/vcs-ref': 'refs/heads/main',
      'oidc.circleci.com/context-ids': ['f1a2b3c4-0000-4000-8000-000000000003'],
      'oidc.circleci.com/ssh-rerun': false,
    },
    perRun: ['iat', 'exp'],
    alsoMinted: { 'oidc.circleci.com/pipeline-definition-id': 'in real V2 tokens (shared/reference/sts.md §6.2), not on this page' },
  },
];

/** Every leaf of a claims object as [dotted path, value]; arrays are leaves. */
function leaves(value: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([k, v]): [string, unknown][] =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? leaves(v as Record<string, unknown>, `${prefix}${k}.`)
      : [[`${prefix}${k}`, v]],
  );
}

const typeOf = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

describe('presets against their providers’ documentation', () => {
  for (const row of rows) {
    test(`${row.name} — ${row.page}`, () => {
      const minted = presetClaims(row.preset, row.issuer, row.options, { now: T, ttlSeconds: 3600 }, 'jti-of-this-token');
      const got = new Map(leaves(minted));
      const want = leaves(row.documented);
      const notMinted = row.notMinted ?? {};
      for (const [path, value] of want) {
        if (Object.hasOwn(notMinted, path)) {
          assert.equal(got.has(path), false, `${path} is listed as not minted`);
          continue;
        }
        assert.ok(got.has(path), `${path} is in the documented token but not minted`);
        assert.equal(typeOf(got.get(path)), typeOf(value), `${path}: JSON type`);
        if (!row.perRun.includes(path)) assert.deepEqual(got.get(path), value, path);
      }
      const documented = new Set(want.map(([p]) => p));
      const extra = [...got.keys()].filter((p) => !documented.has(p) && !Object.hasOwn(row.alsoMinted ?? {}, p));
      assert.deepEqual(extra, [], 'minted claims the page does not document');
      // Times: integers in seconds, nbf (when present) not after iat, exp = iat + ttl.
      assert.equal(minted['iat'], T_S);
      assert.equal(minted['exp'], T_S + 3600);
      if (minted['nbf'] !== undefined) assert.ok((minted['nbf'] as number) <= T_S);
    });
  }
});
