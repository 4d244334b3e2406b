/**
 * Why Infisical admits or refuses a token (`explain --target infisical`, test cases with `target: infisical`): the login
 * runs exactly as the server runs it (InfisicalOperations.login), and its trace is kept: which identity, how the key
 * was found, and each bound field with the token's value, the patterns, the outcome and the matching rule that
 * decided, in Infisical's order (the first refusal answers).
 */
import type { InfisicalIdentity } from '../config/index.js';
import { FIELD_OUTCOMES, type FieldTrace } from './decide.js';
import { MATCH_RULES } from './match.js';
import type { InfisicalOperations } from './operations.js';

export interface InfisicalExplanation {
  readonly result: 'allow' | 'deny' | 'error';
  readonly status: number;
  /** Infisical's answer body, exactly as a client sees it (the access token left out of an allow). */
  readonly body: unknown;
  readonly reason?: string;
  readonly identity: { readonly identityId: string; readonly file: string; readonly boundIssuer: string; readonly keys: string };
  /** How the signing key was found (`kid <kid>`, or `key i of n (no kid)`). */
  readonly key?: string;
  readonly trace?: readonly FieldTrace[];
  /** The bound field that refused, if one did. */
  readonly decidedBy?: string;
}

export async function explainInfisical(
  operations: InfisicalOperations,
  input: { readonly token: string; readonly identity: InfisicalIdentity },
  now: Date,
): Promise<InfisicalExplanation> {
  const i = input.identity;
  const outcome = await operations.login({ identityId: i.identityId, jwt: input.token }, now);
  const identity = {
    identityId: i.identityId,
    file: i.file,
    boundIssuer: i.boundIssuer,
    keys: i.keys.kind === 'emulated' ? `the emulated issuer ${i.oidcDiscoveryUrl}` : `discovery at ${i.oidcDiscoveryUrl}`,
  };
  const body =
    outcome.status === 200 && typeof outcome.body === 'object' && outcome.body !== null
      ? { ...outcome.body, accessToken: '(an access token)' }
      : outcome.body;
  const e = outcome.error;
  return {
    result: e === undefined ? 'allow' : e.kind === 'InternalServerError' ? 'error' : 'deny',
    status: outcome.status,
    body,
    ...(e === undefined ? {} : { reason: e.reason }),
    identity,
    ...(outcome.key === undefined ? {} : { key: outcome.key }),
    ...(outcome.decision === undefined ? {} : { trace: outcome.decision.trace }),
    ...(outcome.decision?.decidedBy === undefined ? {} : { decidedBy: outcome.decision.decidedBy }),
  };
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));

export function explainInfisicalText(e: InfisicalExplanation): string {
  const lines: string[] = [];
  const body = e.body as { error?: unknown; message?: unknown } | undefined;
  if (e.result === 'allow') lines.push('Result: ALLOW (an access token would be issued)');
  else {
    const message = typeof body?.message === 'string' ? body.message : JSON.stringify(body?.message);
    lines.push(`Result: ${e.result === 'error' ? 'ERROR' : 'DENY'}: ${String(body?.error)} (HTTP ${e.status}): ${message}`);
    if (e.reason !== undefined) lines.push(`Why: ${e.reason}`);
  }
  lines.push(
    `Identity: ${e.identity.identityId} (${e.identity.file}), boundIssuer ${e.identity.boundIssuer}, keys from ${e.identity.keys}`,
  );
  if (e.key !== undefined)
    lines.push(`Signature: verified with ${e.key}; iss equals boundIssuer; exp and nbf (when present) hold with no leeway`);
  if (e.trace !== undefined) {
    lines.push("Bound fields, in Infisical's order (the first refusal answers):");
    for (const t of e.trace) {
      const decided = t.field === e.decidedBy ? '    <- decided' : '';
      const patterns = t.patterns.length === 0 ? '' : ` vs ${t.patterns.map((p) => `'${p}'`).join(t.patterns.length > 1 ? ' or ' : '')}`;
      let outcome: string = FIELD_OUTCOMES[t.outcome];
      if (t.outcome === 'matched')
        outcome = `matched${t.patterns.length > 1 ? ` '${t.matchedPattern ?? ''}'` : ''}${t.element === undefined ? '' : ` (element ${JSON.stringify(t.element)})`} by ${MATCH_RULES[t.rule ?? 'glob']}`;
      else if (t.outcome === 'not-matched') outcome = `no match (${MATCH_RULES[t.rule ?? 'glob']})`;
      lines.push(`  ${t.field}: ${t.claim} = ${show(t.value)}${patterns} -> ${outcome}${decided}`);
    }
  }
  return lines.join('\n');
}

/**
 * The identity a token is explained against: the one named (its identityId), else the only one, else the one whose
 * boundIssuer is the token's `iss`. Why not, when none or several fit.
 */
export function infisicalIdentityFor(
  identities: readonly InfisicalIdentity[],
  token: string,
  wanted: string | undefined,
): { readonly identity: InfisicalIdentity } | { readonly error: string } {
  const iss = issOf(token);
  const candidates =
    wanted !== undefined
      ? identities.filter((i) => i.identityId === wanted)
      : identities.length === 1
        ? identities
        : identities.filter((i) => i.boundIssuer === iss);
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) return { identity: only };
  const known = identities.map((i) => i.identityId).join(', ') || 'none';
  return {
    error: `${candidates.length === 0 ? 'no' : 'more than one'} Infisical identity in infisical/identities fits${wanted === undefined ? ` the token's issuer ${String(iss)}` : ` --identity ${wanted}`}: name one (identities: ${known})`,
  };
}

function issOf(token: string): unknown {
  try {
    const payload = JSON.parse(Buffer.from(token.trim().split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    return payload['iss'];
  } catch {
    return undefined;
  }
}

/** What a case may expect of Infisical besides allow and deny: the `error` of Infisical's body. */
export const INFISICAL_EXPECTATIONS: readonly string[] = [
  'UnauthorizedError',
  'ForbiddenError',
  'NotFound',
  'BadRequest',
  'ValidationFailure',
  'InternalServerError',
];

/** allow, or the `error` of Infisical's body. */
export function infisicalOutcomeLabel(e: InfisicalExplanation): string {
  if (e.result === 'allow') return 'allow';
  return String((e.body as { error?: unknown } | undefined)?.error);
}

/** Whether a label meets an expectation: `deny` is met by Infisical's 401 and 403 refusals. */
export function infisicalExpectationMet(expect: string, got: string): boolean {
  return got === expect || (expect === 'deny' && (got === 'UnauthorizedError' || got === 'ForbiddenError'));
}
