/**
 * Why Google's side allows or refuses a token (explain --gcp, test cases with gcp: targets): the token exchange and
 * the impersonation run exactly as the server runs them (exchangeToken, generateAccessToken), and their traces are
 * kept: the audience accepted, each mapped attribute with its value or error, the condition with the clause that was
 * not true, and which binding matched or why none did.
 */
import { acceptedAudiences, type GcpProvider } from '../config/index.js';
import { GcpError } from '../protocol/index.js';
import { principalOf, type BindingDecision } from './bindings.js';
import { showCel } from './cel.js';
import { ACCESS_TOKEN_TYPE, exchangeToken, TOKEN_EXCHANGE_GRANT, type ExchangeResult } from './exchange.js';
import { generateAccessToken } from './impersonate.js';
import type { MappingResult } from './mapping.js';
import type { GcpDeps } from './operations.js';

export interface GcpExplanation {
  readonly result: 'allow' | 'deny';
  /** Which request refused: the token exchange or the impersonation. */
  readonly step?: 'exchange' | 'impersonation';
  readonly status?: number;
  /** Google's answer body, exactly as a client sees it. */
  readonly error?: unknown;
  readonly reason?: string;
  readonly provider: { readonly name: string; readonly file: string; readonly issuerUri: string; readonly audiences: readonly string[] };
  readonly audience?: unknown;
  readonly mapping?: MappingResult;
  readonly principal?: string;
  readonly serviceAccount?: string;
  readonly bindings?: BindingDecision;
}

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

function isMapping(v: unknown): v is MappingResult {
  return typeof v === 'object' && v !== null && 'trace' in v && 'attributes' in v;
}

export async function explainGcp(
  deps: GcpDeps,
  input: { readonly token: string; readonly provider: GcpProvider; readonly serviceAccount?: string },
  now: Date,
): Promise<GcpExplanation> {
  const p = input.provider;
  const provider = { name: p.name, file: p.file, issuerUri: p.issuerUri, audiences: acceptedAudiences(p) };
  const refused = (step: 'exchange' | 'impersonation', e: GcpError, extra: Partial<GcpExplanation>): GcpExplanation => ({
    result: 'deny',
    step,
    status: e.status,
    error: e.body,
    reason: e.reason,
    provider,
    ...extra,
  });
  let exchanged: ExchangeResult;
  try {
    exchanged = await exchangeToken(
      {
        grant_type: TOKEN_EXCHANGE_GRANT,
        audience: `//iam.googleapis.com/${p.name}`,
        scope: SCOPE,
        requested_token_type: ACCESS_TOKEN_TYPE,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        subject_token: input.token,
      },
      deps,
      now,
    );
  } catch (e) {
    if (!(e instanceof GcpError)) throw e;
    const mapping = isMapping(e.detail) ? e.detail : undefined;
    return refused('exchange', e, mapping === undefined ? {} : { mapping, audience: audienceOf(input.token) });
  }
  const base = { provider, audience: audienceOf(input.token), mapping: exchanged.mapping, principal: principalOf(exchanged.principal) };
  if (input.serviceAccount === undefined) return { result: 'allow', ...base };
  try {
    const r = generateAccessToken(
      {
        project: '-',
        account: input.serviceAccount,
        authorization: `Bearer ${exchanged.body.access_token}`,
        body: { scope: [SCOPE] },
      },
      deps,
      now,
    );
    return { result: 'allow', ...base, serviceAccount: input.serviceAccount, bindings: r.decision };
  } catch (e) {
    if (!(e instanceof GcpError)) throw e;
    const bindings = e.detail as BindingDecision | undefined;
    return refused('impersonation', e, { ...base, serviceAccount: input.serviceAccount, ...(bindings === undefined ? {} : { bindings }) });
  }
}

/** The token's aud, for the trace (the exchange has verified it when the mapping ran). */
function audienceOf(token: string): unknown {
  return audienceOrIss(token, 'aud');
}

function outcomeText(o: { ok: true; value: unknown } | { ok: false; error: string }): string {
  return o.ok ? showCel(o.value) : `error: ${o.error}`;
}

