/**
 * What explain --gcp, the audit record of a Google request and the demo page show of one decision on Google's side:
 * the explanation's shape and its text. Types and text only, so that the page can print a kept record's trace
 * without loading the exchange (or CEL).
 */
import type { BindingDecision } from './bindings.js';
import type { MappingResult } from './mapping.js';

/** The actions of Google's decisions in the audit record. */
export const GCP_ACTIONS = { exchange: 'gcp:ExchangeToken', impersonate: 'gcp:GenerateAccessToken' } as const;

/** Whether an audit record's action is one of Google's (its trace is a GcpExplanation). */
export function isGcpAction(action: string): boolean {
  return action.startsWith('gcp:');
}

/** How a value is shown in a trace: strings quoted, lists and maps as JSON. */
export function showCel(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

export interface GcpExplanation {
  readonly result: 'allow' | 'deny';
  /** Which request refused: the token exchange or the impersonation. */
  readonly step?: 'exchange' | 'impersonation';
  readonly status?: number;
  /** Google's answer body, exactly as a client sees it. */
  readonly error?: unknown;
  readonly reason?: string;
  /** The provider of the exchange (or of the federated token's principal); absent when no provider was found. */
  readonly provider?: { readonly name: string; readonly file: string; readonly issuerUri: string; readonly audiences: readonly string[] };
  readonly audience?: unknown;
  readonly mapping?: MappingResult;
  readonly principal?: string;
  readonly serviceAccount?: string;
  readonly bindings?: BindingDecision;
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
  if (e.provider !== undefined) lines.push(`Provider: ${e.provider.name} (${e.provider.file}), issuer ${e.provider.issuerUri}`);
  if (e.mapping !== undefined) {
    const audiences = e.provider?.audiences.map((a) => JSON.stringify(a)).join(', ') ?? '';
    lines.push(`Audience: ${showCel(e.audience)} accepted (one of ${audiences})`);
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
