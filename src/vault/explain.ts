/**
 * Why Vault allows or refuses a token (explain --target vault, test cases with `target: vault`): the login runs
 * exactly as the server runs it (vaultLogin, with the same verifier), and its trace is kept: each bound field, the
 * value from the token, the pattern, and the matching rule that decided.
 */
import type { VaultMount } from '../config/index.js';
import { createVaultTokenVerifier, type VaultTokenVerifier } from '../identity/vault-verifier.js';
import type { VaultTraceStep } from './decide.js';
import { VAULT_RULES } from './decide.js';
import { vaultLogin } from './login.js';
import type { VaultDeps } from './service.js';

export interface VaultExplanation {
  readonly result: 'allow' | 'deny';
  readonly status: number;
  /** Vault's answer: the `errors` of a refusal, or the granted policies and metadata. */
  readonly errors?: readonly string[];
  readonly reason?: string;
  readonly mount: { readonly path: string; readonly file: string; readonly boundIssuer: string; readonly keys: string };
  readonly role?: { readonly name: string; readonly file: string; readonly boundClaimsType: 'string' | 'glob' };
  readonly trace: readonly VaultTraceStep[];
  readonly policies?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
  readonly ttl?: number;
}

/** One verifier per runtime's deps, so a suite of cases fetches a mount's keys once. */
const verifiers = new WeakMap<VaultDeps, VaultTokenVerifier>();

export async function explainVault(
  deps: VaultDeps,
  input: { readonly token: string; readonly mount: VaultMount; readonly role?: string },
  now: Date,
): Promise<VaultExplanation> {
  const m = input.mount;
  const mount = {
    path: m.path,
    file: m.file,
    boundIssuer: m.boundIssuer,
    keys: 'url' in m.keys ? `${m.keys.field} ${m.keys.url}` : `${m.keys.field} (${m.keys.pems.length} keys)`,
  };
  let verifier = verifiers.get(deps);
  if (verifier === undefined) {
    verifier = createVaultTokenVerifier(deps.fetch === undefined ? {} : { fetch: deps.fetch });
    verifiers.set(deps, verifier);
  }
  const result = await vaultLogin(
    m,
    { jwt: input.token, ...(input.role === undefined ? {} : { role: input.role }) },
    { tokens: deps.tokens, verifier, randomBytes: deps.randomBytes },
    now,
  );
  const role =
    result.role === undefined
      ? {}
      : { role: { name: result.role.name, file: result.role.file, boundClaimsType: result.role.boundClaimsType } };
  if (!result.ok)
    return {
      result: 'deny',
      status: result.error.status,
      errors: result.error.errors,
      reason: result.error.reason,
      mount,
      ...role,
      trace: result.decision?.trace ?? [],
    };
  const auth = result.body['auth'] as { policies: string[]; lease_duration: number };
  return {
    result: 'allow',
    status: 200,
    mount,
    ...role,
    trace: result.decision.trace,
    policies: auth.policies,
    metadata: result.decision.identity.metadata,
    ttl: auth.lease_duration,
  };
}

export function explainVaultText(e: VaultExplanation): string {
  const lines: string[] = [];
  if (e.result === 'allow')
    lines.push(`Result: ALLOW (a client token with policies ${(e.policies ?? []).join(', ')} for ${e.ttl ?? 0} s would be issued)`);
  else {
    lines.push(`Result: DENY: HTTP ${e.status} {"errors":${JSON.stringify(e.errors ?? [])}}`);
    if (e.reason !== undefined) lines.push(`Why: ${e.reason}`);
  }
  lines.push(
    `Mount: auth/${e.mount.path} (${e.mount.file}), ${e.mount.keys}, bound_issuer ${e.mount.boundIssuer === '' ? '(not set)' : e.mount.boundIssuer}`,
  );
  if (e.role !== undefined) lines.push(`Role: ${e.role.name} (${e.role.file}), bound_claims_type ${e.role.boundClaimsType}`);
  if (e.trace.length > 0) lines.push("Checks, in Vault's order:");
  for (const t of e.trace) {
    lines.push(`  ${t.ok ? 'ok  ' : 'FAIL'} ${t.field}: token ${t.actual}  vs  ${t.expected}`);
    lines.push(`       rule: ${VAULT_RULES[t.rule]}${t.matched === undefined ? '' : `; matched ${t.matched}`}`);
  }
  if (e.metadata !== undefined) lines.push(`Metadata: ${JSON.stringify(e.metadata)}`);
  return lines.join('\n');
}

/** The mount a token is explained against: the one named, else the only one, else the one whose bound_issuer is `iss`. */
export function vaultMountFor(
  mounts: readonly VaultMount[],
  token: string,
  wanted: string | undefined,
): { readonly mount: VaultMount } | { readonly error: string } {
  let iss: unknown;
  try {
    iss = (JSON.parse(Buffer.from(token.trim().split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>)['iss'];
  } catch {
    iss = undefined;
  }
  const candidates =
    wanted !== undefined
      ? mounts.filter((m) => m.path === wanted)
      : mounts.length === 1
        ? mounts
        : mounts.filter((m) => m.boundIssuer === iss);
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) return { mount: only };
  const known = mounts.map((m) => m.path).join(', ') || 'none';
  return {
    error: `${candidates.length === 0 ? 'no' : 'more than one'} Vault mount in vault/ fits${wanted === undefined ? ` the token's issuer ${String(iss)}` : ` --mount ${wanted}`}: name one (mounts: ${known})`,
  };
}
