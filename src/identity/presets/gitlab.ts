/**
 * GitLab CI/CD ID tokens (`id_tokens:` in .gitlab-ci.yml), as GitLab's "OpenID Connect (OIDC) Authentication Using ID
 * Tokens" describes them (the token payload table and its example): sub
 * project_path:<group>/<project>:ref_type:<branch|tag>:ref:<name>, `ref` the bare branch or tag name, ids and
 * `ref_protected` as strings, `runner_id` a number, the environment claims only for jobs with an environment. The
 * issuer is the provider's Url (https://gitlab.com, or a self-managed instance named by "Preset": "gitlab").
 */
import { definedClaims, DEMO_SHA, exclusive, times, verb, type OptionSchema, type OptionsOf, type Preset } from './schema.js';

export const GITLAB_DEMO = {
  projectPath: 'demo-group/demo-project',
  projectId: '4200042',
  namespaceId: '7700077',
  userId: '1001001',
  userLogin: 'demo-user',
  userEmail: 'demo-user@example.com',
} as const;

/** $CI_PIPELINE_SOURCE values (GitLab's "Predefined CI/CD variables"), which the pipeline_source claim carries. */
const PIPELINE_SOURCES = [
  'push',
  'web',
  'schedule',
  'api',
  'trigger',
  'pipeline',
  'parent_pipeline',
  'merge_request_event',
  'external_pull_request_event',
  'chat',
  'webide',
  'external',
  'ondemand_dast_scan',
  'ondemand_dast_validation',
  'security_orchestration_policy',
] as const;

const OPTIONS = {
  projectPath: {
    kind: 'string',
    flag: 'project-path',
    value: 'group/project',
    help: 'project_path; namespace_path is all but its last part',
    default: GITLAB_DEMO.projectPath,
  },
  projectId: { kind: 'string', flag: 'project-id', value: 'id', help: 'project_id', default: GITLAB_DEMO.projectId },
  namespaceId: { kind: 'string', flag: 'namespace-id', value: 'id', help: 'namespace_id', default: GITLAB_DEMO.namespaceId },
  branch: { kind: 'string', flag: 'branch', value: 'name', help: 'ref <name>, ref_type branch (default main)' },
  tag: { kind: 'string', flag: 'tag', value: 'name', help: 'ref <name>, ref_type tag' },
  /** Default: 'true' for main, else 'false'. */
  refProtected: {
    kind: 'string',
    flag: 'ref-protected',
    value: 'true|false',
    help: 'ref_protected (default true for main, else false)',
    choices: ['true', 'false'],
  },
  trigger: {
    kind: 'string',
    flag: 'trigger',
    value: 'source',
    help: 'pipeline_source: push (default), web, schedule, api, trigger, merge_request_event, ...',
    default: 'push',
    choices: PIPELINE_SOURCES,
  },
  userId: { kind: 'string', flag: 'user-id', value: 'id', help: 'user_id', default: GITLAB_DEMO.userId },
  userLogin: { kind: 'string', flag: 'user-login', value: 'username', help: 'user_login', default: GITLAB_DEMO.userLogin },
  userEmail: { kind: 'string', flag: 'user-email', value: 'email', help: 'user_email', default: GITLAB_DEMO.userEmail },
  userAccessLevel: {
    kind: 'string',
    flag: 'user-access-level',
    value: 'level',
    help: 'user_access_level: guest, planner, reporter, developer (default), maintainer or owner',
    default: 'developer',
    choices: ['guest', 'planner', 'reporter', 'developer', 'maintainer', 'owner'],
  },
  environment: {
    kind: 'string',
    flag: 'environment',
    value: 'name',
    help: 'the job environment: environment, environment_protected, deployment_tier, environment_action',
  },
  environmentProtected: {
    kind: 'string',
    flag: 'environment-protected',
    value: 'true|false',
    help: 'environment_protected (default false)',
    default: 'false',
    choices: ['true', 'false'],
  },
  /** Default: from the environment name, as GitLab guesses the tier (production, staging, testing, development, other). */
  deploymentTier: {
    kind: 'string',
    flag: 'deployment-tier',
    value: 'tier',
    help: 'deployment_tier (default: guessed from the environment name)',
    choices: ['production', 'staging', 'testing', 'development', 'other'],
  },
  runnerEnvironment: {
    kind: 'string',
    flag: 'runner-environment',
    value: 'gitlab-hosted|self-hosted',
    help: 'runner_environment (default gitlab-hosted)',
    default: 'gitlab-hosted',
    choices: ['gitlab-hosted', 'self-hosted'],
  },
  projectVisibility: {
    kind: 'string',
    flag: 'project-visibility',
    value: 'private|internal|public',
    help: 'project_visibility (default private)',
    default: 'private',
    choices: ['private', 'internal', 'public'],
  },
  /** Default: the issuer URL (GitLab's audience when `id_tokens` names none). */
  aud: { kind: 'string', flag: 'aud', value: 'audience', help: "the id_tokens aud (default: the issuer URL, GitLab's default)" },
} as const satisfies OptionSchema;

