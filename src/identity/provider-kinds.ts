/**
 * THE TABLE of OIDC provider kinds, asked by everyone: which provider names are CircleCI, GitHub, GitLab, ...;
 * which token claims AWS puts in the request context of AssumeRoleWithWebIdentity for each, as
 * `<provider name>:<claim>` keys (everything not listed is absent, as in AWS); and, for the kinds the
 * emulator mints tokens for, their claim preset. To follow AWS when it adds keys, edit this table only.
 * Sources: IAM User Guide "Available keys for AWS web identity federation" (aud, azp, amr, sub; email observed),
 * and the Service Authorization Reference for STS (provider-specific keys). See shared/reference/sts.md §6.
 */
import {
  BITBUCKET_PRESET,
  CIRCLECI_PRESET,
  EKS_PRESET,
  GITHUB_PRESET,
  GITLAB_PRESET,
  TERRAFORM_PRESET,
  type OptionSchema,
  type OptionsOf,
  type Preset,
  type PresetName,
  type TimeOptions,
} from './presets.js';
import type { OidcProvider } from './types.js';

export type ProviderKindName =
  'circleci' | 'github' | 'google' | 'oci' | 'gitlab' | 'buildkite' | 'terraform' | 'bitbucket' | 'eks' | 'generic';

export interface ProviderKind {
  readonly name: ProviderKindName;
  /**
   * Provider names (the Url without https://) of this kind, case-insensitive. A named group whose name starts with
   * `org` captures the organisation a provider name carries (a CircleCI org id, a GitHub enterprise, a Bitbucket
   * workspace).
   */
  readonly names: RegExp;
  /** Claims AWS provides as condition keys for this kind, beyond GENERIC_CLAIM_KEYS. */
  readonly claimKeys: readonly string[];
  readonly source: string;
  /** The claim set the emulator mints for issuers of this kind. */
  readonly preset?: Preset;
}

/** Claims every OIDC provider gets. */
export const GENERIC_CLAIM_KEYS: readonly string[] = ['sub', 'aud', 'azp', 'amr', 'email'];

/** Claims that are sets (multivalued condition keys). */
export const MULTIVALUED_CLAIMS: ReadonlySet<string> = new Set(['amr']);

/** In order; the first kind whose names match is the provider's kind (`generic` matches every name). */
export const PROVIDER_KINDS: readonly ProviderKind[] = [
  {
    name: 'circleci',
    names: /^oidc\.circleci\.com\/org\/(?<org>[^/]+)$/i,
    claimKeys: ['oidc.circleci.com/project-id'],
    source: 'SAR-STS: only project-id; vcs-origin, vcs-ref, context-ids are NOT condition keys',
    preset: CIRCLECI_PRESET,
  },
  {
    name: 'github',
    // token.actions.githubusercontent.com[/<enterprise>], token.actions.<enterprise>.ghe.com, github.com/enterprises/<enterprise>
    names:
      /^(?:token\.actions\.githubusercontent\.com(?:\/(?<org>[^/]+))?|token\.actions\.(?<orgGhe>[^/]*)\.ghe\.com|github\.com\/enterprises\/(?<orgEnterprise>[^/]+))$/i,
    claimKeys: [
      'actor',
      'actor_id',
      'enterprise_id',
      'environment',
      'job_workflow_ref',
      'ref',
      'repository',
      'repository_id',
      'repository_owner_id',
      'workflow',
    ],
    source: 'SAR-STS GitHub keys',
    preset: GITHUB_PRESET,
  },
  {
    name: 'google',
    names: /^accounts\.google\.com$/i,
    claimKeys: ['google/organization_number', 'oaud'],
    source: 'SAR-STS Google keys; IAM UG oaud',
  },
  { name: 'oci', names: /^idcs-[^/]*\.identity\.oraclecloud\.com$/i, claimKeys: ['rpst_id'], source: 'SAR-STS OCI key' },
  {
    name: 'gitlab',
    names: /^gitlab\.com$/i,
    claimKeys: [
      'namespace_id',
      'pipeline_source',
      'project_id',
      'ref_protected',
      'runner_environment',
      'user_access_level',
      'user_email',
      'user_id',
      'user_login',
    ],
    source: 'SAR-STS GitLab keys',
    preset: GITLAB_PRESET,
  },
  {
    name: 'buildkite',
    names: /^agent\.buildkite\.com$/i,
    claimKeys: ['build_branch', 'cluster_id', 'cluster_name', 'organization_id', 'organization_slug', 'pipeline_id', 'pipeline_slug'],
    source: 'SAR-STS Buildkite keys',
  },
  {
    name: 'terraform',
    // HCP Terraform in the US and in Europe
    names: /^app\.(?:eu\.)?terraform\.io$/i,
    claimKeys: [],
    source: 'HCP Terraform (Terraform Cloud): no provider-specific keys in SAR-STS',
    preset: TERRAFORM_PRESET,
  },
  {
    name: 'bitbucket',
    // api.bitbucket.org/2.0/workspaces/<workspace>/pipelines-config/identity/oidc
    names: /^api\.bitbucket\.org\/2\.0\/workspaces\/(?<org>[^/]+)\/pipelines-config\/identity\/oidc$/i,
    claimKeys: [],
    source: 'Bitbucket Pipelines: no provider-specific keys in SAR-STS',
    preset: BITBUCKET_PRESET,
  },
  {
    name: 'eks',
    // oidc.eks.<region>.amazonaws.com/id/<cluster OIDC id>: IAM roles for service accounts
    names: /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/[A-Za-z0-9]+$/i,
    claimKeys: [],
    source: 'IAM UG "Available keys for AWS web identity federation" (EKS: aud, sub)',
    preset: EKS_PRESET,
  },
  { name: 'generic', names: /^/, claimKeys: [], source: 'IAM UG: the generic keys only' },
];

