/**
 * The `sub` formats of the CI providers, in one place, and the stand-in values lint puts in them to name a token
 * that would get in. Sources: GitHub "OpenID Connect reference" (example subject claims, immutable subject claims);
 * GitLab "Connect to cloud services" (project_path:{group}/{project}:ref_type:{type}:ref:{branch_name}); HCP
 * Terraform "Dynamic provider credentials" (organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:PHASE);
 * Bitbucket "Integrate Pipelines with resource servers using OIDC" ({REPOSITORY_UUID}:{STEP_UUID}); Kubernetes
 * service account tokens (system:serviceaccount:NAMESPACE:NAME); CircleCI "Using OpenID Connect tokens in jobs".
 */

/** Stand-ins for names an attacker chooses. */
export const OTHER = {
  owner: 'another-owner',
  repo: 'another-repo',
  branch: 'any-branch',
  tag: 'any-tag',
  environment: 'any-environment',
  group: 'another-group',
  project: 'another-project',
  subgroup: 'any-subgroup',
  organization: 'another-org',
  workspace: 'any-workspace',
  namespace: 'another-namespace',
  /** A UUID no real project, repository or step has. */
  uuid: '00000000-0000-4000-8000-000000000000',
  uuid2: '00000000-0000-4000-8000-000000000001',
} as const;

// GitHub: repo:<owner>/<repo>:<context>, the owner and repository optionally with @<id> (immutable subjects).

/** A default-template GitHub subject pattern taken apart; the parts may hold wildcards. */
export interface GitHubSub {
  readonly owner: string;
  readonly repo: string;
  /** After `repo:<owner>/<repo>:`, e.g. `ref:refs/heads/main`, `environment:prod`, `pull_request`, `*`. */
  readonly context: string;
}

export function parseGitHubSub(pattern: string): GitHubSub | undefined {
  const m = /^repo:([^/:]*)\/([^:]*)(?::(.*))?$/.exec(pattern);
  if (m === null) return undefined;
  return { owner: m[1] as string, repo: m[2] as string, context: m[3] ?? '' };
}

/** The contexts GitHub puts in a default subject, one of each kind, with attacker-chosen names. */
export const GITHUB_CONTEXTS = {
  pull_request: 'pull_request',
  environment: `environment:${OTHER.environment}`,
  branch: `ref:refs/heads/${OTHER.branch}`,
  tag: `ref:refs/tags/${OTHER.tag}`,
} as const;

/** The literal context a GitHub subject pattern (or its context part) ends with, if any. */
export function githubLiteralContext(pattern: string): string | undefined {
  return /(?:^|:)(ref:refs\/(?:heads|tags)\/[^*?:]+|environment:[^*?:]+|pull_request)$/.exec(pattern)?.[1];
}

/** Contexts to try in a candidate subject for a pattern: the literal context it ends with, then one of each kind. */
export function githubContextOf(pattern: string): string[] {
  const literal = githubLiteralContext(pattern);
  return [...(literal === undefined ? [] : [literal]), ...Object.values(GITHUB_CONTEXTS), `ref:refs/heads/main`];
}

export const githubSub = (owner: string, repo: string, context: string): string => `repo:${owner}/${repo}:${context}`;

/**
 * A custom-template subject (`include_claim_keys`, GitHub "OpenID Connect reference": customizing the subject claims):
 * whether it names a repository or a reusable workflow literally, else the owner it names, if any.
 */
export function customSubjectScope(value: string): { pinned: boolean; owner: string | undefined } {
  const pinned =
    /(^|:)repo:[^*?:/]+\/[^*?:]+(:|$)/.test(value) ||
    /(^|:)repository:[^*?:/]+\/[^*?:]+(:|$)/.test(value) ||
    /(^|:)repository_id:\d+(:|$)/.test(value) ||
    /(^|:)job_workflow_ref:[^*?:]+@[^*?:]+(:|$)/.test(value);
  const owner = /(^|:)repository_owner:([^*?:]+)(:|$)/.exec(value)?.[2] ?? /(^|:)repository_owner_id:(\d+)(:|$)/.exec(value)?.[2];
  return { pinned, owner };
}

// GitLab: project_path:<group>[/<subgroup>...]/<project>:ref_type:<branch|tag>:ref:<ref>.

export interface GitLabSub {
  readonly projectPath: string;
  /** After `:ref_type:`, and after `:ref:` (either may be absent in a pattern ending in `*`). */
  readonly refType: string | undefined;
  readonly ref: string | undefined;
}

export function parseGitLabSub(pattern: string): GitLabSub | undefined {
  const m = /^project_path:([^:]*)(.*)$/.exec(pattern);
  if (m === null) return undefined;
  const rest = m[2] as string;
  return { projectPath: m[1] as string, refType: /^:ref_type:([^:]*)/.exec(rest)?.[1], ref: /:ref:(.*)$/.exec(rest)?.[1] };
}

export const gitlabSub = (projectPath: string, refType: string, ref: string): string =>
  `project_path:${projectPath}:ref_type:${refType}:ref:${ref}`;

// HCP Terraform: organization:<org>:project:<project>:workspace:<workspace>:run_phase:<plan|apply>.

export interface TerraformSub {
  readonly organization: string;
  readonly project: string | undefined;
  readonly workspace: string | undefined;
  readonly runPhase: string | undefined;
}

export function parseTerraformSub(pattern: string): TerraformSub | undefined {
  const m = /^organization:([^:]*)(.*)$/.exec(pattern);
  if (m === null) return undefined;
  const part = (name: string): string | undefined => new RegExp(`:${name}:([^:]*)`).exec(m[2] as string)?.[1];
  return { organization: m[1] as string, project: part('project'), workspace: part('workspace'), runPhase: part('run_phase') };
}

export const terraformSub = (organization: string, project: string, workspace: string, runPhase: string): string =>
  `organization:${organization}:project:${project}:workspace:${workspace}:run_phase:${runPhase}`;

/** HCP Terraform's default project name. */
export const TERRAFORM_DEFAULT_PROJECT = 'Default Project';

// Bitbucket Pipelines: {<repository uuid>}:{<step uuid>}, or {<repository>}:{<deployment environment>}:{<step>}.

/** The repository UUID (with its braces) a Bitbucket subject pattern starts with, if it names one literally. */
export function bitbucketRepository(pattern: string): string | undefined {
  return /^(\{[0-9a-fA-F-]{36}\})/.exec(pattern)?.[1];
}

export const bitbucketSub = (repositoryUuid: string, stepUuid: string): string => `{${repositoryUuid}}:{${stepUuid}}`;

// Kubernetes (EKS IAM roles for service accounts): system:serviceaccount:<namespace>:<name>.

export function parseServiceAccountSub(pattern: string): { namespace: string; name: string } | undefined {
  const m = /^system:serviceaccount:([^:]*):(.*)$/.exec(pattern);
  return m === null ? undefined : { namespace: m[1] as string, name: m[2] as string };
}

export const serviceAccountSub = (namespace: string, name: string): string => `system:serviceaccount:${namespace}:${name}`;

// CircleCI: org/<org>/project/<project>/user/<user> (V1, $CIRCLE_OIDC_TOKEN); V2 ($CIRCLE_OIDC_TOKEN_V2) appends
// /vcs-origin/<origin>/vcs-ref/<ref>. See circleci-sub.ts for the patterns.

export const circleV1Sub = (org: string, project: string, user: string): string => `org/${org}/project/${project}/user/${user}`;
