/**
 * Infisical machine identity OIDC auth (issue 20): the login in Infisical's order of checks, its matcher (picomatch,
 * as Infisical pins it) and dot-path claim lookup, the decision with its trace (`decideInfisical`: pure and
 * synchronous, for the cross-engine table), the sealed access tokens, the secrets read, renew and revoke, and the
 * trace of `explain --target infisical`. Importing this entry loads picomatch; the server goes through service.ts.
 */
export { valueByDot, commaList, missing } from './claims.js';
export { globMatches, MATCH_RULES, matchValue, type MatchOutcome, type MatchRule } from './match.js';
export { decideInfisical, FIELD_OUTCOMES, type FieldOutcome, type FieldTrace, type InfisicalDecision } from './decide.js';
export { createInfisicalTokenAuthority, MAX_TRACKED, type AccessGrant, type InfisicalTokenAuthority } from './tokens.js';
export {
  infisicalOperations,
  LOGIN_PATH,
  RENEW_PATH,
  REVOKE_PATH,
  SECRETS_V3_PATH,
  SECRETS_V4_PATH,
  type InfisicalDeps,
  type InfisicalOperations,
  type LoginOutcome,
} from './operations.js';
export { infisicalRequestId, infisicalService, isInfisicalPath, type InfisicalServiceDeps } from './service.js';
export {
  explainInfisical,
  explainInfisicalText,
  INFISICAL_EXPECTATIONS,
  infisicalExpectationMet,
  infisicalIdentityFor,
  infisicalOutcomeLabel,
  type InfisicalExplanation,
} from './explain.js';
