/** The public entry of the AWS query protocol: the STS error table and messages, parameters, validation, XML. */
export { IAM_MESSAGES, isStsError, MESSAGES, STS_ERRORS, StsError, toStsError, type StsErrorCode } from './errors.js';
export { listMembers, listStructs, MAX_BODY_BYTES, parseQueryParams, rawQueryOf, type QueryParams } from './query.js';
export {
  CONSTRAINT,
  formatValidationFailures,
  ParamChecker,
  REDACTED,
  validationError,
  WEB_IDENTITY_TOKEN_LENGTH,
  type ValidationFailure,
} from './validation.js';
export { escapeXml, IAM_XMLNS, renderError, renderSuccess, STS_XMLNS, type XmlNode } from './xml.js';
export {
  GCP_TEXTS,
  GcpError,
  googleError,
  oauthError,
  permissionDenied,
  type GcpErrorBody,
  type GoogleStatus,
  type OAuthErrorCode,
} from './gcp-errors.js';
export {
  badRequest,
  forbidden,
  INFISICAL_ERRORS,
  INFISICAL_TEXTS,
  InfisicalError,
  internalServerError,
  JSONWEBTOKEN_TEXTS,
  notFound,
  tokenError,
  unauthorized,
  validationFailure,
  type InfisicalErrorBody,
  type InfisicalErrorClass,
  type ZodIssue,
} from './infisical-errors.js';
export { goQuote, VAULT_TEXTS, VaultError, vaultError, vaultPermissionDenied } from './vault-errors.js';
export type { AuditFields, JsonAnswer, JsonRequest, JsonService } from './json-service.js';
