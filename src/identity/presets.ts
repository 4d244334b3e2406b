/**
 * Claim sets shaped like the real CI issuers' tokens (seed 001, reference §6.2; GitHub's documented claims).
 * A preset is its options schema (what `token` flags and case files may give, with defaults) and a pure
 * claims builder: options, time and the issuer come in; a claims object comes out. The provider-kind table
 * (provider-kinds.ts) says which issuers mint which preset; everyone reaches a preset through it.
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

export type OptionKind = 'string' | 'boolean' | 'strings';

/** One option a preset accepts. */
export interface PresetOption {
  readonly kind: OptionKind;
  /** The `token` / `explain` flag that sets it; none for options only case files give. */
  readonly flag?: string;
  /** The value when the option is not given; options without one are derived from others (see the builder). */
  readonly default?: string | boolean | readonly string[];
}

export type OptionSchema = Readonly<Record<string, PresetOption>>;

type ValueOf<K extends OptionKind> = K extends 'string' ? string : K extends 'boolean' ? boolean : readonly string[];

/** The options object a schema describes; every option may be left out. */
export type OptionsOf<S extends OptionSchema> = { readonly [K in keyof S]?: ValueOf<S[K]['kind']> | undefined };

export interface TimeOptions {
  readonly now: Date;
  readonly ttlSeconds: number;
}

/** The issuer a preset's claims are signed by. */
export interface PresetIssuer {
  readonly url: string;
  /** The organisation its provider name carries (CircleCI's org id), from the provider-kind table. */
  readonly org: string | undefined;
}

export interface Preset<S extends OptionSchema = OptionSchema> {
  readonly name: PresetName;
  /** For messages: 'CircleCI', 'GitHub Actions'. */
  readonly label: string;
  readonly options: S;
  /** Pairs of options that cannot be given together. */
  readonly exclusive: readonly (readonly [string, string])[];
  /** The claims; `jti` is the token id, for presets whose tokens carry one. */
  claims(issuer: PresetIssuer, options: OptionsOf<S>, t: TimeOptions, jti?: string): Record<string, unknown>;
}

