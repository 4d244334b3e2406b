/**
 * Vault's endpoints as the JSON road calls them (loaded with the first Vault request, service.ts):
 *   PUT|POST /v1/auth/<mount>/login         {role, jwt}: login.ts
 *   GET      /v1/auth/token/lookup-self     X-Vault-Token (or Authorization: Bearer): who the token is, its TTL left
 *   GET      /v1/sys/health                 an unsealed, active server (clients probe it)
 * Refusals are `{"errors":[...]}` with Vault's texts (protocol/vault-errors.ts); each login is one audit record.
 */
import type { AuditFields, JsonAnswer, JsonRequest } from '../protocol/index.js';
import { VAULT_TEXTS, VaultError, vaultPermissionDenied } from '../protocol/index.js';
import { createVaultTokenVerifier } from '../identity/vault-verifier.js';
import type { VaultDecision } from './decide.js';
import { lookupSelfEnvelope, vaultLogin, type VaultLoginResult } from './login.js';
import type { VaultDeps } from './service.js';

const LOGIN = /^\/v1\/auth\/([^/]+)\/login\/?$/;
const LOOKUP_SELF = /^\/v1\/auth\/token\/lookup-self\/?$/;

export interface VaultOperations {
  answer(request: JsonRequest): Promise<JsonAnswer>;
}

const refused = (e: VaultError, audit?: AuditFields): JsonAnswer => ({
  status: e.status,
  body: e.body,
  reason: e.reason,
  ...(audit === undefined ? {} : { audit }),
});

export function vaultOperations(deps: VaultDeps): VaultOperations {
  const verifier = createVaultTokenVerifier(deps.fetch === undefined ? {} : { fetch: deps.fetch });
  const loginDeps = { tokens: deps.tokens, verifier, randomBytes: deps.randomBytes };
  return {
    async answer(request) {
      const now = deps.clock();
      if (request.path === '/v1/sys/health' || request.path === '/v1/sys/health/') return health(request, now);
      if (LOOKUP_SELF.test(request.path)) {
        if (request.method !== 'GET' && request.method !== 'HEAD') return unsupported(request);
        return lookupSelf(request, now);
      }
      const login = LOGIN.exec(request.path);
      if (login === null) return noHandler(request.path);
      const mountPath = decode(login[1] as string);
      const mount = deps.config?.mounts.find((m) => m.path === mountPath);
      if (mount === undefined) return noHandler(request.path);
      if (request.method !== 'PUT' && request.method !== 'POST') return unsupported(request);
      const body = parseBody(request.body);
      if ('error' in body) return refused(body.error);
      const fields = body.value;
      const result = await vaultLogin(
        mount,
        {
          role: fields['role'],
          jwt: fields['jwt'],
          ...(request.remoteAddress === undefined ? {} : { remoteAddress: request.remoteAddress }),
        },
        loginDeps,
        now,
      );
      const audit = auditOf(mount.path, result);
      if (!result.ok) return refused(result.error, audit);
      return { status: 200, body: result.body, audit };
    },
  };

  function lookupSelf(request: JsonRequest, now: Date): JsonAnswer {
    const header = request.headers['x-vault-token'];
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const token = (Array.isArray(header) ? header[0] : header) ?? bearer;
    if (token === undefined || token === '') return refused(vaultPermissionDenied('no X-Vault-Token header (or Authorization: Bearer)'));
    const opened = deps.tokens.open(token, now);
    if ('error' in opened) return refused(vaultPermissionDenied(opened.error));
    return { status: 200, body: lookupSelfEnvelope(token, opened.token, now) };
  }
}

/** `{}` for an empty body; Vault's 400 for one that is not a JSON object. */
function parseBody(text: string): { value: Record<string, unknown> } | { error: VaultError } {
  if (text.trim() === '') return { value: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { error: new VaultError(400, [VAULT_TEXTS.badJson(e instanceof Error ? e.message : 'not JSON')], 'the body is not JSON') };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { error: new VaultError(400, [VAULT_TEXTS.badJson('the body is not a JSON object')], 'the body is not a JSON object') };
  return { value: parsed as Record<string, unknown> };
}

function noHandler(path: string): JsonAnswer {
  const route = path.replace(/^\/v1\//, '');
  return refused(new VaultError(404, [VAULT_TEXTS.noHandler(route)], `no Vault mount or endpoint of the emulator serves ${path}`));
}

function unsupported(request: JsonRequest): JsonAnswer {
  return refused(new VaultError(405, ['unsupported operation'], `${request.method} is not supported on ${request.path}`));
}

function health(request: JsonRequest, now: Date): JsonAnswer {
  if (request.method !== 'GET' && request.method !== 'HEAD') return unsupported(request);
  return {
    status: 200,
    body: {
      initialized: true,
      sealed: false,
      standby: false,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: Math.floor(now.getTime() / 1000),
      version: '1.17.0+sts-emulator',
      cluster_name: 'sts-emulator',
    },
  };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The login's audit record: the role, the token's sub and iss, Vault's message, the trace. */
function auditOf(mount: string, result: VaultLoginResult): AuditFields {
  const claims = result.claims ?? {};
  const str = (k: string): string | null => (typeof claims[k] === 'string' ? (claims[k] as string) : null);
  const decision: VaultDecision | undefined = result.decision;
  return {
    action: `vault:auth/${mount}/login`,
    role: result.role?.name ?? null,
    sessionName: null,
    subject: str('sub'),
    issuer: str('iss'),
    decision: result.ok ? 'allow' : 'deny',
    errorCode: result.ok ? null : String(result.error.status),
    message: result.ok ? null : (result.error.errors[0] ?? null),
    reason: result.ok ? null : result.error.reason,
    trace: decision?.trace ?? [],
    nearMisses: [],
  };
}