export function explainGcpText(e: GcpExplanation): string {
  const lines: string[] = [];
  if (e.result === 'allow') {
    lines.push(
      `Result: ALLOW (${e.serviceAccount === undefined ? 'a federated token would be issued' : `an access token for ${e.serviceAccount} would be issued`})`,
    );
  } else {
    const body = e.error as { error?: unknown; error_description?: unknown } | undefined;
    const google =
      typeof body?.error === 'object' && body.error !== null ? (body.error as { status?: unknown; message?: unknown }) : undefined;
    const code = google === undefined ? String(body?.error) : String(google.status);
    const message = google === undefined ? String(body?.error_description) : String(google.message);
    lines.push(
      `Result: DENY at ${e.step === 'impersonation' ? 'generateAccessToken' : 'STS /v1/token'}: ${code} (HTTP ${e.status ?? '?'}): ${message}`,
    );
    if (e.reason !== undefined) lines.push(`Why: ${e.reason}`);
  }
  lines.push(`Provider: ${e.provider.name} (${e.provider.file}), issuer ${e.provider.issuerUri}`);
  if (e.mapping !== undefined) {
    lines.push(`Audience: ${showCel(e.audience)} accepted (one of ${e.provider.audiences.map((a) => JSON.stringify(a)).join(', ')})`);
    lines.push('Attribute mapping:');
    for (const t of e.mapping.trace.attributes) {
      lines.push(`  ${t.key} = ${'value' in t.outcome ? showCel(t.outcome.value) : `error: ${t.outcome.error}`}    <- ${t.expression}`);
    }
    const c = e.mapping.trace.condition;
    if (c === undefined) lines.push('Attribute condition: none (every token of the issuer is accepted)');
    else {
      lines.push(`Attribute condition: ${outcomeText(c.outcome)}    <- ${c.expression}`);
      if (c.failing !== undefined) lines.push(`  not true: ${c.failing.expression}    -> ${outcomeText(c.failing.outcome)}`);
    }
  }
  if (e.principal !== undefined) lines.push(`Principal: ${e.principal}`);
  if (e.serviceAccount !== undefined) {
    lines.push(`Service account: ${e.serviceAccount}`);
    if (e.bindings !== undefined) {
      if (e.bindings.bindings.length === 0) lines.push('  no bindings');
      for (const b of e.bindings.bindings) {
        lines.push(`  ${b.role}: ${b.matched !== undefined ? `matched ${b.matched}` : `no (${b.why ?? ''})`}`);
        if (b.matched === undefined) for (const m of b.members) lines.push(`    member ${m}`);
      }
    }
  }
  return lines.join('\n');
}

/**
 * The pool provider a token is explained against: the one named (id or full name), else the only one, else the one
 * whose issuerUri is the token's `iss`. Undefined, with why, when none or several fit.
 */
export function gcpProviderFor(
  providers: readonly GcpProvider[],
  token: string,
  wanted: string | undefined,
): { readonly provider: GcpProvider } | { readonly error: string } {
  const iss = audienceOrIss(token, 'iss');
  const candidates =
    wanted !== undefined
      ? providers.filter((p) => p.providerId === wanted || p.name === wanted)
      : providers.length === 1
        ? providers
        : providers.filter((p) => p.issuerUri === iss);
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) return { provider: only };
  const known = providers.map((p) => p.name).join(', ') || 'none';
  return {
    error: `${candidates.length === 0 ? 'no' : 'more than one'} Google Cloud provider in gcp/pools fits${wanted === undefined ? ` the token's issuer ${String(iss)}` : ` --provider ${wanted}`}: name one (providers: ${known})`,
  };
}

function audienceOrIss(token: string, claim: 'aud' | 'iss'): unknown {
  try {
    const payload = JSON.parse(Buffer.from(token.trim().split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    return payload[claim];
  } catch {
    return undefined;
  }
}

/** What a case expects of Google's side: allow, deny (a condition or binding refusal), or Google's error code. */
export function gcpOutcomeLabel(e: GcpExplanation): string {
  if (e.result === 'allow') return 'allow';
  const body = e.error as { error?: unknown } | undefined;
  const err = body?.error;
  return typeof err === 'string' ? err : String((err as { status?: unknown } | undefined)?.status);
}

/** Google's codes a case may expect, beside allow and deny. */
export const GCP_EXPECTATIONS: readonly string[] = [
  'invalid_request',
  'invalid_target',
  'invalid_grant',
  'unauthorized_client',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'INVALID_ARGUMENT',
];

/** Whether a label meets an expectation: `deny` is met by the condition's and the bindings' refusals. */
export function gcpExpectationMet(expect: string, got: string): boolean {
  return got === expect || (expect === 'deny' && (got === 'unauthorized_client' || got === 'PERMISSION_DENIED'));
}
