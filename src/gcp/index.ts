/**
 * Google Cloud workload identity federation (issue 19): STS token exchange, IAM Credentials generateAccessToken and
 * tokeninfo over the gcp/ configuration, the CEL mapping and condition with their traces, and the sealed tokens.
 */
export { compileCel, extract, type CelOutcome, type CelProgram, type CompileResult } from './cel.js';
export { GCP_ACTIONS, isGcpAction, showCel } from './explain-text.js';
export {
  compileMapping,
  mapAndCheck,
  MAPPING_REASONS,
  MAX_ATTRIBUTE_BYTES,
  MAX_CUSTOM_ATTRIBUTES,
  MAX_MAPPED_BYTES,
  type AttributeTrace,
  type CompiledMapping,
  type ConditionTrace,
  type MappingResult,
} from './mapping.js';
export { checkBindings, identifiersOf, IMPERSONATION_ROLES, principalOf, type BindingDecision, type BindingTrace } from './bindings.js';
export {
  ACCESS_TOKEN_TYPE,
  decideMapping,
  exchangeToken,
  providerForAudience,
  stsRequestOf,
  TOKEN_EXCHANGE_GRANT,
  type ExchangeDeps,
  type ExchangeResult,
  type StsRequest,
} from './exchange.js';
export { generateAccessToken, parseDuration, tokenInfo, wholeSecondsIso, type ImpersonationRequest } from './impersonate.js';
export { createGcpTokenAuthority, type FederatedPrincipal, type GcpTokenAuthority, type SealedToken } from './tokens.js';
export { gcpOperations, type GcpAnswer, type GcpOperations, type GcpDeps } from './operations.js';
export { gcpService, isGcpPath } from './service.js';
export { credentialConfig, type CredentialConfigOptions } from './credential-config.js';
export {
  explainGcp,
  explainGcpText,
  GCP_EXPECTATIONS,
  gcpExpectationMet,
  gcpOutcomeLabel,
  gcpProviderFor,
  type GcpExplanation,
} from './explain.js';