/** The kind of a provider, by its name (the Url without https://). */
export function providerKindOf(providerName: string): ProviderKind {
  return PROVIDER_KINDS.find((k) => k.names.test(providerName)) as ProviderKind;
}

/** The organisation a provider name carries (a CircleCI org id, a GitHub enterprise, a Bitbucket workspace), if any. */
export function organisationOf(providerName: string): string | undefined {
  const groups = providerKindOf(providerName).names.exec(providerName)?.groups ?? {};
  return Object.entries(groups).find(([name, value]) => name.startsWith('org') && value !== undefined && value !== '')?.[1];
}

const provided = new Map<string, ReadonlySet<string>>();

/** The claims AWS provides as condition keys for tokens of this provider (names as in the token). */
export function providedClaims(providerName: string): ReadonlySet<string> {
  let set = provided.get(providerName);
  if (set === undefined) {
    set = new Set([...GENERIC_CLAIM_KEYS, ...providerKindOf(providerName).claimKeys]);
    provided.set(providerName, set);
  }
  return set;
}

/** Every preset, in table order. */
export const PRESETS: readonly PresetName[] = PROVIDER_KINDS.flatMap((k) => (k.preset === undefined ? [] : [k.preset.name]));

export function presetNamed(name: PresetName): Preset {
  return PROVIDER_KINDS.find((k) => k.preset?.name === name)?.preset as Preset;
}

/** The preset an issuer of this provider name mints, if its kind has one. */
export function presetOfProvider(providerName: string): PresetName | undefined {
  return providerKindOf(providerName).preset?.name;
}

/**
 * The preset an emulated issuer mints: the one its provider file names ("Preset", for issuers no name reveals: GHES,
 * self-managed GitLab, Terraform Enterprise), else its kind's. The kind alone decides the condition keys AWS provides.
 */
export function presetOf(provider: OidcProvider): PresetName | undefined {
  return (provider.keys.kind === 'emulated' ? provider.keys.preset : undefined) ?? presetOfProvider(provider.name);
}

/** A preset's claims for an issuer (its Url); the issuer's organisation, if its name carries one, is the default. */
export function presetClaims(
  name: PresetName,
  issuerUrl: string,
  options: Readonly<Record<string, unknown>>,
  t: TimeOptions,
  jti?: string,
): Record<string, unknown> {
  const org = organisationOf(issuerUrl.replace(/^https:\/\//, ''));
  // Options come checked against the preset's schema by whoever read them (case files, flags, typed callers).
  return presetNamed(name).claims({ url: issuerUrl, org }, options as OptionsOf<OptionSchema>, t, jti);
}
