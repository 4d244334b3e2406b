/**
 * CircleCI's job tokens ($CIRCLE_OIDC_TOKEN, $CIRCLE_OIDC_TOKEN_V2, `circleci run oidc get`), as CircleCI's "Using
 * OpenID Connect tokens in jobs" and "OIDC tokens with custom claims" describe them: iss
 * https://oidc.circleci.com/org/<org>, aud the org id (custom with --aud), the V1 or V2 sub, and the
 * oidc.circleci.com/* claims. A pipeline from a custom webhook has no VCS: no vcs-origin / vcs-ref claims and no
 * such parts in the V2 sub (docs/behaviour-choices.md).
 */
import { exclusive, gitRef, times, verb, type OptionSchema, type OptionsOf, type Preset } from './schema.js';

export const CIRCLECI_DEMO = {
  orgId: 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d',
  projectId: '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5',
  userId: '5d8e2a4c-6f1b-4e9d-a3c7-b9d1f3e5a7c9',
  vcsOrigin: 'github.com/demo-org/demo-app',
  contextId: 'c0ffee00-1234-4abc-9def-0123456789ab',
  pipelineDefinitionId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
} as const;

const OPTIONS = {
  /** Default: the org of the issuer URL, else the demo org. */
  orgId: {
    kind: 'string',
    flag: 'org-id',
    value: 'uuid',
    help: 'organisation (default: from the issuer URL)',
    default: CIRCLECI_DEMO.orgId,
  },
  projectId: {
    kind: 'string',
    flag: 'project-id',
    value: 'uuid',
    help: 'project (oidc.circleci.com/project-id)',
    default: CIRCLECI_DEMO.projectId,
  },
  userId: { kind: 'string', flag: 'user-id', value: 'uuid', help: 'the user who caused the job to run', default: CIRCLECI_DEMO.userId },
  trigger: {
    kind: 'string',
    flag: 'trigger',
    value: 'vcs|webhook',
    help: 'vcs: a push, schedule or API call on a repository (default); webhook: a custom webhook, no VCS claims',
    default: 'vcs',
    choices: ['vcs', 'webhook'],
  },
  vcsOrigin: {
    kind: 'string',
    flag: 'vcs-origin',
    value: 'origin',
    help: 'the repository, e.g. github.com/demo-org/demo-app',
    default: CIRCLECI_DEMO.vcsOrigin,
  },
  /** Full ref, e.g. refs/heads/main; default refs/heads/<branch>, refs/tags/<tag>, else refs/heads/main. */
  ref: { kind: 'string', flag: 'ref', value: 'ref', help: 'the full ref, e.g. refs/pull/7/head' },
  branch: { kind: 'string', flag: 'branch', value: 'name', help: 'vcs-ref refs/heads/<name> (default main)' },
  tag: { kind: 'string', flag: 'tag', value: 'name', help: 'vcs-ref refs/tags/<name>' },
  contextIds: {
    kind: 'strings',
    flag: 'context-id',
    value: 'uuid',
    help: 'a context of the job (repeatable)',
    default: [CIRCLECI_DEMO.contextId],
  },
  /** Default: the org id (CircleCI's fixed audience). */
  aud: { kind: 'string', flag: 'aud', value: 'audience', help: 'a custom audience, as circleci run oidc get makes (default: the org id)' },
  /** The V1 `sub` (org/<org>/project/<project>/user/<user>) of $CIRCLE_OIDC_TOKEN. */
  v1: { kind: 'boolean', flag: 'v1', help: 'the V1 sub of $CIRCLE_OIDC_TOKEN: org/<org>/project/<project>/user/<user>', default: false },
  sshRerun: { kind: 'boolean', flag: 'ssh-rerun', help: 'the job is a rerun with SSH (oidc.circleci.com/ssh-rerun: true)', default: false },
} as const satisfies OptionSchema;

export type CircleCiOptions = OptionsOf<typeof OPTIONS>;

export const CIRCLECI_PRESET: Preset<typeof OPTIONS> = {
  name: 'circleci',
  label: 'CircleCI',
  source: 'https://circleci.com/docs/openid-connect-tokens/ ("Using OpenID Connect tokens in jobs")',
  options: OPTIONS,
  conflicts(o, spell) {
    const out = exclusive(o, spell, ['branch', 'ref', 'tag']);
    if (o.trigger === 'webhook') {
      const vcs = (['vcsOrigin', 'branch', 'ref', 'tag'] as const).filter((k) => o[k] !== undefined);
      if (vcs.length > 0)
        out.push(
          `${vcs.map(spell).join(', ')} ${verb(vcs, 'does', 'do')} not apply to ${spell('trigger')} webhook (a custom webhook has no VCS)`,
        );
    }
    return out;
  },
  claims(issuer, o, t) {
    const d = OPTIONS;
    const org = o.orgId ?? issuer.org ?? d.orgId.default;
    const project = o.projectId ?? d.projectId.default;
    const user = o.userId ?? d.userId.default;
    const vcs = (o.trigger ?? d.trigger.default) === 'vcs';
    const origin = o.vcsOrigin ?? d.vcsOrigin.default;
    const ref = gitRef(o, 'refs/heads/main');
    const v1Sub = `org/${org}/project/${project}/user/${user}`;
    const v2Sub = vcs ? `${v1Sub}/vcs-origin/${origin}/vcs-ref/${ref}` : v1Sub;
    const { iat, exp } = times(t);
    return {
      iss: issuer.url,
      sub: (o.v1 ?? d.v1.default) ? v1Sub : v2Sub,
      aud: o.aud ?? org,
      iat,
      exp,
      'oidc.circleci.com/project-id': project,
      'oidc.circleci.com/pipeline-definition-id': CIRCLECI_DEMO.pipelineDefinitionId,
      'oidc.circleci.com/context-ids': [...(o.contextIds ?? d.contextIds.default)],
      ...(vcs ? { 'oidc.circleci.com/vcs-origin': origin, 'oidc.circleci.com/vcs-ref': ref } : {}),
      'oidc.circleci.com/ssh-rerun': o.sshRerun ?? d.sshRerun.default,
    };
  },
};
