/**
 * What a lint rule is: an id, a severity, the providers it knows about, a one-line summary (README's rule table
 * and SARIF's rule metadata come from it), and a check over one statement's facts that reports where, what (the
 * concrete token that gets in, or is shut out) and how to fix it with the policy's own values.
 */
import type { InfisicalIdentity } from '../config/index.js';
import type { VaultMount, VaultRole } from '../config/vault.js';
import type { GcpConfig, GcpProvider, GcpServiceAccount } from '../config/index.js';
import type { ConditionView } from '../policy/index.js';
import type { StatementFacts } from './facts.js';

/** error: the policy does not do what it says, or anyone gets in; warning: more gets in than meant; info: worth knowing. */
export type Severity = 'error' | 'warning' | 'info';

/** Which OIDC providers a rule judges: `any` for every provider; GitLab covers gitlab.com and self-managed instances. */
export type RuleProvider = 'any' | 'github' | 'circleci' | 'gitlab' | 'terraform' | 'bitbucket' | 'eks';

/** How the providers are named to users (README's rule table, SARIF's rule help). */
export const PROVIDER_NAMES: Readonly<Record<RuleProvider, string>> = {
  any: 'any',
  github: 'GitHub',
  circleci: 'CircleCI',
  gitlab: 'GitLab',
  terraform: 'HCP Terraform',
  bitbucket: 'Bitbucket',
  eks: 'EKS',
};

/** What a finding is about when it is not an AWS role: a Google Cloud workload identity provider or service account. */
export type FindingTarget = 'gcp-provider' | 'gcp-service-account' | 'vault-role';

/** How a target is named to users (the title of a GitHub annotation). */
export const TARGET_NAMES: Readonly<Record<FindingTarget | 'role', string>> = {
  role: 'role',
  'gcp-provider': 'Google Cloud provider',
  'gcp-service-account': 'service account',
  'vault-role': 'Vault role',
};

export interface Finding {
  readonly severity: Severity;
  readonly rule: string;
  readonly file: string;
  /** The role's name; for Google Cloud (`target`), the provider as `<pool>/<provider>` or the service account's email. */
  readonly role: string;
  /** Absent for an AWS role. */
  readonly target?: FindingTarget;
  /** Dotted JSON path in the role file (or the Google Cloud file). */
  readonly path: string;
  /** Where the path's value is written in the file (1-based), when the loader recorded it. */
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  readonly fix: string;
}

/** One finding as a rule reports it; the runner adds the rule's id and severity, the file, the role and the position. */
export interface Report {
  /** Dotted JSON path in the role file (StatementFacts.at), or in the Google Cloud provider or service account. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

interface RuleBase {
  readonly id: string;
  readonly severity: Severity;
  readonly providers: readonly RuleProvider[];
  /** What the rule catches, in one line (README's table, SARIF's shortDescription). */
  readonly summary: string;
}

/** Checked on every condition of every statement. */
export interface ConditionRule extends RuleBase {
  readonly on: 'condition';
  check(s: StatementFacts, c: ConditionView): readonly Report[];
}

/** Checked once for each OIDC provider that an Allow statement for AssumeRoleWithWebIdentity trusts. */
export interface TrustedProviderRule extends RuleBase {
  readonly on: 'trusted-provider';
  check(s: StatementFacts, provider: string): readonly Report[];
}

/** Checked once for every statement. */
export interface StatementRule extends RuleBase {
  readonly on: 'statement';
  check(s: StatementFacts): readonly Report[];
}

/** Checked once for every Infisical identity (infisical/identities/); its findings name the identityId as the role. */
export interface InfisicalIdentityRule extends RuleBase {
  readonly on: 'infisical-identity';
  check(identity: InfisicalIdentity): readonly Report[];
}

/** Checked once for every role of every Vault JWT auth mount (vault/<mount>/roles/); paths are the role file's. */
export interface VaultRoleRule extends RuleBase {
  readonly on: 'vault-role';
  check(mount: VaultMount, role: VaultRole): readonly Report[];
}

/** Checked once for every Google Cloud workload identity provider (gcp/pools/); paths relative to the provider. */
export interface GcpProviderRule extends RuleBase {
  readonly on: 'gcp-provider';
  check(provider: GcpProvider, gcp: GcpConfig): readonly Report[];
}

/** Checked once for every Google Cloud service account (gcp/service-accounts/); paths relative to the account. */
export interface GcpServiceAccountRule extends RuleBase {
  readonly on: 'gcp-service-account';
  check(account: GcpServiceAccount, gcp: GcpConfig): readonly Report[];
}

export type Rule =
  ConditionRule | TrustedProviderRule | StatementRule | InfisicalIdentityRule | VaultRoleRule | GcpProviderRule | GcpServiceAccountRule;
