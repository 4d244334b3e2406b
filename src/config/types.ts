/** The loaded, validated configuration. Only config/ reads policies/ from disk. */
import type { OidcProvider } from '../identity/types.js';
import type { TrustPolicy } from '../policy/index.js';
import type { GcpConfig } from './gcp.js';
import type { InfisicalConfig } from './infisical.js';
import type { VaultConfig } from './vault.js';
import type { SkippedResource } from './iac/index.js';
import type { SourcePositions } from './json-file.js';

export type { SkippedResource } from './iac/index.js';

export interface RoleTag {
  readonly Key: string;
  readonly Value: string;
}

export interface RoleConfig {
  readonly roleName: string;
  /** IAM path, default '/'. Always starts and ends with '/'. */
  readonly path: string;
  /** arn:aws:iam::<account>:role<path><roleName> */
  readonly arn: string;
  /** AROA + 17 characters of [A-Z0-9]; deterministic from account + name unless given as RoleId. */
  readonly roleId: string;
  /** Seconds, 3600..43200, default 3600. */
  readonly maxSessionDuration: number;
  readonly description: string | undefined;
  readonly tags: readonly RoleTag[];
  /** The compiled trust policy. */
  readonly trustPolicy: TrustPolicy;
  /** The trust policy as JSON text (normalised from object, string or URL-encoded input). */
  readonly trustPolicyJson: string;
  /** Source file (relative to the configuration directory), for messages: a roles/ file, a template, a plan or a state. */
  readonly file: string;
  /** Whether the file holds the role inside `{"Role": {...}}`, as `aws iam get-role` prints it. */
  readonly wrapped: boolean;
  /**
   * Where the trust policy is written in the file: `AssumeRolePolicyDocument`, `Role.AssumeRolePolicyDocument`,
   * `Resources.<LogicalId>.Properties.AssumeRolePolicyDocument` in a template, `<address>.assume_role_policy` in Terraform.
   */
  readonly trustPolicyPath: string;
  /** Where each value is written in the file, by dotted path (for reports that point into it). */
  readonly positions: SourcePositions;
  /** The document's CreateDate, as written (get-role output carries one; the IAM API writes one). */
  readonly createDate?: string;
  /** The document as written (wrapper included), so an edit through the IAM API keeps every field it does not change. */
  readonly document: Readonly<Record<string, unknown>>;
}

export interface LoadedConfig {
  readonly accountId: string;
  readonly providers: readonly OidcProvider[];
  readonly roles: readonly RoleConfig[];
  /** Roles and providers of templates and plans left out because a value is known only when deployed (or applied). */
  readonly skipped: readonly SkippedResource[];
  /** The directory the files' names are relative to: --policies, or the directory of the file it names. */
  readonly root: string;
  /** Google Cloud workload identity federation: gcp/pools/*.json and gcp/service-accounts/*.json (issue 19). */
  readonly gcp?: GcpConfig;
  /** Infisical machine identity OIDC auth: infisical/identities/*.json and infisical/secrets/*.json (issue 20). */
  readonly infisical?: InfisicalConfig;
  /** HashiCorp Vault JWT auth: vault/<mount>/config.json and vault/<mount>/roles/*.json (issue 20). */
  readonly vault?: VaultConfig;
}

/** One configuration problem: file (relative to the policies dir), dotted JSON path, message. */
export interface ConfigProblem {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

/** Thrown by loadConfig with every problem found. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.file}: ${p.path ? p.path + ': ' : ''}${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
