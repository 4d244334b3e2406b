/**
 * `PUT|POST /v1/auth/<mount>/login` in Vault's order (vault-plugin-auth-jwt path_login.go): the role (lower-cased,
 * else the mount's default_role: `missing role`, `role "x" could not be found`), not an oidc role, the token present,
 * the caller inside token_bound_cidrs (403 `permission denied`), the signature (identity/vault-verifier.ts), then the
 * algorithm and every claim (decide.ts); on success a sealed client token and Vault's login envelope. explain and
 * test cases run this same function.
 */
import { createHash, randomUUID } from 'node:crypto';
import { VAULT_SYSTEM_MAX_TTL, type VaultMount, type VaultRole } from '../config/index.js';
import type { VaultTokenVerifier } from '../identity/vault-verifier.js';
import { cidrContains, parseCidr } from '../policy/index.js';
import { VAULT_TEXTS, VaultError, vaultError, vaultPermissionDenied } from '../protocol/index.js';
import { decideVault, type VaultDecision } from './decide.js';
import type { VaultTokenAuthority, VaultTokenContent } from './tokens.js';

export interface VaultLoginDeps {
  readonly tokens: VaultTokenAuthority;
  /** The mount's signature check (made on first use). */
  readonly verifier: VaultTokenVerifier;
  readonly randomBytes: (n: number) => Uint8Array;
}

export interface VaultLoginRequest {
  readonly role?: unknown;
  readonly jwt?: unknown;
  readonly remoteAddress?: string;
}

export type VaultLoginResult =
  | {
      readonly ok: true;
      readonly body: Record<string, unknown>;
      readonly role: VaultRole;
      readonly decision: Extract<VaultDecision, { decision: 'allow' }>;
      readonly claims: Readonly<Record<string, unknown>>;
    }
  | {
      readonly ok: false;
      readonly error: VaultError;
      /** What had been established when it was refused (explain prints it). */
      readonly role?: VaultRole;
      readonly decision?: VaultDecision;
      readonly claims?: Readonly<Record<string, unknown>>;
    };

/** The role a login names: `role` lower-cased, else default_role; Vault's refusal when there is none. */
export function roleOf(mount: VaultMount, name: unknown): { role: VaultRole } | { error: VaultError } {
  const given = typeof name === 'string' ? name.toLowerCase() : '';
  const chosen = given !== '' ? given : mount.defaultRole.toLowerCase();
  if (chosen === '') return { error: vaultError(VAULT_TEXTS.missingRole, 'the body has no role and the mount has no default_role') };
  const role = mount.roles.get(chosen);
  if (role === undefined)
    return {
      error: vaultError(
        VAULT_TEXTS.roleNotFound(chosen),
        `no role ${chosen} in vault/${mount.path}/roles/ (roles: ${[...mount.roles.keys()].join(', ') || 'none'})`,
      ),
    };
  return { role };
}

export async function vaultLogin(
  mount: VaultMount,
  request: VaultLoginRequest,
  deps: VaultLoginDeps,
  now: Date,
): Promise<VaultLoginResult> {
  const chosen = roleOf(mount, request.role);
  if ('error' in chosen) return { ok: false, error: chosen.error };
  const { role } = chosen;
  if (role.roleType === 'oidc')
    return { ok: false, role, error: vaultError(VAULT_TEXTS.oidcRole, `role ${role.name} has role_type oidc (the browser flow), not jwt`) };
  const jwt = typeof request.jwt === 'string' ? request.jwt : '';
  if (jwt === '') return { ok: false, role, error: vaultError(VAULT_TEXTS.missingToken, 'the body has no jwt') };
  if (role.tokenBoundCidrs.length > 0) {
    const from = request.remoteAddress ?? '';
    const inside = role.tokenBoundCidrs.some((c) => {
      const block = parseCidr(c);
      return block !== null && cidrContains(block, from.startsWith('::ffff:') ? from.slice(7) : from);
    });
    if (!inside)
      return {
        ok: false,
        role,
        error: vaultPermissionDenied(`the caller ${from || '(unknown)'} is outside token_bound_cidrs ${role.tokenBoundCidrs.join(', ')}`),
      };
  }
  let verified;
  try {
    verified = await deps.verifier.verify(jwt, { name: mount.file, keys: mount.keys });
  } catch (e) {
    if (e instanceof VaultError) return { ok: false, role, error: e };
    throw e;
  }
  const { claims, header } = verified;
  const decision = decideVault({
    mount,
    role,
    claims,
    ...(typeof header['alg'] === 'string' ? { alg: header['alg'] } : { alg: '' }),
    now,
  });
  if (decision.decision === 'deny') return { ok: false, role, claims, decision, error: vaultError(decision.message, decision.reason) };
  const content = tokenContent(mount, role, decision.identity, deps, now);
  const token = deps.tokens.seal(content);
  return { ok: true, role, claims, decision, body: loginEnvelope(token, content) };
}

