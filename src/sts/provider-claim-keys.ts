/**
 * THE DATA FILE: which token claims AWS puts in the request context of AssumeRoleWithWebIdentity,
 * as `<provider name>:<claim>` keys. Everything not listed here is absent, as in AWS.
 * Sources: IAM User Guide "Available keys for AWS web identity federation" (aud, azp, amr, sub; email observed),
 * and the Service Authorization Reference for STS (provider-specific keys, 2026). See shared/reference/sts.md §6.
 * To follow AWS when it adds keys, edit this table only.
 */

/** Claims every OIDC provider gets. `amr` is multivalued. */
export const GENERIC_CLAIM_KEYS: readonly string[] = ['sub', 'aud', 'azp', 'amr', 'email'];

/** Claims that are sets (multivalued condition keys). */
export const MULTIVALUED_CLAIMS: ReadonlySet<string> = new Set(['amr']);

export interface ProviderClaimKeys {
  /** Which providers, as shell globs over the provider name (URL without https://); `*` stays within one path segment. */
  readonly providers: readonly string[];
  /** Extra claims AWS provides for these providers. */
  readonly claims: readonly string[];
  readonly source: string;
}

export const PROVIDER_CLAIM_KEYS: readonly ProviderClaimKeys[] = [
  {
    providers: ['oidc.circleci.com/org/*'],
    claims: ['oidc.circleci.com/project-id'],
    source: 'SAR-STS: only project-id; vcs-origin, vcs-ref, context-ids are NOT condition keys',
  },
  {
    providers: [
      'token.actions.githubusercontent.com',
      'token.actions.githubusercontent.com/*',
      'token.actions.*.ghe.com',
      'github.com/enterprises/*',
    ],
    claims: ['actor', 'actor_id', 'enterprise_id', 'environment', 'job_workflow_ref', 'ref', 'repository', 'repository_id', 'repository_owner_id', 'workflow'],
    source: 'SAR-STS GitHub keys',
  },
  { providers: ['accounts.google.com'], claims: ['google/organization_number', 'oaud'], source: 'SAR-STS Google keys; IAM UG oaud' },
  { providers: ['idcs-*.identity.oraclecloud.com'], claims: ['rpst_id'], source: 'SAR-STS OCI key' },
  {
    providers: ['gitlab.com'],
    claims: ['namespace_id', 'pipeline_source', 'project_id', 'ref_protected', 'runner_environment', 'user_access_level', 'user_email', 'user_id', 'user_login'],
    source: 'SAR-STS GitLab keys',
  },
  {
    providers: ['agent.buildkite.com'],
    claims: ['build_branch', 'cluster_id', 'cluster_name', 'organization_id', 'organization_slug', 'pipeline_id', 'pipeline_slug'],
    source: 'SAR-STS Buildkite keys',
  },
];
