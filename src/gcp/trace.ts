/**
 * The explanation of one token exchange or one impersonation, built from what the request decided: the same object
 * whether the server answered it (the audit record's trace) or explain --gcp ran it (its --json).
 */
import { acceptedAudiences, type GcpConfig, type GcpProvider } from '../config/index.js';
import type { GcpError } from '../protocol/index.js';
import { principalOf, type BindingDecision } from './bindings.js';
import type { ExchangeResult } from './exchange.js';
import type { GcpExplanation } from './explain-text.js';
import type { ImpersonationResult } from './impersonate.js';
import type { MappingResult } from './mapping.js';
import type { FederatedPrincipal } from './tokens.js';

export type Outcome<T> = { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: GcpError };

type Base = Omit<GcpExplanation, 'result' | 'step' | 'status' | 'error' | 'reason'>;

export function providerSummary(p: GcpProvider): NonNullable<GcpExplanation['provider']> {
  return { name: p.name, file: p.file, issuerUri: p.issuerUri, audiences: acceptedAudiences(p) };
}

function isMapping(v: unknown): v is MappingResult {
  return typeof v === 'object' && v !== null && 'trace' in v && 'attributes' in v;
}

function refused(step: 'exchange' | 'impersonation', e: GcpError, base: Base): GcpExplanation {
  return { result: 'deny', step, status: e.status, error: e.body, reason: e.reason, ...base };
}

/** A claim of a token's payload, unverified (for the trace and the record: the token's aud and iss). */
export function claimOf(token: string | undefined, claim: 'aud' | 'iss' | 'sub'): unknown {
  try {
    const payload = JSON.parse(Buffer.from((token ?? '').trim().split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[claim] : undefined;
  } catch {
    return undefined;
  }
}

/** The exchange of `token` at `provider` (undefined when the audience named none). */
export function exchangeExplanation(
  provider: GcpProvider | undefined,
  token: string | undefined,
  outcome: Outcome<ExchangeResult>,
): GcpExplanation {
  const where = provider === undefined ? {} : { provider: providerSummary(provider) };
  if (!outcome.ok) {
    const mapping = isMapping(outcome.error.detail) ? outcome.error.detail : undefined;
    return refused('exchange', outcome.error, { ...where, ...(mapping === undefined ? {} : { mapping, audience: claimOf(token, 'aud') }) });
  }
  const r = outcome.result;
  return { result: 'allow', ...where, audience: claimOf(token, 'aud'), mapping: r.mapping, principal: principalOf(r.principal) };
}

/**
 * The impersonation of `account` by `principal` (undefined when the bearer token was refused), after `before`: the
 * exchange of the same explain run, or, for a request of its own, the principal's provider.
 */
export function impersonationExplanation(
  before: Base,
  account: string,
  principal: FederatedPrincipal | undefined,
  outcome: Outcome<ImpersonationResult>,
): GcpExplanation {
  const base: Base = { ...before, ...(principal === undefined ? {} : { principal: principalOf(principal) }), serviceAccount: account };
  if (outcome.ok) return { result: 'allow', ...base, bindings: outcome.result.decision };
  const bindings = outcome.error.detail as BindingDecision | undefined;
  return refused('impersonation', outcome.error, { ...base, ...(bindings === undefined ? {} : { bindings }) });
}

/** The provider a federated principal came from, if the configuration still has it. */
export function providerOfPrincipal(config: GcpConfig | undefined, principal: FederatedPrincipal | undefined): GcpProvider | undefined {
  return principal === undefined ? undefined : config?.providers.find((p) => p.name === principal.provider);
}