/** What the client token grants: policies (with `default` unless token_no_default_policy), TTL capped as Vault caps it. */
function tokenContent(
  mount: VaultMount,
  role: VaultRole,
  identity: Extract<VaultDecision, { decision: 'allow' }>['identity'],
  deps: VaultLoginDeps,
  now: Date,
): VaultTokenContent {
  const policies = [...new Set([...(role.tokenNoDefaultPolicy ? [] : ['default']), ...role.tokenPolicies])].sort();
  let ttl = role.tokenPeriod > 0 ? role.tokenPeriod : role.tokenTtl > 0 ? role.tokenTtl : VAULT_SYSTEM_MAX_TTL;
  const max = role.tokenMaxTtl > 0 ? Math.min(role.tokenMaxTtl, VAULT_SYSTEM_MAX_TTL) : VAULT_SYSTEM_MAX_TTL;
  if (role.tokenPeriod === 0) ttl = Math.min(ttl, max);
  if (role.tokenExplicitMaxTtl > 0) ttl = Math.min(ttl, role.tokenExplicitMaxTtl);
  const batch = role.tokenType === 'batch' || role.tokenType === 'default-batch';
  return {
    mount: mount.path,
    role: role.name,
    displayName: `${mount.path}-${identity.userName}`.replace(/[^A-Za-z0-9_.:/@-]/g, '-'),
    policies,
    metadata: Object.fromEntries(Object.entries(identity.metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    entityId: entityIdOf(mount.path, identity.userName),
    accessor: batch ? '' : accessorOf(deps.randomBytes(24)),
    type: batch ? 'batch' : 'service',
    renewable: !batch,
    numUses: role.tokenNumUses,
    explicitMaxTtl: role.tokenExplicitMaxTtl,
    ttl,
    issued: now,
    expires: new Date(now.getTime() + ttl * 1000),
  };
}

/** A stable entity id per mount and user (Vault creates one entity per alias). */
function entityIdOf(mount: string, user: string): string {
  const h = createHash('sha256').update(`vault entity\0${mount}\0${user}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 24 characters of base62, as Vault's accessors look. */
function accessorOf(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < 24; i++) out += BASE62[(bytes[i] ?? 0) % 62] as string;
  return out;
}

/** Vault's login answer (api-docs/auth/jwt.mdx; the logical response envelope). */
export function loginEnvelope(token: string, c: VaultTokenContent): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data: null,
    wrap_info: null,
    warnings: null,
    auth: {
      client_token: token,
      accessor: c.accessor,
      policies: c.policies,
      token_policies: c.policies,
      metadata: c.metadata,
      lease_duration: c.ttl,
      renewable: c.renewable,
      entity_id: c.entityId,
      token_type: c.type,
      orphan: true,
      mfa_requirement: null,
      num_uses: c.numUses,
    },
    mount_type: 'jwt',
  };
}

/** What `GET /v1/auth/token/lookup-self` answers for a live token at `now`. */
export function lookupSelfEnvelope(token: string, c: VaultTokenContent, now: Date): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data: {
      accessor: c.accessor,
      creation_time: Math.floor(c.issued.getTime() / 1000),
      creation_ttl: c.ttl,
      display_name: c.displayName,
      entity_id: c.entityId,
      expire_time: c.expires.toISOString(),
      explicit_max_ttl: c.explicitMaxTtl,
      id: token,
      issue_time: c.issued.toISOString(),
      meta: c.metadata,
      num_uses: c.numUses,
      orphan: true,
      path: `auth/${c.mount}/login`,
      policies: c.policies,
      renewable: c.renewable,
      ttl: Math.max(0, Math.floor((c.expires.getTime() - now.getTime()) / 1000)),
      type: c.type,
    },
    wrap_info: null,
    warnings: null,
    auth: null,
  };
}
