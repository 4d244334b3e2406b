/**
 * GitHub Actions' job tokens, as GitHub's "OpenID Connect" concepts page (the example token) and "OpenID Connect
 * reference" (the claims, the default `sub` of each trigger, `include_claim_keys` templates, immutable subjects, ':'
 * written %3A in `sub`) describe them. The issuer is the provider's Url: token.actions.githubusercontent.com, its
 * /<enterprise> form, token.actions.<subdomain>.ghe.com, or a GHES host's https://<host>/_services/token (a provider
 * file with "Preset": "github").
 */
import { definedClaims, DEMO_SHA, exclusive, gitRef, times, verb, type OptionSchema, type OptionsOf, type Preset } from './schema.js';

export const GITHUB_DEMO = {
  repository: 'demo-org/demo-app',
  repositoryId: '200000002',
  repositoryOwnerId: '100000001',
  actor: 'demo-user',
  actorId: '400000004',
  enterpriseId: '300000003',
  audience: 'sts.amazonaws.com',
} as const;

/** The events whose default `sub` is `repo:<owner>/<repo>:pull_request` (when the job names no environment). */
const PULL_REQUEST_EVENTS: ReadonlySet<string> = new Set(['pull_request', 'pull_request_target']);

/** The claims a GitHub token carries, which `include_claim_keys` may name (besides `repo` and `context`). */
const CLAIM_KEYS: ReadonlySet<string> = new Set([
  'actor',
  'actor_id',
  'base_ref',
  'enterprise',
  'enterprise_id',
  'environment',
  'event_name',
  'head_ref',
  'job_workflow_ref',
  'job_workflow_sha',
  'ref',
  'ref_protected',
  'ref_type',
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'repository_visibility',
  'run_attempt',
  'run_id',
  'run_number',
  'runner_environment',
  'sha',
  'workflow',
  'workflow_ref',
  'workflow_sha',
]);

