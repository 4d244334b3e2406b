/**
 * The one table of STS error codes: wire code, HTTP status and fault type.
 * Wire codes are what AWS puts in <Code>; SDK class names differ (InvalidIdentityToken -> InvalidIdentityTokenException).
 * Sources: botocore sts service-2.json (modeled errors) and real responses quoted in shared/reference/sts.md §2.
 */
export const STS_ERRORS = {
  // Modeled errors of AssumeRoleWithWebIdentity
  MalformedPolicyDocument: { status: 400, type: 'Sender' },
  PackedPolicyTooLarge: { status: 400, type: 'Sender' },
  IDPRejectedClaim: { status: 403, type: 'Sender' },
  IDPCommunicationError: { status: 400, type: 'Sender' },
  InvalidIdentityToken: { status: 400, type: 'Sender' },
  ExpiredTokenException: { status: 400, type: 'Sender' },
  RegionDisabledException: { status: 403, type: 'Sender' },
  // Service-layer errors
  AccessDenied: { status: 403, type: 'Sender' },
  ValidationError: { status: 400, type: 'Sender' },
  InvalidAction: { status: 400, type: 'Sender' },
  MissingAction: { status: 400, type: 'Sender' },
  MissingParameter: { status: 400, type: 'Sender' },
  RequestEntityTooLarge: { status: 413, type: 'Sender' },
  // HTTP-level refusals answered before a request reaches the app (src/server/client-errors.ts); not AWS codes.
  MalformedHttpRequest: { status: 400, type: 'Sender' },
  RequestTimeout: { status: 408, type: 'Sender' },
  ExpectationFailed: { status: 417, type: 'Sender' },
  RequestHeaderSectionTooLarge: { status: 431, type: 'Sender' },
  // Authentication of signed calls (GetCallerIdentity, AssumeRole)
  InvalidClientTokenId: { status: 403, type: 'Sender' },
  ExpiredToken: { status: 403, type: 'Sender' },
  SignatureDoesNotMatch: { status: 403, type: 'Sender' },
  IncompleteSignature: { status: 400, type: 'Sender' },
  MissingAuthenticationToken: { status: 403, type: 'Sender' },
  // The IAM API subset (src/iam/): botocore iam service-2.json error shapes (code, httpStatusCode, senderFault)
  EntityAlreadyExists: { status: 409, type: 'Sender' },
  NoSuchEntity: { status: 404, type: 'Sender' },
  LimitExceeded: { status: 409, type: 'Sender' },
  InvalidInput: { status: 400, type: 'Sender' },
  // Anything unexpected: never echoed, always logged
  InternalFailure: { status: 500, type: 'Receiver' },
} as const satisfies Record<string, { status: number; type: 'Sender' | 'Receiver' }>;

export type StsErrorCode = keyof typeof STS_ERRORS;

/** AWS's exact texts, kept in one place so tests and handlers agree. */
export const MESSAGES = {
  notAuthorized: (action: string) => `Not authorized to perform ${action}`,
  noProvider: (iss: string) => `No OpenIDConnect provider found in your account for ${iss}`,
  incorrectAudience: 'Incorrect token audience',
  missingAud: 'Missing a required claim: aud',
  tokenExpired: (now: number, exp: number) => `Token expired: current date/time ${now} must be before the expiration date/time ${exp}`,
  couldNotRetrieveKey:
    "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  durationExceedsMax: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
  invalidClientTokenId: 'The security token included in the request is invalid',
  expiredToken: 'The security token included in the request is expired',
  // SigV4 (signed calls). Real AWS texts: aws/aws-cli#6676, aws/aws-sdk-js#265 (expired); AWS SigV4 troubleshooting
  // docs (not yet current). Times are ISO-8601 basic (20220127T001427Z). Parser details: src/sts/sigv4-messages.ts.
  signatureDoesNotMatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  signatureExpired: (signed: string, earliest: string, now: string) =>
    `Signature expired: ${signed} is now earlier than ${earliest} (${now} - 15 min.)`,
  signatureNotYetCurrent: (signed: string, latest: string, now: string) =>
    `Signature not yet current: ${signed} is still later than ${latest} (${now} + 15 min.)`,
  missingAuthenticationToken: 'Request is missing Authentication Token',
  internalFailure: 'An internal error occurred. Please retry the request.',
  /** InvalidIdentityToken for failures with no known AWS text (malformed, bad signature, bad alg, time claims): the model's doc text. */
  invalidIdentityToken:
    'The web identity token that was passed could not be validated by Amazon Web Services. Get a new identity token from the identity provider and then retry the request.',
} as const;

