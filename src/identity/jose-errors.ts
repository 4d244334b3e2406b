/**
 * The one mapping from what token verification throws (jose errors, key-source failures, plain
 * TypeErrors) to STS errors. Branches on jose's stable `code`, never on messages; keeps `cause`.
 * Key retrieval failures are InvalidIdentityToken "Couldn't retrieve verification key ..." (the
 * project's choice; AWS may answer IDPCommunicationError, sts.md §5.4 UNVERIFIED).
 */
import * as errors from 'jose/errors';
import { MESSAGES, StsError } from '../protocol/errors.js';

/** Anything that went wrong while obtaining the provider's keys (fetch, discovery, JWKS, key selection). */
export class KeySourceError extends Error {
  /** True when the failure is the emulator's own (its key file), which is not the token's or the IdP's fault. */
  readonly internal: boolean;
  constructor(message: string, options: { cause?: unknown; internal?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeySourceError';
    this.internal = options.internal ?? false;
  }
}

/** InvalidIdentityToken with the generic message; `reason` says what was wrong. */
export function invalidToken(reason: string, cause?: unknown): StsError {
  return new StsError('InvalidIdentityToken', MESSAGES.invalidIdentityToken, cause === undefined ? { reason } : { reason, cause });
}

export function couldNotRetrieveKey(reason: string, cause?: unknown): StsError {
  return new StsError('InvalidIdentityToken', MESSAGES.couldNotRetrieveKey, cause === undefined ? { reason } : { reason, cause });
}

const KEY_SELECTION = new Set<string>([
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JWKSTimeout.code,
  errors.JWKSInvalid.code,
]);

/** Maps any error thrown while verifying a token to an StsError. `nowSeconds` feeds the expiry message. */
export function mapVerificationError(err: unknown, nowSeconds: number): StsError {
  if (err instanceof StsError) return err;
  if (err instanceof KeySourceError) {
    if (err.internal) return new StsError('InternalFailure', MESSAGES.internalFailure, { reason: err.message, cause: err });
    return couldNotRetrieveKey(keyReason(err), err);
  }
  if (err instanceof errors.JOSEError) {
    const detail = `${err.code}: ${err.message}`;
    if (err instanceof errors.JWTExpired) {
      const exp = err.payload['exp'];
      if (err.claim === 'exp' && typeof exp === 'number') {
        return new StsError('ExpiredTokenException', MESSAGES.tokenExpired(nowSeconds, exp), { reason: detail, cause: err });
      }
      return invalidToken(detail, err);
    }
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') {
      const message = err.reason === 'missing' ? MESSAGES.missingAud : MESSAGES.incorrectAudience;
      return new StsError('InvalidIdentityToken', message, { reason: detail, cause: err });
    }
    if (KEY_SELECTION.has(err.code)) return couldNotRetrieveKey(detail, err);
    // JWSSignatureVerificationFailed, JOSEAlgNotAllowed, JWSInvalid, JWTInvalid, JOSENotSupported (crit),
    // other claim failures and generic JOSEErrors: the token is not acceptable.
    return invalidToken(detail, err);
  }
  // jose also throws TypeError/RangeError for unusable keys or inputs (e.g. RSA under 2048 bits).
  if (err instanceof Error) return invalidToken(`${err.name}: ${err.message}`, err);
  return invalidToken('verification failed', err);
}

function keyReason(err: KeySourceError): string {
  const cause: unknown = err.cause;
  if (cause instanceof errors.JOSEError) return `${err.message}: ${cause.code}: ${cause.message}`;
  if (cause instanceof Error) return `${err.message}: ${cause.name}: ${cause.message}`;
  return err.message;
}
