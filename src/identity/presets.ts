/**
 * Claim sets shaped like the real CI issuers' tokens (seed 001, reference §6.2; GitHub's documented claims).
 * Pure: ids, time and the issuer come in; a claims object comes out. Used by `token`, `explain` and `test`.
 */

export const DEMO = {
  circleci: {
    orgId: 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d',
    projectId: '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5',
    userId: '5d8e2a4c-6f1b-4e9d-a3c7-b9d1f3e5a7c9',
    vcsOrigin: 'github.com/demo-org/demo-app',
    contextId: 'c0ffee00-1234-4abc-9def-0123456789ab',
    pipelineDefinitionId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  },
  github: {
    repository: 'demo-org/demo-app',
    actor: 'demo-user',
    audience: 'sts.amazonaws.com',
  },
} as const;

export type PresetName = 'circleci' | 'github';
export const PRESETS: readonly PresetName[] = ['circleci', 'github'];

export interface CircleCiOptions {
  readonly orgId?: string | undefined;
  readonly projectId?: string | undefined;
  readonly userId?: string | undefined;
  readonly vcsOrigin?: string | undefined;
  /** Full ref, e.g. refs/heads/main. `branch` is a shorthand for refs/heads/<branch>. */
  readonly ref?: string | undefined;
  readonly branch?: string | undefined;
  readonly contextIds?: readonly string[] | undefined;
  readonly aud?: string | undefined;
  /** The V1 `sub` (org/<org>/project/<project>/user/<user>) of $CIRCLE_OIDC_TOKEN. */
  readonly v1?: boolean | undefined;
  readonly sshRerun?: boolean | undefined;
}

export interface GitHubOptions {
  readonly repository?: string | undefined;
  readonly ref?: string | undefined;
  readonly branch?: string | undefined;
  readonly environment?: string | undefined;
  readonly actor?: string | undefined;
  readonly workflow?: string | undefined;
  readonly jobWorkflowRef?: string | undefined;
  readonly eventName?: string | undefined;
  readonly aud?: string | undefined;
}

export interface TimeOptions {
  readonly now: Date;
  readonly ttlSeconds: number;
}

function times(t: TimeOptions): { iat: number; exp: number } {
  const iat = Math.floor(t.now.getTime() / 1000);
  return { iat, exp: iat + t.ttlSeconds };
}

function refOf(ref: string | undefined, branch: string | undefined, fallback: string): string {
  if (ref !== undefined) return ref;
  if (branch !== undefined) return `refs/heads/${branch}`;
  return fallback;
}

/** The org id of a CircleCI issuer URL (https://oidc.circleci.com/org/<org-id>), if it is one. */
export function circleCiOrgOf(issuer: string): string | undefined {
  const m = /^https:\/\/oidc\.circleci\.com\/org\/([^/]+)$/.exec(issuer);
  return m?.[1];
}

export function circleCiClaims(issuer: string, o: CircleCiOptions, t: TimeOptions): Record<string, unknown> {
  const org = o.orgId ?? circleCiOrgOf(issuer) ?? DEMO.circleci.orgId;
  const project = o.projectId ?? DEMO.circleci.projectId;
  const user = o.userId ?? DEMO.circleci.userId;
  const origin = o.vcsOrigin ?? DEMO.circleci.vcsOrigin;
  const ref = refOf(o.ref, o.branch, 'refs/heads/main');
  const v1Sub = `org/${org}/project/${project}/user/${user}`;
  const { iat, exp } = times(t);
  return {
    iss: issuer,
    sub: o.v1 === true ? v1Sub : `${v1Sub}/vcs-origin/${origin}/vcs-ref/${ref}`,
    aud: o.aud ?? org,
    iat,
    exp,
    'oidc.circleci.com/project-id': project,
    'oidc.circleci.com/pipeline-definition-id': DEMO.circleci.pipelineDefinitionId,
    'oidc.circleci.com/context-ids': [...(o.contextIds ?? [DEMO.circleci.contextId])],
    'oidc.circleci.com/vcs-origin': origin,
    'oidc.circleci.com/vcs-ref': ref,
    'oidc.circleci.com/ssh-rerun': o.sshRerun ?? false,
  };
}

export function gitHubClaims(issuer: string, o: GitHubOptions, t: TimeOptions, jti: string): Record<string, unknown> {
  const repository = o.repository ?? DEMO.github.repository;
  const owner = repository.split('/')[0] ?? repository;
  const ref = refOf(o.ref, o.branch, 'refs/heads/main');
  const eventName = o.eventName ?? 'push';
  const workflow = o.workflow ?? 'deploy';
  const workflowRef = `${repository}/.github/workflows/${workflow}.yml@${ref}`;
  const sub =
    o.environment !== undefined
      ? `repo:${repository}:environment:${o.environment}`
      : eventName === 'pull_request'
        ? `repo:${repository}:pull_request`
        : `repo:${repository}:ref:${ref}`;
  const { iat, exp } = times(t);
  const claims: Record<string, unknown> = {
    jti,
    sub,
    aud: o.aud ?? DEMO.github.audience,
    ref,
    sha: '0123456789abcdef0123456789abcdef01234567',
    repository,
    repository_owner: owner,
    repository_owner_id: '100000001',
    repository_visibility: 'private',
    repository_id: '200000002',
    run_id: '3000000003',
    run_number: '42',
    run_attempt: '1',
    actor: o.actor ?? DEMO.github.actor,
    actor_id: '400000004',
    workflow,
    workflow_ref: workflowRef,
    workflow_sha: '0123456789abcdef0123456789abcdef01234567',
    job_workflow_ref: o.jobWorkflowRef ?? workflowRef,
    job_workflow_sha: '0123456789abcdef0123456789abcdef01234567',
    head_ref: '',
    base_ref: '',
    event_name: eventName,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    ref_protected: ref === 'refs/heads/main' ? 'true' : 'false',
    runner_environment: 'github-hosted',
    iss: issuer,
    nbf: iat,
    iat,
    exp,
  };
  if (o.environment !== undefined) claims['environment'] = o.environment;
  return claims;
}
