/**
 * Infisical's endpoints as functions from a JsonRequest to a JsonAnswer (shared/reference/infisical-vault.md §1.1,
 * §1.2, §1.6, §3.1): the OIDC auth login in Infisical's order of checks, the access token on a secrets read
 * (`GET /api/v3/secrets/raw`, `GET /api/v4/secrets`), renew and revoke. Refusals are rendered from InfisicalError in
 * one place with Infisical's body `{reqId, statusCode, message, error}`; anything else thrown is a bug (the road's
 * 500). Loaded with the first Infisical request (service.ts).
 */
import { BlockList, isIP } from 'node:net';
import type { InfisicalConfig, InfisicalIdentity, InfisicalSecretSet } from '../config/index.js';
import type { InfisicalTokenVerifier } from '../identity/index.js';
import type { AuditFields, JsonAnswer, JsonRequest } from '../protocol/index.js';
import {
  badRequest,
  forbidden,
  INFISICAL_TEXTS,
  InfisicalError,
  notFound,
  tokenError,
  unauthorized,
  validationFailure,
  type ZodIssue,
} from '../protocol/index.js';
import { decideInfisical, type InfisicalDecision } from './decide.js';
import type { AccessGrant, InfisicalTokenAuthority } from './tokens.js';

export interface InfisicalDeps {
  readonly config: InfisicalConfig | undefined;
  readonly verifier: InfisicalTokenVerifier;
  readonly tokens: InfisicalTokenAuthority;
  readonly clock: () => Date;
  /** Infisical's request id (`req-` and 14 letters or digits). */
  readonly requestId: () => string;
  /** A new access token id. */
  readonly tokenId: () => string;
}

export const LOGIN_PATH = '/api/v1/auth/oidc-auth/login';
export const RENEW_PATH = '/api/v1/auth/token/renew';
export const REVOKE_PATH = '/api/v1/auth/token/revoke';
export const SECRETS_V3_PATH = '/api/v3/secrets/raw';
export const SECRETS_V4_PATH = '/api/v4/secrets';

/** The outcome of a login: the answer, and what decided it (explain and the audit record). */
export interface LoginOutcome {
  readonly status: number;
  readonly body: unknown;
  readonly error?: InfisicalError;
  readonly identity?: InfisicalIdentity;
  readonly claims?: Readonly<Record<string, unknown>>;
  /** How the key was found. */
  readonly key?: string;
  readonly decision?: InfisicalDecision;
}

export interface InfisicalOperations {
  answer(request: JsonRequest): Promise<JsonAnswer>;
  /** The login itself, with what decided it (explain --target infisical and target: infisical cases run it). */
  login(fields: Record<string, unknown>, now: Date): Promise<LoginOutcome>;
}

/** The fields of a JSON or form body (the CLI, SDKs and terraform send JSON; the secrets action sends a form). */
function bodyFields(request: JsonRequest): Record<string, unknown> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(request.body)) if (!Object.hasOwn(out, k)) out[k] = v;
    return out;
  }
  if (request.body.trim() === '') return {};
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json'))
    throw badRequest(`Unsupported Media Type: ${type}`, 'the body is neither JSON nor a form');
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    throw badRequest("Body is not valid JSON but content-type is set to 'application/json'", 'the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw validationFailure(
      [
        {
          code: 'invalid_type',
          expected: 'object',
          received: Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed,
          path: [],
          message: `Expected object, received ${Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed}`,
        },
      ],
      'the JSON body is not an object',
    );
  return parsed as Record<string, unknown>;
}