export type GitLabOptions = OptionsOf<typeof OPTIONS>;

/** The tier GitLab gives an environment without `deployment_tier`, from the start of its name (GitLab's "Deployment tier of environments"). */
function tierOf(environment: string): string {
  const e = environment.toLowerCase();
  if (/^(prod|live)/.test(e)) return 'production';
  if (/^(stag|model|demo)/.test(e)) return 'staging';
  if (/^(test|qc)/.test(e)) return 'testing';
  if (/^(dev|review|trunk)/.test(e)) return 'development';
  return 'other';
}

export const GITLAB_PRESET: Preset<typeof OPTIONS> = {
  name: 'gitlab',
  label: 'GitLab CI/CD',
  source:
    'https://docs.gitlab.com/ci/secrets/id_token_authentication/ ("OpenID Connect (OIDC) Authentication Using ID Tokens", token payload)',
  options: OPTIONS,
  conflicts(o, spell) {
    const out = exclusive(o, spell, ['branch', 'tag']);
    const envOnly = (['environmentProtected', 'deploymentTier'] as const).filter((k) => o[k] !== undefined);
    if (o.environment === undefined && envOnly.length > 0)
      out.push(`${envOnly.map(spell).join(', ')} ${verb(envOnly, 'needs', 'need')} ${spell('environment')}`);
    if (o.projectPath !== undefined && !/^[^/]+(\/[^/]+)+$/.test(o.projectPath))
      out.push(`${spell('projectPath')} must be <group>/<project>`);
    return out;
  },
  claims(issuer, o, t, jti) {
    const d = OPTIONS;
    const projectPath = o.projectPath ?? d.projectPath.default;
    const namespacePath = projectPath.slice(0, projectPath.lastIndexOf('/'));
    const refType = o.tag !== undefined ? 'tag' : 'branch';
    const ref = o.tag ?? o.branch ?? 'main';
    const refPath = `refs/${refType === 'tag' ? 'tags' : 'heads'}/${ref}`;
    const host = issuer.url.replace(/^https:\/\//, '');
    const { iat, exp } = times(t);
    const environment = o.environment;
    return definedClaims({
      namespace_id: o.namespaceId ?? d.namespaceId.default,
      namespace_path: namespacePath,
      project_id: o.projectId ?? d.projectId.default,
      project_path: projectPath,
      user_id: o.userId ?? d.userId.default,
      user_login: o.userLogin ?? d.userLogin.default,
      user_email: o.userEmail ?? d.userEmail.default,
      user_access_level: o.userAccessLevel ?? d.userAccessLevel.default,
      pipeline_id: '5740574',
      pipeline_source: o.trigger ?? d.trigger.default,
      job_id: '3020302',
      ref,
      ref_type: refType,
      ref_path: refPath,
      ref_protected: o.refProtected ?? (refType === 'branch' && ref === 'main' ? 'true' : 'false'),
      environment,
      environment_protected: environment === undefined ? undefined : (o.environmentProtected ?? d.environmentProtected.default),
      deployment_tier: environment === undefined ? undefined : (o.deploymentTier ?? tierOf(environment)),
      environment_action: environment === undefined ? undefined : 'start',
      runner_id: 1,
      runner_environment: o.runnerEnvironment ?? d.runnerEnvironment.default,
      sha: DEMO_SHA,
      project_visibility: o.projectVisibility ?? d.projectVisibility.default,
      ci_config_ref_uri: `${host}/${projectPath}//.gitlab-ci.yml@${refPath}`,
      ci_config_sha: DEMO_SHA,
      jti,
      iss: issuer.url,
      iat,
      nbf: iat - 5,
      exp,
      sub: `project_path:${projectPath}:ref_type:${refType}:ref:${ref}`,
      aud: o.aud ?? issuer.url,
    });
  },
};