const OPTIONS = {
  repository: {
    kind: 'string',
    flag: 'repository',
    value: 'owner/repo',
    help: 'repository (default demo-org/demo-app)',
    default: GITHUB_DEMO.repository,
  },
  repositoryId: {
    kind: 'string',
    flag: 'repository-id',
    value: 'digits',
    help: 'repository_id, a string of digits as GitHub sends it',
    default: GITHUB_DEMO.repositoryId,
  },
  repositoryOwnerId: {
    kind: 'string',
    flag: 'repository-owner-id',
    value: 'digits',
    help: 'repository_owner_id',
    default: GITHUB_DEMO.repositoryOwnerId,
  },
  repositoryVisibility: {
    kind: 'string',
    flag: 'repository-visibility',
    value: 'private|internal|public',
    help: 'repository_visibility (default private)',
    default: 'private',
    choices: ['private', 'internal', 'public'],
  },
  trigger: {
    kind: 'string',
    flag: 'trigger',
    value: 'event',
    help: 'event_name: push (default), pull_request, pull_request_target, workflow_dispatch or schedule',
    default: 'push',
    choices: ['push', 'pull_request', 'pull_request_target', 'workflow_dispatch', 'schedule'],
  },
  /** Default: refs/heads/<branch>, refs/tags/<tag>, else refs/heads/main; for pull requests, derived. */
  ref: { kind: 'string', flag: 'ref', value: 'ref', help: 'the full ref (not for pull requests)' },
  branch: {
    kind: 'string',
    flag: 'branch',
    value: 'name',
    help: 'refs/heads/<name> (default main); for pull requests the head branch (default feature)',
  },
  tag: { kind: 'string', flag: 'tag', value: 'name', help: 'refs/tags/<name>, a tag push' },
  baseBranch: { kind: 'string', flag: 'base-branch', value: 'name', help: 'the pull request base branch (default main)', default: 'main' },
  pullRequest: {
    kind: 'string',
    flag: 'pull-request',
    value: 'number',
    help: 'the pull request number: ref refs/pull/<n>/merge (default 1)',
    default: '1',
  },
  environment: {
    kind: 'string',
    flag: 'environment',
    value: 'name',
    help: 'the job environment: sub repo:<owner>/<repo>:environment:<name>',
  },
  actor: { kind: 'string', flag: 'actor', value: 'login', help: 'actor', default: GITHUB_DEMO.actor },
  actorId: { kind: 'string', flag: 'actor-id', value: 'digits', help: 'actor_id', default: GITHUB_DEMO.actorId },
  workflow: {
    kind: 'string',
    flag: 'workflow',
    value: 'name',
    help: 'workflow name; workflow_ref is .github/workflows/<name>.yml',
    default: 'deploy',
  },
  /** Default: the workflow's own ref. */
  jobWorkflowRef: {
    kind: 'string',
    flag: 'job-workflow-ref',
    value: 'ref',
    help: 'a reusable workflow: <owner>/<repo>/.github/workflows/<file>@<ref> (job_workflow_ref, job_workflow_sha)',
  },
  includeClaimKeys: {
    kind: 'strings',
    flag: 'include-claim-key',
    value: 'claim',
    help: 'a custom sub template (include_claim_keys, repeatable, in order): repo, context or a claim name',
  },
  immutableSub: {
    kind: 'boolean',
    flag: 'immutable-sub',
    help: 'the immutable subject: repo:<owner>@<owner-id>/<repo>@<repo-id>:... (repositories created from 2026-07-15)',
    default: false,
  },
  runnerEnvironment: {
    kind: 'string',
    flag: 'runner-environment',
    value: 'github-hosted|self-hosted',
    help: 'runner_environment (default github-hosted)',
    default: 'github-hosted',
    choices: ['github-hosted', 'self-hosted'],
  },
  /** Default: the enterprise of the issuer URL (token.actions.githubusercontent.com/<enterprise>), else none. */
  enterprise: {
    kind: 'string',
    flag: 'enterprise',
    value: 'slug',
    help: 'enterprise and enterprise_id claims (default: from the issuer URL)',
  },
  enterpriseId: { kind: 'string', flag: 'enterprise-id', value: 'digits', help: 'enterprise_id', default: GITHUB_DEMO.enterpriseId },
  aud: {
    kind: 'string',
    flag: 'aud',
    value: 'audience',
    help: 'audience (default sts.amazonaws.com, as aws-actions/configure-aws-credentials asks)',
    default: GITHUB_DEMO.audience,
  },
} as const satisfies OptionSchema;

export type GitHubOptions = OptionsOf<typeof OPTIONS>;

/** ':' in a value written into `sub` is %3A (GitHub's "Filtering for metadata containing :"). */
const escapeSub = (value: string): string => value.replaceAll(':', '%3A');

