/**
 * HashiCorp Vault's answers for the JWT auth method, every text in one place (shared/reference/infisical-vault.md §2.1,
 * read again in hashicorp/vault-plugin-auth-jwt @2e68bbaf path_login.go, claims.go and hashicorp/cap v0.13.0
 * jwt/jwt.go, jwt/keyset.go; coreos/go-oidc oidc/jwks.go). A refusal is `logical.ErrorResponse`: HTTP 400 with
 * `{"errors":["…"]}`; a bound CIDR miss and an unknown client token are 403 `permission denied`. The emulator's own
 * reason travels beside the body (x-sts-emulator-reason), never in it.
 */

/** What cap/jwt prefixes to every failure of Validator.Validate (path_login.go). */
const VALIDATING = 'error validating token: ';

export const VAULT_TEXTS = {
  missingRole: 'missing role',
  roleNotFound: (role: string) => `role ${goQuote(role)} could not be found`,
  oidcRole: 'role with oidc role_type is not allowed',
  missingToken: 'missing token',
  permissionDenied: 'permission denied',
  /** Discovery failed when the validator was built (backend.go jwtValidator). */
  keysetConfiguration: (detail: string) => `error configuring token validator: keyset configuration error: ${detail}`,
  /** A token that is not a compact JWS (go-jose, through the key set). */
  malformed: (detail: string) => `${VALIDATING}error verifying token signature: ${detail}`,
  /** jwt_validation_pubkeys: no key verified the signature (cap staticKeySet). */
  staticSignature: `${VALIDATING}error verifying token signature: no known key successfully validated the token signature`,
  /** jwks_url or oidc_discovery_url: go-oidc's RemoteKeySet found no key that verifies. */
  remoteSignature: `${VALIDATING}error verifying token signature: failed to verify id token signature`,
  /** go-oidc could not fetch the JWKS. */
  keysUnavailable: (detail: string) => `${VALIDATING}error verifying token signature: fetching keys oidc: get keys failed${detail}`,
  algorithm: `${VALIDATING}invalid algorithm (alg) header parameter: token signed with unexpected algorithm`,
  issuer: `${VALIDATING}invalid issuer (iss) claim`,
  subject: `${VALIDATING}invalid subject (sub) claim`,
  audience: `${VALIDATING}invalid audience (aud) claim: audience claim does not match any expected audience`,
  /** A registered claim of the wrong JSON type (go-jose's jwt.Claims refuses to decode it). */
  claimType: (detail: string) => `${VALIDATING}${detail}`,
  noTimes: `${VALIDATING}no issued at (iat), not before (nbf), or expiration time (exp) claims in token`,
  notYetValid: `${VALIDATING}invalid not before (nbf) claim: token not yet valid`,
  expired: `${VALIDATING}invalid expiration time (exp) claim: token is expired`,
  issuedInFuture: `${VALIDATING}invalid issued at (iat) claim: token issued in the future`,
  audienceNotBound: 'audience claim found in JWT but no audiences bound to the role',
  userClaimMissing: (claim: string) => `claim ${goQuote(claim)} not found in token`,
  userClaimNotString: (claim: string) => `claim ${goQuote(claim)} could not be converted to string`,
  mappingNotString: (claim: string) => `error converting claim '${claim}' to string`,
  groupsMissing: (claim: string) => `failed to fetch groups: ${goQuote(claim)} claim not found in token`,
  groupsNotList: (claim: string) => `${goQuote(claim)} claim could not be converted to string list`,
  groupNotString: (value: string) => `value ${value} in groups claim could not be parsed as string`,
  claimMissing: (claim: string) => `error validating claims: claim ${goQuote(claim)} is missing`,
  claimNoMatch: (claim: string) => `error validating claims: claim ${goQuote(claim)} does not match any associated bound claim values`,
  claimNotScalar: (value: string) => `error validating claims: received claim is not a string, bool, int or list: ${value}`,
  /** Vault's answer to a path no mount handles (Vault 1.x; wording from memory, behaviour-choices.md). */
  noHandler: (path: string) => `no handler for route ${goQuote(path)}. route entry not found.`,
  /** A body that is not JSON (Vault's HTTP layer). */
  badJson: (detail: string) => `failed to parse JSON input: ${detail}`,
  /** Vault's 500 body. */
  internal: 'internal error',
} as const;

/** Go's %q for the strings Vault quotes: a double-quoted string with Go's escapes (JSON's are the same for text). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** A refusal in Vault's words: HTTP status, the `errors` list, and the emulator's reason (never sent in the body). */
export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(
    readonly status: number,
    readonly errors: readonly string[],
    readonly reason: string,
  ) {
    super(reason);
  }

  get body(): { readonly errors: readonly string[] } {
    return { errors: this.errors };
  }
}

/** `logical.ErrorResponse`: HTTP 400 with one message. */
export function vaultError(message: string, reason: string = message): VaultError {
  return new VaultError(400, [message], reason);
}

/** `logical.ErrPermissionDenied`: HTTP 403. */
export function vaultPermissionDenied(reason: string): VaultError {
  return new VaultError(403, [VAULT_TEXTS.permissionDenied], reason);
}
