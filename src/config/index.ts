/** The public entry of the configuration: loading and validating a policies directory (or a template or plan), and what it yields. */
export {
  buildConfig,
  isConfigFileName,
  loadConfig,
  loadConfigFrom,
  providersWhere,
  NamedDocument,
  type BuildOptions,
  type BuildResult,
  type ConfigFile,
  type ConfigSource,
  type DocumentKind,
  type LoadOptions,
  type SourceOptions,
} from './load.js';
export { ConfigError, type ConfigProblem, type LoadedConfig, type RoleConfig, type RoleTag, type SkippedResource } from './types.js';
export { describeSkipped, skippedReport } from './iac-sources.js';
export { DEMO_POLICIES_DIR } from './demo.js';
export { MAX_CLIENT_ID_LENGTH, MAX_CLIENT_IDS, MAX_THUMBPRINTS, MAX_URL_LENGTH, normalizeProviderUrl } from './providers.js';
export {
  DEFAULT_SESSION_DURATION,
  MAX_DESCRIPTION_LENGTH,
  MAX_PATH_LENGTH,
  MAX_ROLE_NAME_LENGTH,
  MAX_SESSION_DURATION,
  MIN_SESSION_DURATION,
} from './roles.js';
export { deriveRoleId } from './role-id.js';
export { MAX_TAGS, at as jsonPathAt } from './fields.js';
export { TRUST_POLICY_MAX_CHARS } from './policy-document.js';
export {
  acceptedAudiences,
  defaultAudiences,
  memberProblem,
  type GcpBinding,
  type GcpConfig,
  type GcpProvider,
  type GcpServiceAccount,
} from './gcp.js';
export {
  INFISICAL_DEFAULT_TTL,
  INFISICAL_IDENTITY_DIR,
  INFISICAL_SECRETS_DIR,
  type InfisicalConfig,
  type InfisicalIdentity,
  type InfisicalSecret,
  type InfisicalSecretSet,
  type InfisicalTrustedIp,
} from './infisical.js';
export {
  durationSeconds,
  goValueText,
  VAULT_ALGORITHMS,
  VAULT_SYSTEM_MAX_TTL,
  type VaultBoundClaim,
  type VaultBoundValue,
  type VaultConfig,
  type VaultKeys,
  type VaultMount,
  type VaultRole,
} from './vault.js';
