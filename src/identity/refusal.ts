/**
 * Which registered provider refused a token. When `iss` matched a provider and the token then failed (its
 * signature, key retrieval, audience, time claims), the verifier's StsError carries a TokenRefusal as its
 * `detail`, so the audit log (`issuer`) and `explain` (its `Provider:` line) can say which provider the token met.
 * Refusals before a provider matched (malformed token, unknown iss) carry none. The answer on the wire is the same.
 */
import { StsError } from '../protocol/errors.js';
import type { OidcProvider } from './types.js';

/** An `aud` none of whose values is in the ClientIDList: the token's values (strings; others as their JSON text). */
export class AudienceMismatch {
  constructor(readonly audiences: readonly string[]) {}
}

export class TokenRefusal {
  constructor(
    readonly provider: OidcProvider,
    /** Set when the token was refused for its audience, so explain can name what the ClientIDList expected. */
    readonly audience?: AudienceMismatch,
  ) {}
}

/** The same error, with the provider that refused it as its detail (InternalFailure is left as it is). */
export function refusedBy(err: StsError, provider: OidcProvider): StsError {
  if (err.code === 'InternalFailure' || err.detail instanceof TokenRefusal) return err;
  return new StsError(err.code, err.message, {
    cause: err.cause,
    ...(err.reason === undefined ? {} : { reason: err.reason }),
    detail: new TokenRefusal(provider, err.detail instanceof AudienceMismatch ? err.detail : undefined),
  });
}

/** The provider that refused the token, if the error says so. */
export function refusingProvider(err: StsError): OidcProvider | undefined {
  return err.detail instanceof TokenRefusal ? err.detail.provider : undefined;
}

/** The token's audiences, when the error is a refusal for its audience by a provider. */
export function refusedAudiences(err: StsError): readonly string[] | undefined {
  return err.detail instanceof TokenRefusal ? err.detail.audience?.audiences : undefined;
}