/** zod's z.string().trim() (optional ones may be absent); every issue at once, as zod reports them. */
function strings(fields: Record<string, unknown>, required: readonly string[], optional: readonly string[] = []): Record<string, string> {
  const issues: ZodIssue[] = [];
  const out: Record<string, string> = {};
  for (const k of [...required, ...optional]) {
    const v = Object.hasOwn(fields, k) ? fields[k] : undefined;
    if (v === undefined && optional.includes(k)) continue;
    if (typeof v !== 'string') {
      const received = v === undefined ? 'undefined' : v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
      issues.push({
        code: 'invalid_type',
        expected: 'string',
        received,
        path: [k],
        message: v === undefined ? 'Required' : `Expected string, received ${received}`,
      });
    } else out[k] = v.trim();
  }
  if (issues.length > 0)
    throw validationFailure(
      issues,
      `the body does not match Infisical's schema: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return out;
}

function render(e: InfisicalError, reqId: string): JsonAnswer {
  return { status: e.status, body: e.body(reqId), reason: e.reason };
}

export function infisicalOperations(deps: InfisicalDeps): InfisicalOperations {
  const identities = new Map((deps.config?.identities ?? []).map((i) => [i.identityId, i]));

  async function login(fields: Record<string, unknown>, now: Date): Promise<LoginOutcome> {
    const reqId = deps.requestId();
    try {
      const body = strings(fields, ['identityId', 'jwt'], ['organizationSlug', 'subOrganizationName']);
      // 1: the identity has OIDC auth.
      const identity = identities.get(body['identityId'] ?? '');
      if (identity === undefined)
        throw notFound(INFISICAL_TEXTS.noOidcAuth, `no identity ${JSON.stringify(body['identityId'])} in infisical/identities`);
      // 2 to 4: discovery, decode, key, signature, times, issuer.
      let verified;
      try {
        verified = await deps.verifier.verify(body['jwt'] ?? '', identity, now);
      } catch (e) {
        if (e instanceof InfisicalError) return { status: e.status, body: e.body(reqId), error: e, identity };
        throw e;
      }
      // 5 to 8: the bound fields.
      const decision = decideInfisical(identity, verified.claims);
      const base = { identity, claims: verified.claims, key: verified.key, decision };
      if (decision.error !== undefined)
        return { status: decision.error.status, body: decision.error.body(reqId), error: decision.error, ...base };
      const grant: AccessGrant = {
        id: deps.tokenId(),
        identityId: identity.identityId,
        createdAt: now.getTime(),
        ttl: identity.accessTokenTTL,
        maxTtl: identity.accessTokenMaxTTL,
        usesLimit: identity.accessTokenNumUsesLimit,
        trustedIps: identity.accessTokenTrustedIps,
        claims: decision.metadata,
      };
      return { status: 200, body: tokenBody(deps.tokens.seal(grant), grant), ...base };
    } catch (e) {
      if (e instanceof InfisicalError) return { status: e.status, body: e.body(reqId), error: e };
      throw e;
    }
  }

  /** The access token of `Authorization: Bearer` as Infisical checks it on every use; counts the use. */
  function authenticate(request: JsonRequest, now: number): AccessGrant {
    const header = request.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m === null) throw unauthorized(INFISICAL_TEXTS.notAllowed, 'no Authorization: Bearer <access token>');
    const ip = request.remoteAddress === undefined ? undefined : unmapped(request.remoteAddress);
    const grant = usable(m[1] as string, now, ip);
    deps.tokens.use(grant, now);
    return grant;
  }

  /**
   * An access token's grant if it is live, in Infisical's order: known and not revoked, the caller's IP among the
   * trusted ones (on a use), then validateAccessTokenExp (uses limit, then TTL).
   */
  function usable(text: string, now: number, ip?: string): AccessGrant {
    const grant = deps.tokens.open(text);
    if (grant === undefined) throw tokenError(INFISICAL_TEXTS.tokenMalformed, 'not an access token of this server key');
    if (deps.tokens.revoked(grant.id))
      throw unauthorized(INFISICAL_TEXTS.notAllowed, 'the access token was revoked (or used up, or expired)');
    if (ip !== undefined && !ipTrusted(ip, grant.trustedIps))
      throw forbidden(INFISICAL_TEXTS.ipNotAllowed, `${ip} is not in the identity's accessTokenTrustedIps`);
    const uses = deps.tokens.uses(grant.id);
    if (grant.usesLimit > 0 && uses > 0 && uses >= grant.usesLimit) {
      deps.tokens.forget(grant, now);
      throw badRequest(INFISICAL_TEXTS.usesLimit, `the access token was used ${uses} times; its limit is ${grant.usesLimit}`);
    }
    if (grant.ttl > 0) {
      const expires = (grant.renewedAt ?? grant.createdAt) + grant.ttl * 1000;
      if (now > expires) {
        deps.tokens.forget(grant, now);
        throw unauthorized(INFISICAL_TEXTS.ttlExpired, `the access token expired at ${new Date(expires).toISOString()}`);
      }
    }
    return grant;
  }

  function renew(fields: Record<string, unknown>, now: number): JsonAnswer {
    const text = strings(fields, ['accessToken'])['accessToken'] ?? '';
    const grant = usable(text, now);
    if (grant.maxTtl > 0) {
      const max = grant.createdAt + grant.maxTtl * 1000;
      if (now > max) {
        deps.tokens.forget(grant, now);
        throw unauthorized(INFISICAL_TEXTS.maxTtlExpired, `the access token's max TTL ended at ${new Date(max).toISOString()}`);
      }
      if (now + grant.ttl * 1000 > max) {
        deps.tokens.forget(grant, now);
        throw unauthorized(
          INFISICAL_TEXTS.pastMaxTtl,
          `renewing for ${grant.ttl} s would pass the max TTL (${new Date(max).toISOString()})`,
        );
      }
    }
    const renewed = deps.tokens.renew(grant, now);
    return { status: 200, body: tokenBody(deps.tokens.seal(renewed), renewed) };
  }

  function revoke(fields: Record<string, unknown>, now: number): JsonAnswer {
    const text = strings(fields, ['accessToken'])['accessToken'] ?? '';
    const grant = deps.tokens.open(text);
    if (grant === undefined) throw tokenError(INFISICAL_TEXTS.tokenMalformed, 'not an access token of this server key');
    if (deps.tokens.revoked(grant.id)) throw unauthorized(INFISICAL_TEXTS.notAllowed, 'the access token is already revoked');
    deps.tokens.revoke(grant, now);
    return { status: 200, body: { message: INFISICAL_TEXTS.revoked } };
  }

  function secrets(request: JsonRequest, now: number, v4: boolean): JsonAnswer {
    const grant = authenticate(request, now);
    const q = request.query;
    const projectId = (v4 ? q.get('projectId') : null) ?? q.get('workspaceId') ?? q.get('projectId') ?? '';
    const environment = q.get('environment') ?? '';
    const secretPath = q.get('secretPath') ?? '/';
    if (projectId === '') throw badRequest('Missing workspaceId or workspaceSlug', 'the read names no project (workspaceId)');
    if (environment === '') throw badRequest('Missing environment', 'the read names no environment');
    const sets = (deps.config?.secretSets ?? []).filter(
      (s) => s.projectId === projectId && s.environment === environment && samePath(s.secretPath, secretPath),
    );
    if (sets.length === 0)
      throw notFound(
        INFISICAL_TEXTS.noSecrets(secretPath),
        `no secret set for project ${projectId}, environment ${environment}, path ${secretPath}`,
      );
    const readable = sets.filter((s) => s.identities.includes(grant.identityId));
    if (readable.length === 0)
      throw forbidden(
        INFISICAL_TEXTS.notAllowed,
        `identity ${grant.identityId} is not among the identities of ${sets.map((s) => s.file).join(', ')}`,
      );
    return { status: 200, body: { secrets: readable.flatMap((s) => secretsOf(s, secretPath)), imports: [] } };
  }

  return {
    login,
    async answer(request) {
      const now = deps.clock();
      const path = request.path;
      if (path === SECRETS_V3_PATH || path === SECRETS_V4_PATH) {
        if (request.method !== 'GET' && request.method !== 'HEAD') return routeNotFound(request, deps.requestId());
        try {
          return secrets(request, now.getTime(), path === SECRETS_V4_PATH);
        } catch (e) {
          if (e instanceof InfisicalError) return render(e, deps.requestId());
          throw e;
        }
      }
      if (request.method !== 'POST') return routeNotFound(request, deps.requestId());
      if (path === LOGIN_PATH) {
        let fields: Record<string, unknown>;
        try {
          fields = bodyFields(request);
        } catch (e) {
          if (e instanceof InfisicalError) return render(e, deps.requestId());
          throw e;
        }
        const outcome = await login(fields, now);
        return {
          status: outcome.status,
          body: outcome.body,
          ...(outcome.error === undefined ? {} : { reason: outcome.error.reason }),
          audit: auditOf(fields, outcome),
        };
      }
      try {
        const fields = bodyFields(request);
        return path === RENEW_PATH ? renew(fields, now.getTime()) : revoke(fields, now.getTime());
      } catch (e) {
        if (e instanceof InfisicalError) return render(e, deps.requestId());
        throw e;
      }
    },
  };
}

