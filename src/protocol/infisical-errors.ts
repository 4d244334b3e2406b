/**
 * Infisical's answers for machine identity OIDC auth and its access tokens, every text and error class in one place
 * (shared/reference/infisical-vault.md §1.2, §1.3, §1.6; Infisical/infisical `backend/src/lib/errors/index.ts`,
 * `identity-oidc-auth-service.ts` @02cead17, `identity-access-token-service.ts`). The wire body is
 * `{reqId, statusCode, message, error}`; the emulator's own reason travels beside it and never in it.
 */

/** Infisical's error classes: the HTTP status and the `error` name its handler writes for each. */
export const INFISICAL_ERRORS = {
  UnauthorizedError: { status: 401, error: 'UnauthorizedError' },
  ForbiddenRequestError: { status: 403, error: 'ForbiddenError' },
  NotFoundError: { status: 404, error: 'NotFound' },
  BadRequestError: { status: 400, error: 'BadRequest' },
  ValidationFailure: { status: 422, error: 'ValidationFailure' },
  InternalServerError: { status: 500, error: 'InternalServerError' },
  /** The handler's answer to a jsonwebtoken error on an access token. */
  TokenError: { status: 403, error: 'TokenError' },
} as const satisfies Readonly<Record<string, { readonly status: number; readonly error: string }>>;

export type InfisicalErrorClass = keyof typeof INFISICAL_ERRORS;

/** Every text Infisical answers with here, verbatim. */
export const INFISICAL_TEXTS = {
  noOidcAuth: 'OIDC auth method not found for identity, did you configure OIDC auth?',
  discoveryFailed: (url: string, why: string) => `Access denied: Failed to fetch OIDC discovery document from ${url}. ${why}`,
  noJwksUri: 'Access denied: OIDC discovery document does not contain a jwks_uri. The identity provider may be misconfigured.',
  invalidJwt: 'Invalid JWT',
  kidNotFound: (kid: string) =>
    `Access denied: Unable to verify JWT signature. The signing key '${kid}' was not found in the OIDC provider's JWKS endpoint. This may indicate an invalid token or misconfigured OIDC provider.`,
  keyRetrieval: (why: string) => `Access denied: Failed to retrieve signing key from OIDC provider: ${why}`,
  keysRetrieval: (why: string) => `Access denied: Failed to retrieve signing keys from OIDC provider: ${why}`,
  noKeys: "Access denied: No signing keys available from OIDC provider's JWKS endpoint.",
  tooManyKeys: (n: number) =>
    `Access denied: OIDC provider has ${n} signing keys. Tokens must include 'kid' header when provider has more than 10 keys.`,
  anyKey: (why: string) => `Access denied: Unable to verify JWT signature with any available signing key. ${why}`,
  /** jsonwebtoken's refusal, prefixed. */
  jwt: (jsonwebtokenMessage: string) => `Access denied: ${jsonwebtokenMessage}`,
  subject: 'Access denied: OIDC subject not allowed.',
  audience: 'Access denied: OIDC audience not allowed.',
  noClaim: (claimKey: string) => `Access denied: token has no ${claimKey} field`,
  claim: 'Access denied: OIDC claim not allowed.',
  subOrganization: (slug: string) => `Sub organization with slug ${slug} not found`,
  /** UnauthorizedError's and ForbiddenRequestError's default message. */
  notAllowed: 'You are not allowed to access this resource',
  ttlExpired: 'Failed to renew MI access token due to TTL expiration',
  maxTtlExpired: 'Failed to renew MI access token due to Max TTL expiration',
  pastMaxTtl: 'Failed to renew MI access token past its Max TTL expiration',
  usesLimit: 'Unable to renew because access token number of uses limit reached',
  ipNotAllowed: 'You are not allowed to access this resource from the current IP address',
  revoked: 'Successfully revoked access token',
  internal: 'Something went wrong',
  /** An access token that does not decode (the handler's words for jsonwebtoken's `jwt malformed`). */
  tokenMalformed: 'The provided access token is malformed. Please use a valid token or generate a new one and try again.',
  /** The emulator's words (behaviour-choices.md): a secrets read for a project, environment or path it does not hold. */
  noSecrets: (what: string) => `Folder with path '${what}' not found`,
  routeNotFound: (method: string, path: string) => `Route ${method}:${path} not found`,
} as const;

/** jsonwebtoken v9's messages (JsonWebTokenError, NotBeforeError, TokenExpiredError), as Infisical passes them on. */
export const JSONWEBTOKEN_TEXTS = {
  malformed: 'jwt malformed',
  signatureRequired: 'jwt signature is required',
  invalidAlgorithm: 'invalid algorithm',
  invalidSignature: 'invalid signature',
  invalidNbf: 'invalid nbf value',
  notActive: 'jwt not active',
  invalidExp: 'invalid exp value',
  expired: 'jwt expired',
  issuer: (expected: string) => `jwt issuer invalid. expected: ${expected}`,
} as const;

export interface InfisicalErrorBody {
  readonly reqId: string;
  readonly statusCode: number;
  readonly message: unknown;
  readonly error: string;
}

/**
 * A refusal in Infisical's words: its class (status and `error`), the message, and the emulator's reason (never in the
 * body). `detail` is what the refusing step had worked out (the decision's trace), for explain.
 */
export class InfisicalError extends Error {
  override readonly name = 'InfisicalError';
  detail: unknown;
  constructor(
    readonly kind: InfisicalErrorClass,
    readonly text: unknown,
    readonly reason: string = typeof text === 'string' ? text : kind,
  ) {
    super(reason);
  }

  get status(): number {
    return INFISICAL_ERRORS[this.kind].status;
  }

  /** The body with this request's id. */
  body(reqId: string): InfisicalErrorBody {
    return { reqId, statusCode: this.status, message: this.text, error: INFISICAL_ERRORS[this.kind].error };
  }

  with(detail: unknown): this {
    this.detail = detail;
    return this;
  }
}

export const unauthorized = (text: string, reason?: string): InfisicalError => new InfisicalError('UnauthorizedError', text, reason);
export const forbidden = (text: string, reason?: string): InfisicalError => new InfisicalError('ForbiddenRequestError', text, reason);
export const badRequest = (text: string, reason?: string): InfisicalError => new InfisicalError('BadRequestError', text, reason);
export const tokenError = (text: string, reason?: string): InfisicalError => new InfisicalError('TokenError', text, reason);
export const notFound = (text: string, reason?: string): InfisicalError => new InfisicalError('NotFoundError', text, reason);
/** Infisical's answer when its own code throws (its matcher on a missing claim, for one): reproduced, not a bug here. */
export const internalServerError = (reason: string): InfisicalError =>
  new InfisicalError('InternalServerError', INFISICAL_TEXTS.internal, reason);

/** One zod issue as Infisical's ValidationFailure lists it. */
export interface ZodIssue {
  readonly code: string;
  readonly expected?: string;
  readonly received?: string;
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Body validation failed (422 ValidationFailure, the message being zod's issues). */
export const validationFailure = (issues: readonly ZodIssue[], reason: string): InfisicalError =>
  new InfisicalError('ValidationFailure', issues, reason);
