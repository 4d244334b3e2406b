/** The public entry of the AWS query protocol: the STS error table and messages, parameters, validation, XML. */
export { isStsError, MESSAGES, STS_ERRORS, StsError, toStsError, type StsErrorCode } from './errors.js';
export { MAX_BODY_BYTES, parseQueryParams, rawQueryOf, type QueryParams } from './query.js';
export {
  CONSTRAINT,
  formatValidationFailures,
  REDACTED,
  validationError,
  WEB_IDENTITY_TOKEN_LENGTH,
  type ValidationFailure,
} from './validation.js';
export { escapeXml, renderError, renderSuccess, STS_XMLNS, type XmlNode } from './xml.js';
