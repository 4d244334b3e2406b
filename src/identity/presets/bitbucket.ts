/**
 * Bitbucket Pipelines step tokens ($BITBUCKET_STEP_OIDC_TOKEN with `oidc: true`), as Bitbucket's "Integrate Pipelines
 * with resource servers using OIDC" and "Deploy on AWS using Bitbucket Pipelines OpenID Connect" describe them: iss
 * https://api.bitbucket.org/2.0/workspaces/<workspace>/pipelines-config/identity/oidc, aud
 * ari:cloud:bitbucket::workspace/<workspace uuid>, sub {<repository uuid>}:{<step uuid>}, or
 * {<repository uuid>}:{<deployment environment uuid>}:{<step uuid>} for a deployment step; UUIDs in braces.
 */
import { type OptionSchema, type OptionsOf, type Preset, times } from './schema.js';

export const BITBUCKET_DEMO = {
  workspaceUuid: '{3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b}',
  repositoryUuid: '{8e7d6c5b-4a39-4281-9f0e-d1c2b3a49586}',
  pipelineUuid: '{a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}',
  stepUuid: '{5f4e3d2c-1b0a-4987-8654-3210fedcba98}',
  environmentUuid: '{d4c3b2a1-0f9e-4d8c-b7a6-958473625140}',
} as const;

const UUID_IN_BRACES = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i;

const OPTIONS = {
  workspaceUuid: {
    kind: 'string',
    flag: 'workspace-uuid',
    value: '{uuid}',
    help: 'workspaceUuid; the default aud names it',
    default: BITBUCKET_DEMO.workspaceUuid,
  },
  repositoryUuid: {
    kind: 'string',
    flag: 'repository-uuid',
    value: '{uuid}',
    help: 'repositoryUuid, the first part of sub',
    default: BITBUCKET_DEMO.repositoryUuid,
  },
  pipelineUuid: { kind: 'string', flag: 'pipeline-uuid', value: '{uuid}', help: 'pipelineUuid', default: BITBUCKET_DEMO.pipelineUuid },
  stepUuid: {
    kind: 'string',
    flag: 'step-uuid',
    value: '{uuid}',
    help: 'stepUuid, the last part of sub',
    default: BITBUCKET_DEMO.stepUuid,
  },
  environmentUuid: {
    kind: 'string',
    flag: 'environment-uuid',
    value: '{uuid}',
    help: 'a deployment step: deploymentEnvironmentUuid, and sub {repository}:{environment}:{step}',
  },
  branch: { kind: 'string', flag: 'branch', value: 'name', help: 'branchName (default main)', default: 'main' },
  /** Default: ari:cloud:bitbucket::workspace/<workspace uuid without braces>, the audience Bitbucket shows. */
  aud: {
    kind: 'string',
    flag: 'aud',
    value: 'audience',
    help: 'a custom audience (oidc: audiences:), default ari:cloud:bitbucket::workspace/<uuid>',
  },
} as const satisfies OptionSchema;

export type BitbucketOptions = OptionsOf<typeof OPTIONS>;

export const BITBUCKET_PRESET: Preset<typeof OPTIONS> = {
  name: 'bitbucket',
  label: 'Bitbucket Pipelines',
  source: 'https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/',
  options: OPTIONS,
  conflicts(o, spell) {
    return (['workspaceUuid', 'repositoryUuid', 'pipelineUuid', 'stepUuid', 'environmentUuid'] as const)
      .filter((k) => {
        const v = o[k];
        return v !== undefined && !UUID_IN_BRACES.test(v);
      })
      .map((k) => `${spell(k)} must be a UUID in braces, as Bitbucket writes them: {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}`);
  },
  claims(issuer, o, t) {
    const d = OPTIONS;
    const workspaceUuid = o.workspaceUuid ?? d.workspaceUuid.default;
    const repositoryUuid = o.repositoryUuid ?? d.repositoryUuid.default;
    const stepUuid = o.stepUuid ?? d.stepUuid.default;
    const env = o.environmentUuid;
    const { iat, exp } = times(t);
    return {
      sub: env === undefined ? `${repositoryUuid}:${stepUuid}` : `${repositoryUuid}:${env}:${stepUuid}`,
      aud: o.aud ?? `ari:cloud:bitbucket::workspace/${workspaceUuid.slice(1, -1)}`,
      stepUuid,
      iss: issuer.url,
      repositoryUuid,
      branchName: o.branch ?? d.branch.default,
      exp,
      iat,
      pipelineUuid: o.pipelineUuid ?? d.pipelineUuid.default,
      workspaceUuid,
      ...(env === undefined ? {} : { deploymentEnvironmentUuid: env }),
    };
  },
};
