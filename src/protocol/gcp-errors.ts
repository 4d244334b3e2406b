/**
 * Google's answers for workload identity federation, every text in one place (shared/reference/gcp-wif.md §1.3, §2.5,
 * §3.1): the STS token endpoint answers OAuth-style `{error, error_description}`; IAM Credentials answers Google's API
 * shape `{error: {code, message, status[, details]}}`. A GcpError carries which, the HTTP status and the body; the
 * emulator's own reason (for explain and logs) travels beside it and never in the body.
 */

export const GCP_TEXTS = {
  badAudience:
    'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.',
  badTarget:
    'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
  badSignature: 'Unable to verify the ID Token signature.',
  issuerUnreachable: "Error connecting to the given credential's issuer.",
  unparsable: 'Unable to parse the ID Token.',
  stale: (iat: unknown) => `ID Token issued at ${typeof iat === 'number' ? String(iat) : 'null'} is stale to sign-in.`,
  audience: (aud: unknown) => `The audience in ID Token [${audienceText(aud)}] does not match the expected audience.`,
  issuer: (iss: unknown, expected: string) =>
    `The issuer in ID Token ${typeof iss === 'string' ? iss : 'null'} does not match the expected one in config: ${expected}`,
  condition: 'The given credential is rejected by the attribute condition.',
  subjectSize: (attribute: string) =>
    `The size of mapped attribute ${attribute} exceeds the 127 bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.`,
  /** The emulator's words (no public example of Google's): behaviour-choices.md. */
  mappedTooLarge:
    'The total size of mapped attributes exceeds the 8 KB limit. Either modify your attribute mapping or the incoming assertion.',
  noSubject: 'The mapped attribute google.subject is missing or empty. Check your attribute mapping and the incoming assertion.',
  invalidArgument: 'Request contains an invalid argument.',
  notFound: (what: string) => `${what} not found.`,
  /** The emulator's words for another method (Google's front end answers with an HTML page). */
  usePost: (method: string) => `Method ${method} is not allowed; use POST.`,
  useGet: 'Use GET.',
  /** Google's 404 page says this of a path no API serves (as HTML; the emulator answers in Google's JSON shape). */
  pathNotFound: (path: string) => `The requested URL ${path} was not found on this server.`,
  permissionDenied: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
  unauthenticated:
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  lifetimeZero: 'Lifetime of access token must be larger then zero.',
  lifetimeTooLong:
    'Lifetime of access token can not have lifetimes of more than 1 hour. Use the Org Policy Constraint constraints/iam.allowServiceAccountCredentialLifetimeExtension to allow up to 12 hours.',
} as const;

/** `[a b]` as Google prints a list audience; a missing one is `[]`. */
function audienceText(aud: unknown): string {
  if (typeof aud === 'string') return aud;
  if (Array.isArray(aud)) return aud.map(String).join(', ');
  return '';
}

export type OAuthErrorCode = 'invalid_request' | 'invalid_target' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type';

export type GoogleStatus = 'INVALID_ARGUMENT' | 'UNAUTHENTICATED' | 'PERMISSION_DENIED' | 'NOT_FOUND';

const GOOGLE_CODES: Readonly<Record<GoogleStatus, number>> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
};

export type GcpErrorBody =
  | { readonly error: OAuthErrorCode; readonly error_description: string }
  | {
      readonly error: {
        readonly code: number;
        readonly message: string;
        readonly status: GoogleStatus;
        readonly details?: readonly Record<string, unknown>[];
      };
    };

/**
 * A refusal in Google's words: HTTP status and body, and the emulator's reason (never sent in the body). `detail` is
 * what the step that refused had worked out (the mapping trace, the bindings), for explain.
 */
export class GcpError extends Error {
  override readonly name = 'GcpError';
  detail: unknown;
  constructor(
    readonly status: number,
    readonly body: GcpErrorBody,
    readonly reason: string,
  ) {
    super(reason);
  }

  /** This error with what the refusing step knew. */
  with(detail: unknown): this {
    this.detail = detail;
    return this;
  }
}

/** An STS (token endpoint) refusal: HTTP 400 with an OAuth error body. */
export function oauthError(error: OAuthErrorCode, description: string, reason: string = description): GcpError {
  return new GcpError(400, { error, error_description: description }, reason);
}

/** An IAM Credentials refusal in Google's API error shape. */
export function googleError(status: GoogleStatus, message: string, reason: string = message): GcpError {
  const code = GOOGLE_CODES[status];
  const details =
    status === 'PERMISSION_DENIED'
      ? [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'IAM_PERMISSION_DENIED',
            domain: 'iam.googleapis.com',
            metadata: { permission: 'iam.serviceAccounts.getAccessToken' },
          },
        ]
      : undefined;
  return new GcpError(code, { error: { code, message, status, ...(details === undefined ? {} : { details }) } }, reason);
}

/** The permission denial of generateAccessToken (the same body when the service account does not exist). */
export const permissionDenied = (reason: string): GcpError => googleError('PERMISSION_DENIED', GCP_TEXTS.permissionDenied, reason);