export const GITHUB_PRESET: Preset<typeof OPTIONS> = {
  name: 'github',
  label: 'GitHub Actions',
  source:
    'https://docs.github.com/en/actions/concepts/security/openid-connect and https://docs.github.com/en/actions/reference/security/oidc',
  options: OPTIONS,
  // --event-name / eventName until issue 16: the trigger names the event, as GitHub's docs do.
  renamed: { eventName: 'trigger' },
  conflicts(o, spell) {
    const out = exclusive(o, spell, ['branch', 'ref', 'tag']);
    const pr = PULL_REQUEST_EVENTS.has(o.trigger ?? 'push');
    const misplaced: string[] = (pr ? (['ref', 'tag'] as const) : (['baseBranch', 'pullRequest'] as const)).filter(
      (k) => o[k] !== undefined,
    );
    if (misplaced.length > 0)
      out.push(
        `${misplaced.map(spell).join(', ')} ${pr ? verb(misplaced, 'does not apply', 'do not apply') + ' to pull requests' : verb(misplaced, 'applies', 'apply') + ' only to pull requests'} (${spell('trigger')} ${o.trigger ?? 'push'})`,
      );
    if (o.pullRequest !== undefined && !/^[1-9]\d{0,9}$/.test(o.pullRequest))
      out.push(`${spell('pullRequest')} must be a pull request number`);
    if (o.includeClaimKeys !== undefined && o.includeClaimKeys.length === 0)
      out.push(`${spell('includeClaimKeys')} must name at least one key`);
    for (const key of o.includeClaimKeys ?? []) {
      if (key !== 'repo' && key !== 'context' && !CLAIM_KEYS.has(key))
        out.push(`${spell('includeClaimKeys')}: '${key}' is not a claim of GitHub's tokens (nor repo or context)`);
      else if (key === 'environment' && o.environment === undefined)
        out.push(
          `${spell('includeClaimKeys')} names environment: GitHub then issues tokens only to jobs with an environment; give ${spell('environment')}`,
        );
    }
    return out;
  },
  claims(issuer, o, t, jti) {
    const d = OPTIONS;
    const repository = o.repository ?? d.repository.default;
    const [owner = repository, name = ''] = repository.split('/');
    const repositoryId = o.repositoryId ?? d.repositoryId.default;
    const ownerId = o.repositoryOwnerId ?? d.repositoryOwnerId.default;
    const eventName = o.trigger ?? d.trigger.default;
    const pr = PULL_REQUEST_EVENTS.has(eventName);
    const base = o.baseBranch ?? d.baseBranch.default;
    const ref = !pr
      ? gitRef(o, 'refs/heads/main')
      : eventName === 'pull_request'
        ? `refs/pull/${o.pullRequest ?? d.pullRequest.default}/merge`
        : `refs/heads/${base}`;
    const workflow = o.workflow ?? d.workflow.default;
    const workflowRef = `${repository}/.github/workflows/${workflow}.yml@${ref}`;
    const jobWorkflowRef = o.jobWorkflowRef ?? workflowRef;
    const enterprise = o.enterprise ?? issuer.org;
    const { iat, exp } = times(t);
    const claims = definedClaims({
      jti,
      sub: '',
      environment: o.environment,
      aud: o.aud ?? d.aud.default,
      ref,
      sha: DEMO_SHA,
      repository,
      repository_owner: owner,
      actor_id: o.actorId ?? d.actorId.default,
      repository_visibility: o.repositoryVisibility ?? d.repositoryVisibility.default,
      repository_id: repositoryId,
      repository_owner_id: ownerId,
      run_id: '3000000003',
      run_number: '42',
      run_attempt: '1',
      runner_environment: o.runnerEnvironment ?? d.runnerEnvironment.default,
      actor: o.actor ?? d.actor.default,
      workflow,
      head_ref: pr ? (o.branch ?? 'feature') : '',
      base_ref: pr ? base : '',
      event_name: eventName,
      enterprise,
      enterprise_id: enterprise === undefined ? undefined : (o.enterpriseId ?? d.enterpriseId.default),
      ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      ref_protected: ref === `refs/heads/main` ? 'true' : 'false',
      workflow_ref: workflowRef,
      workflow_sha: DEMO_SHA,
      job_workflow_ref: jobWorkflowRef,
      job_workflow_sha: jobWorkflowRef === workflowRef ? DEMO_SHA : 'fedcba9876543210fedcba9876543210fedcba98',
      iss: issuer.url,
      nbf: iat,
      exp,
      iat,
    });
    const repo = `repo:${(o.immutableSub ?? d.immutableSub.default) ? `${owner}@${ownerId}/${name}@${repositoryId}` : repository}`;
    const context = o.environment !== undefined ? `environment:${escapeSub(o.environment)}` : pr ? 'pull_request' : `ref:${escapeSub(ref)}`;
    const keys = o.includeClaimKeys ?? ['repo', 'context'];
    claims['sub'] = keys
      .map((k) => (k === 'repo' ? repo : k === 'context' ? context : `${k}:${escapeSub(String(claims[k] ?? ''))}`))
      .join(':');
    return claims;
  },
};
