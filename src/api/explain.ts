/** Human-readable and JSON views of one decision (explain, test mismatches). */
import { formatEvaluation, type EvaluationResult } from '../policy/index.js';
import { STS_ERRORS, type StsErrorCode } from '../protocol/index.js';
import type { AuditRecord } from '../server/index.js';
import { decisionOf, type AuditInfo, type NearMiss, type StsOutcome } from '../sts/index.js';

/** What to change, for a refusal: one line each after the trace (none for an allow). */
function nearMissesOf(outcome: StsOutcome): readonly NearMiss[] {
  return outcome.ok ? [] : (outcome.audit.nearMisses?.() ?? []);
}

/** What explain's text is made of: an outcome has all of it, a kept audit record (the page's decisions) a part. */
interface ExplainFacts {
  readonly decision: 'allow' | 'deny' | 'error';
  readonly error:
    | { readonly code: string; readonly status: number | undefined; readonly message: string; readonly reason: string | undefined }
    | undefined;
  readonly audit: Omit<AuditInfo, 'action' | 'context' | 'nearMisses'>;
  /** The near misses' texts. */
  readonly nearMisses: readonly string[];
  /** Whether `audit` says which provider matched (a record does not keep it). */
  readonly knowsProvider: boolean;
}

function textOf({ decision, error, audit: a, nearMisses, knowsProvider }: ExplainFacts): string {
  const lines: string[] = [];
  const result = decision.toUpperCase();
  const status = error?.status === undefined ? '' : ` (HTTP ${error.status})`;
  lines.push(
    error === undefined ? `Result: ${result} (credentials would be issued)` : `Result: ${result} ${error.code}${status}: ${error.message}`,
  );
  if (error?.reason !== undefined) lines.push(`Why: ${error.reason}`);
  if (a.role !== undefined) lines.push(`Role: ${a.role}`);
  if (a.issuer !== undefined) lines.push(knowsProvider ? `Provider: iss ${a.issuer} matched ${a.provider ?? '?'}` : `Issuer: ${a.issuer}`);
  if (
    error !== undefined &&
    a.evaluation === undefined &&
    (error.code === 'InvalidIdentityToken' || error.code === 'ExpiredTokenException')
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
  for (const m of nearMisses) lines.push(`Near miss: ${m}`);
  return lines.join('\n');
}

export function explainText(outcome: StsOutcome): string {
  return textOf({
    decision: decisionOf(outcome),
    error: outcome.ok
      ? undefined
      : { code: outcome.error.code, status: outcome.error.status, message: outcome.error.message, reason: outcome.error.reason },
    audit: outcome.audit,
    nearMisses: nearMissesOf(outcome).map((m) => m.text),
    knowsProvider: true,
  });
}

const statusOf = (code: string): number | undefined =>
  Object.hasOwn(STS_ERRORS, code) ? STS_ERRORS[code as StsErrorCode].status : undefined;

/**
 * A record's trace as a trust-policy evaluation, when it is one: the JSON services (Infisical, ...) record traces of
 * their own, which the trust-policy views do not read.
 */
export function evaluationOf(trace: unknown): EvaluationResult | undefined {
  const statements = typeof trace === 'object' && trace !== null ? (trace as { statements?: unknown }).statements : undefined;
  return Array.isArray(statements) ? (trace as EvaluationResult) : undefined;
}

/**
 * Explain's text of a kept audit record (the page's decision list): the same lines as for the outcome, less what a
 * record does not keep (which provider matched, the audience, why an absent key is absent).
 */
export function explainRecordText(record: AuditRecord): string {
  const some = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
  return textOf({
    decision: record.decision,
    error:
      record.errorCode === null
        ? undefined
        : { code: record.errorCode, status: statusOf(record.errorCode), message: record.message ?? '', reason: some(record.reason) },
    audit: {
      ...(record.role === null ? {} : { role: record.role }),
      ...(record.sessionName === null ? {} : { sessionName: record.sessionName }),
      ...(record.subject === null ? {} : { subject: record.subject }),
      ...(record.issuer === null ? {} : { issuer: record.issuer }),
      ...(evaluationOf(record.trace) === undefined ? {} : { evaluation: record.trace as EvaluationResult }),
    },
    nearMisses: record.nearMisses,
    knowsProvider: false,
  });
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