/** What a caller may give for an option of each kind, and the message when it does not. */
const OPTION_CHECKS: Record<OptionKind, { readonly ok: (v: unknown) => boolean; readonly message: string }> = {
  string: { ok: (v) => typeof v === 'string' && v !== '', message: 'must be a non-empty string' },
  boolean: { ok: (v) => typeof v === 'boolean', message: 'must be true or false' },
  strings: { ok: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'), message: 'must be a list of strings' },
};

/**
 * The problems of options given for a preset (case files, the package API): unknown options, values of the wrong
 * kind, exclusive pairs given together (`option` '' then). Empty when the options can be used.
 */
export function presetOptionProblems(preset: Preset, options: Readonly<Record<string, unknown>>): { option: string; message: string }[] {
  const schema = preset.options;
  const spec = (k: string): PresetOption | undefined => (Object.hasOwn(schema, k) ? schema[k] : undefined);
  const problems: { option: string; message: string }[] = [];
  for (const [k, v] of Object.entries(options)) {
    const s = spec(k);
    if (s === undefined)
      problems.push({ option: k, message: `unknown option of preset ${preset.name} (known: name, ${Object.keys(schema).join(', ')})` });
    else if (!OPTION_CHECKS[s.kind].ok(v)) problems.push({ option: k, message: OPTION_CHECKS[s.kind].message });
  }
  const valid = (k: string): boolean => {
    const s = spec(k);
    return s !== undefined && Object.hasOwn(options, k) && OPTION_CHECKS[s.kind].ok(options[k]);
  };
  for (const [a, b] of preset.exclusive) if (valid(a) && valid(b)) problems.push({ option: '', message: `give ${a} or ${b}, not both` });
  return problems;
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

const CIRCLECI_OPTIONS = {
  /** Default: the org of the issuer URL, else the demo org. */
  orgId: { kind: 'string', flag: 'org-id', default: DEMO.circleci.orgId },
  projectId: { kind: 'string', flag: 'project-id', default: DEMO.circleci.projectId },
  userId: { kind: 'string', flag: 'user-id', default: DEMO.circleci.userId },
  vcsOrigin: { kind: 'string', flag: 'vcs-origin', default: DEMO.circleci.vcsOrigin },
  /** Full ref, e.g. refs/heads/main; default refs/heads/<branch>, else refs/heads/main. */
  ref: { kind: 'string', flag: 'ref' },
  branch: { kind: 'string', flag: 'branch' },
  contextIds: { kind: 'strings', flag: 'context-id', default: [DEMO.circleci.contextId] },
  /** Default: the org id. */
  aud: { kind: 'string', flag: 'aud' },
  /** The V1 `sub` (org/<org>/project/<project>/user/<user>) of $CIRCLE_OIDC_TOKEN. */
  v1: { kind: 'boolean', flag: 'v1', default: false },
  sshRerun: { kind: 'boolean', default: false },
} as const satisfies OptionSchema;

export type CircleCiOptions = OptionsOf<typeof CIRCLECI_OPTIONS>;

export const CIRCLECI_PRESET: Preset<typeof CIRCLECI_OPTIONS> = {
  name: 'circleci',
  label: 'CircleCI',
  options: CIRCLECI_OPTIONS,
  exclusive: [['branch', 'ref']],
  claims(issuer, o, t) {
    const d = CIRCLECI_OPTIONS;
    const org = o.orgId ?? issuer.org ?? d.orgId.default;
    const project = o.projectId ?? d.projectId.default;
    const user = o.userId ?? d.userId.default;
    const origin = o.vcsOrigin ?? d.vcsOrigin.default;
    const ref = refOf(o.ref, o.branch, 'refs/heads/main');
    const v1Sub = `org/${org}/project/${project}/user/${user}`;
    const { iat, exp } = times(t);
    return {
      iss: issuer.url,
      sub: (o.v1 ?? d.v1.default) ? v1Sub : `${v1Sub}/vcs-origin/${origin}/vcs-ref/${ref}`,
      aud: o.aud ?? org,
      iat,
      exp,
      'oidc.circleci.com/project-id': project,
      'oidc.circleci.com/pipeline-definition-id': DEMO.circleci.pipelineDefinitionId,
      'oidc.circleci.com/context-ids': [...(o.contextIds ?? d.contextIds.default)],
      'oidc.circleci.com/vcs-origin': origin,
      'oidc.circleci.com/vcs-ref': ref,
      'oidc.circleci.com/ssh-rerun': o.sshRerun ?? d.sshRerun.default,
    };
  },
};

const GITHUB_OPTIONS = {
  repository: { kind: 'string', flag: 'repository', default: DEMO.github.repository },
  /** Default: refs/heads/<branch>, else refs/heads/main. */
  ref: { kind: 'string', flag: 'ref' },
  branch: { kind: 'string', flag: 'branch' },
  environment: { kind: 'string', flag: 'environment' },
  actor: { kind: 'string', flag: 'actor', default: DEMO.github.actor },
  workflow: { kind: 'string', flag: 'workflow', default: 'deploy' },
  /** Default: the workflow's own ref. */
  jobWorkflowRef: { kind: 'string', flag: 'job-workflow-ref' },
  eventName: { kind: 'string', flag: 'event-name', default: 'push' },
  aud: { kind: 'string', flag: 'aud', default: DEMO.github.audience },
} as const satisfies OptionSchema;

export type GitHubOptions = OptionsOf<typeof GITHUB_OPTIONS>;

export const GITHUB_PRESET: Preset<typeof GITHUB_OPTIONS> = {
  name: 'github',
  label: 'GitHub Actions',
  options: GITHUB_OPTIONS,
  exclusive: [['branch', 'ref']],
  claims(issuer, o, t, jti) {
    const d = GITHUB_OPTIONS;
    const repository = o.repository ?? d.repository.default;
    const owner = repository.split('/')[0] ?? repository;
    const ref = refOf(o.ref, o.branch, 'refs/heads/main');
    const eventName = o.eventName ?? d.eventName.default;
    const workflow = o.workflow ?? d.workflow.default;
    const workflowRef = `${repository}/.github/workflows/${workflow}.yml@${ref}`;
    const sub =
      o.environment !== undefined
        ? `repo:${repository}:environment:${o.environment}`
        : eventName === 'pull_request'
          ? `repo:${repository}:pull_request`
          : `repo:${repository}:ref:${ref}`;
    const { iat, exp } = times(t);
    const claims: Record<string, unknown> = {
      ...(jti === undefined ? {} : { jti }),
      sub,
      aud: o.aud ?? d.aud.default,
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
      actor: o.actor ?? d.actor.default,
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
      iss: issuer.url,
      nbf: iat,
      iat,
      exp,
    };
    if (o.environment !== undefined) claims['environment'] = o.environment;
    return claims;
  },
};
