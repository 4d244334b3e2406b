/**
 * IAM Credentials `generateAccessToken` (shared/reference/gcp-wif.md §3.1, §2.5): `Bearer <federated token>` (401
 * UNAUTHENTICATED otherwise), the project `-`, the request (`scope` at least one, `lifetime` 1..3600 s, default 1 h),
 * then the service account's bindings for the token's principal and the sets it is in (403 PERMISSION_DENIED with the
 * same body when the account does not exist). Answers `{accessToken, expireTime}` with whole seconds.
 */
import type { GcpConfig } from '../config/index.js';
import { GCP_TEXTS, GcpError, googleError, permissionDenied } from '../protocol/index.js';
import { checkBindings, identifiersOf, principalOf, type BindingDecision } from './bindings.js';
import type { FederatedPrincipal, GcpTokenAuthority } from './tokens.js';

export const DEFAULT_LIFETIME_SECONDS = 3600;
export const MAX_LIFETIME_SECONDS = 3600;

export interface ImpersonationRequest {
  readonly project: string;
  /** The service account's email (or unique id) as the path gives it, percent-decoded. */
  readonly account: string;
  readonly authorization: string | undefined;
  /** The parsed JSON body. */
  readonly body: unknown;
}

export interface ImpersonationResult {
  readonly body: { readonly accessToken: string; readonly expireTime: string };
  readonly decision: BindingDecision;
}

const invalid = (reason: string): GcpError => googleError('INVALID_ARGUMENT', GCP_TEXTS.invalidArgument, reason);

/** `3600s`, `1.5s` → whole seconds (rounded down); undefined when not a google-duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(text);
  return m === null ? undefined : Number(m[1]);
}

/** `2026-12-06T07:00:00Z`: no fractional seconds (Python's strptime refuses them). */
export function wholeSecondsIso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The federated principal of `Authorization: Bearer <federated token>`, or Google's 401. */
export function federatedPrincipal(authorization: string | undefined, tokens: GcpTokenAuthority, now: Date): FederatedPrincipal {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (bearer === null) throw googleError('UNAUTHENTICATED', GCP_TEXTS.unauthenticated, 'no Authorization: Bearer <federated token>');
  const opened = tokens.open(bearer[1] as string, 'federated', now);
  if ('error' in opened) throw googleError('UNAUTHENTICATED', GCP_TEXTS.unauthenticated, opened.error);
  if (opened.token.kind !== 'federated') throw googleError('UNAUTHENTICATED', GCP_TEXTS.unauthenticated, 'not a federated token');
  return opened.token.principal;
}

export function generateAccessToken(
  request: ImpersonationRequest,
  deps: { readonly config: GcpConfig | undefined; readonly tokens: GcpTokenAuthority },
  now: Date,
): ImpersonationResult {
  return impersonate(federatedPrincipal(request.authorization, deps.tokens, now), request, deps, now);
}

/** The request and the bindings, for a principal whose token was accepted. */
export function impersonate(
  principal: FederatedPrincipal,
  request: Omit<ImpersonationRequest, 'authorization'>,
  deps: { readonly config: GcpConfig | undefined; readonly tokens: GcpTokenAuthority },
  now: Date,
): ImpersonationResult {
  if (request.project !== '-') throw invalid(`the project must be '-' (got '${request.project}'); Google requires the wildcard`);
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object {scope, lifetime}');
  const o = body as Record<string, unknown>;
  const scope = o['scope'];
  if (!Array.isArray(scope) || scope.length === 0 || !scope.every((s) => typeof s === 'string'))
    throw invalid('scope must be a list of at least one scope');
  const delegates = o['delegates'];
  if (delegates !== undefined && delegates !== null && !(Array.isArray(delegates) && delegates.length === 0))
    throw invalid('delegation chains (delegates) are not emulated');
  let lifetime = DEFAULT_LIFETIME_SECONDS;
  if (o['lifetime'] !== undefined) {
    const parsed = typeof o['lifetime'] === 'string' ? parseDuration(o['lifetime']) : undefined;
    if (parsed === undefined) throw invalid(`lifetime must be a duration such as "3600s", got ${JSON.stringify(o['lifetime'])}`);
    if (parsed <= 0) throw googleError('INVALID_ARGUMENT', GCP_TEXTS.lifetimeZero);
    if (parsed > MAX_LIFETIME_SECONDS) throw googleError('INVALID_ARGUMENT', GCP_TEXTS.lifetimeTooLong);
    lifetime = parsed;
  }

  const who = principalOf(principal);
  const account = deps.config?.serviceAccounts.find((sa) => sa.email === request.account);
  if (account === undefined) throw permissionDenied(`no service account ${request.account} in gcp/service-accounts/ (${who})`);
  if (account.disabled) throw permissionDenied(`service account ${account.email} is disabled (${account.file})`);
  const decision = checkBindings(account.bindings, identifiersOf(principal));
  if (!decision.allowed) {
    throw permissionDenied(
      `no binding of roles/iam.workloadIdentityUser on ${account.email} (${account.file}) names ${who} or a set it is in`,
    ).with(decision);
  }
  const expires = new Date(Math.floor(now.getTime() / 1000) * 1000 + lifetime * 1000);
  const accessToken = deps.tokens.seal({
    kind: 'access',
    grant: { email: account.email, scopes: scope as string[], by: who },
    issued: now,
    expires,
  });
  return { body: { accessToken, expireTime: wholeSecondsIso(expires) }, decision };
}

/** Who a token is, as Google's tokeninfo would say it (plus the pool principal of a federated token); undefined if not ours. */
export function tokenInfo(token: string, tokens: GcpTokenAuthority, now: Date): Record<string, unknown> | undefined {
  const access = tokens.open(token, 'access', now);
  if ('token' in access && access.token.kind === 'access') {
    const g = access.token.grant;
    return {
      email: g.email,
      email_verified: 'true',
      scope: g.scopes.join(' '),
      expires_in: String(Math.max(0, Math.floor((access.token.expires.getTime() - now.getTime()) / 1000))),
      exp: String(Math.floor(access.token.expires.getTime() / 1000)),
      impersonated_by: g.by,
    };
  }
  const federated = tokens.open(token, 'federated', now);
  if ('token' in federated && federated.token.kind === 'federated') {
    const p = federated.token.principal;
    return {
      principal: principalOf(p),
      provider: p.provider,
      subject: p.subject,
      groups: p.groups,
      attributes: p.attributes,
      expires_in: String(Math.max(0, Math.floor((federated.token.expires.getTime() - now.getTime()) / 1000))),
      exp: String(Math.floor(federated.token.expires.getTime() / 1000)),
    };
  }
  return undefined;
}