/**
 * IAM's texts for the IAM API subset. Quoted from real answers where public ones exist: `The role with name ...`
 * (LocalStack's AWS-validated snapshots, moto), `Cannot exceed quota for RolesPerAccount: 1000` and `ACLSizePerRole`
 * (real Terraform and Kubeflow logs, status 409), `OpenIDConnect Provider not found for arn ...` and `Provider with
 * url ... already exists.` (moto and other emulators that compared with AWS). The others are the emulator's choice
 * in IAM's style (docs/behaviour-choices.md, "The IAM API").
 */
export const IAM_MESSAGES = {
  roleNotFound: (name: string) => `The role with name ${name} cannot be found.`,
  roleExists: (name: string) => `Role with name ${name} already exists.`,
  providerNotFound: (arn: string) => `OpenIDConnect Provider not found for arn ${arn}`,
  providerExists: (url: string) => `Provider with url ${url} already exists.`,
  invalidProviderUrl: 'Invalid Open ID Connect Provider URL.',
  thumbprintNotHex: 'Thumbprint must be a 40-character hexadecimal SHA-1 hash.',
  tooManyThumbprints: (max: number) => `Thumbprint list must contain fewer than ${max + 1} entries.`,
  quota: (quota: string, limit: number) => `Cannot exceed quota for ${quota}: ${limit}`,
  duplicateTagKeys: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
  invalidJson: 'This policy contains invalid Json',
  syntaxErrors: 'Syntax errors in policy.',
  trustActions: 'AssumeRole policy may only specify STS AssumeRole actions.',
  invalidMarker: 'Invalid Marker',
} as const;

/** An error that is rendered as an STS ErrorResponse. `reason` is the emulator's own explanation (never in <Message>). */
export class StsError extends Error {
  readonly code: StsErrorCode;
  readonly status: number;
  readonly type: 'Sender' | 'Receiver';
  /** Why the emulator decided this, for the audit log and the x-sts-emulator-reason header. */
  readonly reason: string | undefined;
  /** Extra data for explain output and the audit log (for example a policy evaluation trace). */
  readonly detail: unknown;

  constructor(code: StsErrorCode, message: string, options: { cause?: unknown; reason?: string; detail?: unknown } = {}) {
    // A refusal is an answer, not a bug: capturing its stack would cost more than the rest of a denied request.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = limit;
    this.name = 'StsError';
    this.code = code;
    this.status = STS_ERRORS[code].status;
    this.type = STS_ERRORS[code].type;
    this.reason = options.reason;
    this.detail = options.detail;
  }
}

export function isStsError(e: unknown): e is StsError {
  return e instanceof StsError;
}

/** Any thrown value as an StsError; unknown errors become InternalFailure (detail kept in `cause`, never in the message). */
export function toStsError(e: unknown): StsError {
  if (isStsError(e)) return e;
  return new StsError('InternalFailure', MESSAGES.internalFailure, { cause: e, reason: internalReason(e) });
}

/** The class and message of an internal failure, for the audit log (never for the answer). */
function internalReason(e: unknown): string {
  if (e instanceof Error) return `internal failure: ${e.name}: ${e.message}`;
  return `internal failure: a thrown ${e === null ? 'null' : typeof e}`;
}
