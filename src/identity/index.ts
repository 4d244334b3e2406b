/**
 * The public entry of the identity layer (the only place that imports jose): token verification against the
 * registered providers, the emulated issuers' keys and tokens, the provider kinds and their claim presets.
 */
export { ALLOWED_ALGORITHMS, createTokenVerifier, type TokenVerifierOptions } from './verifier.js';
export { acceptClaims, MAX_CLAIM_DEPTH, nestedDeeperThan } from './claims.js';
export { discoveryDocument, loadOrCreateSigningKey, publicJwks, signToken, type EmulatedKey } from './emulated.js';
export {
  GENERIC_CLAIM_KEYS,
  MULTIVALUED_CLAIMS,
  organisationOf,
  presetClaims,
  presetNamed,
  presetOf,
  presetOfProvider,
  PRESETS,
  PROVIDER_KINDS,
  providedClaims,
  providerKindOf,
  type ProviderKind,
  type ProviderKindName,
} from './provider-kinds.js';
export {
  oldFlagOf,
  presetOptionProblems,
  type BitbucketOptions,
  type CircleCiOptions,
  type EksOptions,
  type GitHubOptions,
  type GitLabOptions,
  type OptionKind,
  type OptionSchema,
  type Preset,
  type PresetName,
  type PresetOption,
  type PresetOptionsByName,
  type PresetSpec,
  type Spell,
  type TerraformOptions,
  type TimeOptions,
} from './presets.js';
export { refusingProvider } from './refusal.js';
export type { JwkSet, KeySource, OidcProvider, TokenVerifier, VerifiedToken } from './types.js';
export {
  createGcpTokenVerifier,
  GCP_ALGORITHMS,
  GCP_CLOCK_SKEW_SECONDS,
  type GcpIssuer,
  type GcpTokenVerifier,
  type GcpVerifiedToken,
  type GcpVerifierOptions,
} from './gcp-verifier.js';
export {
  createInfisicalTokenVerifier,
  infisicalClaimChecks,
  INFISICAL_MAX_KEYS_TO_TRY,
  type InfisicalIssuer,
  type InfisicalTokenVerifier,
  type InfisicalVerifiedToken,
  type InfisicalVerifierOptions,
} from './infisical-verifier.js';
export { createSealedJson, type SealedJson } from './sealed-json.js';
