/**
 * Which registered provider refused a token. When `iss` matched a provider and the token then failed (its
 * signature, key retrieval, audience, time claims), the verifier's StsError carries a TokenRefusal as its
 * `detail`, so the audit log (`issuer`) and `explain` (its `Provider:` line) can say which provider the token met.
 * Refusals before a provider matched (malformed token, unknown iss) carry none. The answer on the wire is the same.
 */
import { StsError } from '../protocol/errors.js';
import type { OidcProvider } from './types.js';

export class TokenRefusal {
  constructor(readonly provider: OidcProvider) {}
}

/** The same error, with the provider that refused it as its detail (InternalFailure is left as it is). */
export function refusedBy(err: StsError, provider: OidcProvider): StsError {
  if (err.code === 'InternalFailure' || err.detail instanceof TokenRefusal) return err;
  return new StsError(err.code, err.message, {
    cause: err.cause,
    ...(err.reason === undefined ? {} : { reason: err.reason }),
    detail: new TokenRefusal(provider),
  });
}

/** The provider that refused the token, if the error says so. */
export function refusingProvider(err: StsError): OidcProvider | undefined {
  return err.detail instanceof TokenRefusal ? err.detail.provider : undefined;
}
