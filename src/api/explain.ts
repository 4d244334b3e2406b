/** Human-readable and JSON views of one decision (explain, test mismatches). */
import { formatEvaluation } from '../policy/index.js';
import { decisionOf, type NearMiss, type StsOutcome } from '../sts/index.js';

/** What to change, for a refusal: one line each after the trace (none for an allow). */
function nearMissesOf(outcome: StsOutcome): readonly NearMiss[] {
  return outcome.ok ? [] : (outcome.audit.nearMisses?.() ?? []);
}

export function explainText(outcome: StsOutcome): string {
  const a = outcome.audit;
  const lines: string[] = [];
  const result = decisionOf(outcome).toUpperCase();
  lines.push(
    outcome.ok
      ? `Result: ${result} (credentials would be issued)`
      : `Result: ${result} ${outcome.error.code} (HTTP ${outcome.error.status}): ${outcome.error.message}`,
  );
  if (!outcome.ok && outcome.error.reason !== undefined) lines.push(`Why: ${outcome.error.reason}`);
  if (a.role !== undefined) lines.push(`Role: ${a.role}`);
  if (a.issuer !== undefined) lines.push(`Provider: iss ${a.issuer} matched ${a.provider ?? '?'}`);
  if (
    !outcome.ok &&
    a.evaluation === undefined &&
    (outcome.error.code === 'InvalidIdentityToken' || outcome.error.code === 'ExpiredTokenException')
  ) {
    lines.push(
      `Token: refused ${a.issuer === undefined ? '' : "by this provider's checks "}before the trust policy was evaluated (see Why)`,
    );
  }
  if (a.audience !== undefined) lines.push(`Audience: ${JSON.stringify(a.audience)} is in the provider's ClientIDList`);
  if (a.subject !== undefined) lines.push(`Subject: ${a.subject}`);
  if (a.evaluation !== undefined) {
    lines.push('Trust policy:');
    const text = formatEvaluation(a.evaluation, a.describeAbsent === undefined ? {} : { describeAbsent: a.describeAbsent });
    lines.push(...text.split('\n').map((l) => '  ' + l));
  }
  for (const m of nearMissesOf(outcome)) lines.push(`Near miss: ${m.text}`);
  return lines.join('\n');
}

/** The JSON view of one decision (`explain --json`, the package API's decide). */
export interface ExplainJson {
  readonly result: 'allow' | 'deny' | 'error';
  readonly errorCode: string | null;
  /** AWS's message, exactly as a client would see it. */
  readonly message: string | null;
  /** The emulator's reason for a refusal. */
  readonly reason: string | null;
  readonly role: string | null;
  readonly issuer: string | null;
  readonly provider: string | null;
  readonly audience: string | null;
  readonly subject: string | null;
  /** The request context the trust policy saw. */
  readonly context: Readonly<Record<string, readonly string[]>>;
  /** The trust-policy evaluation: every statement and condition. */
  readonly evaluation: unknown;
  /** What to change, for a refusal: `{kind, text}`, kinds as in NEAR_MISS_KINDS. */
  readonly nearMisses: readonly NearMiss[];
}

export function explainJson(outcome: StsOutcome): ExplainJson {
  const a = outcome.audit;
  const context: Record<string, readonly string[]> = {};
  if (a.context !== undefined) for (const [k, v] of a.context.values) context[k] = v;
  return {
    result: decisionOf(outcome),
    errorCode: outcome.ok ? null : outcome.error.code,
    message: outcome.ok ? null : outcome.error.message,
    reason: outcome.ok ? null : (outcome.error.reason ?? null),
    role: a.role ?? null,
    issuer: a.issuer ?? null,
    provider: a.provider ?? null,
    audience: a.audience ?? null,
    subject: a.subject ?? null,
    context,
    evaluation:
      a.evaluation === undefined
        ? null
        : {
            decision: a.evaluation.decision,
            statements: a.evaluation.statements.map((s) => ({
              ...s,
              conditions: s.conditions.map((c) => ({
                ...c,
                ...(c.contextValues === null && a.describeAbsent?.(c.key) !== undefined ? { absentBecause: a.describeAbsent(c.key) } : {}),
              })),
            })),
          },
    nearMisses: nearMissesOf(outcome),
  };
}