function tokenBody(accessToken: string, grant: AccessGrant): Record<string, unknown> {
  return { accessToken, expiresIn: grant.ttl, accessTokenMaxTTL: grant.maxTtl, tokenType: 'Bearer' };
}

function routeNotFound(request: JsonRequest, reqId: string): JsonAnswer {
  const e = notFound(INFISICAL_TEXTS.routeNotFound(request.method, request.path), `${request.method} is not served on ${request.path}`);
  return render(e, reqId);
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string): string => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);
  return norm(a) === norm(b);
}

function secretsOf(set: InfisicalSecretSet, secretPath: string): Record<string, unknown>[] {
  return set.secrets.map((s, i) => {
    const id = `${set.projectId}:${set.environment}:${set.secretPath}:${i}`;
    return {
      id,
      _id: id,
      workspace: set.projectId,
      environment: set.environment,
      version: 1,
      type: 'shared',
      secretKey: s.secretKey,
      secretValue: s.secretValue,
      secretComment: s.secretComment,
      secretPath,
      tags: [],
    };
  });
}

/** `::ffff:1.2.3.4` as the IPv4 address it is. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m === null ? address : (m[1] as string);
}

function ipTrusted(ip: string, trusted: AccessGrant['trustedIps']): boolean {
  if (trusted.length === 0) return true;
  const family = isIP(ip);
  if (family === 0) return false;
  const list = new BlockList();
  for (const t of trusted) {
    if (t.prefix === undefined) list.addAddress(t.ipAddress, t.type);
    else list.addSubnet(t.ipAddress, t.prefix, t.type);
  }
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

function auditOf(fields: Record<string, unknown>, outcome: LoginOutcome): AuditFields {
  const claim = (k: string): string | null => {
    const v = outcome.claims?.[k];
    return typeof v === 'string' ? v : null;
  };
  const id = typeof fields['identityId'] === 'string' ? fields['identityId'] : null;
  const e = outcome.error;
  return {
    action: 'InfisicalOidcLogin',
    role: id,
    sessionName: null,
    subject: claim('sub'),
    issuer: claim('iss'),
    decision: e === undefined ? 'allow' : e.kind === 'InternalServerError' ? 'error' : 'deny',
    errorCode: e === undefined ? null : String((e.body('') as { error: string }).error),
    message: e === undefined ? null : typeof e.text === 'string' ? e.text : JSON.stringify(e.text),
    reason: e === undefined ? null : e.reason,
    trace: outcome.decision?.trace ?? null,
    nearMisses: [],
  };
}
