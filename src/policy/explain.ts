/**
 * Renders an EvaluationResult as a deterministic, human-readable, multi-line trace (used by the CLI's
 * explain command and by golden tests): the decision, then each statement with its effect, sid,
 * principal/action outcome and every condition with its context values (or `absent`), policy values
 * and outcome.
 */
import { CONDITION_REASONS } from './conditions.js';
import type { ConditionTrace, EvaluationResult, StatementTrace } from './types.js';

export interface FormatOptions {
  /** Extra text for an absent key, e.g. "AWS provides no such key for this provider". */
  readonly describeAbsent?: (key: string) => string | undefined;
}

const list = (values: readonly string[]): string => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;

function reasonText(reason: string): string {
  const text = (CONDITION_REASONS as Readonly<Record<string, string>>)[reason];
  return text === undefined ? reason : `${reason}: ${text}`;
}

function conditionLines(c: ConditionTrace, n: number, options: FormatOptions): string[] {
  let context: string;
  if (c.contextValues === null) {
    const why = options.describeAbsent?.(c.key);
    context = why === undefined ? 'absent' : `absent: ${why}`;
  } else {
    context = c.contextValues.length === 0 ? '[] (empty set)' : list(c.contextValues);
  }
  const lines = [
    `  condition ${n}: ${c.operator} ${JSON.stringify(c.key)}`,
    `    context: ${context}`,
    `    policy:  ${list(c.policyValues)}`,
  ];
  const unresolved = (c as { unresolved?: readonly string[] }).unresolved;
  if (unresolved !== undefined && unresolved.length > 0) {
    lines.push(`    unresolved variables (match nothing): ${list(unresolved)}`);
  }
  lines.push(`    outcome: ${c.result} (${reasonText(c.reason)})`);
  return lines;
}

function statementLines(s: StatementTrace, options: FormatOptions): string[] {
  const sid = s.sid === undefined ? '(no sid)' : `sid ${JSON.stringify(s.sid)}`;
  const lines = [
    `Statement[${s.index}] ${s.effect} ${sid}: ${s.applies ? 'applies' : 'does not apply'}`,
    `  principal: ${s.principalMatched ? 'matched' : 'not matched'}`,
    `  action: ${s.actionMatched ? 'matched' : 'not matched'}`,
  ];
  if (s.conditions.length === 0) lines.push('  conditions: none');
  s.conditions.forEach((c, i) => lines.push(...conditionLines(c, i + 1, options)));
  return lines;
}

const DECISIONS = {
  allow: 'allow (an Allow statement applies and no Deny does)',
  explicitDeny: 'explicitDeny (a Deny statement applies)',
  implicitDeny: 'implicitDeny (no statement allows the request)',
} as const;

/** A multi-line, deterministic description of an evaluation (no trailing newline). */
export function formatEvaluation(result: EvaluationResult, options: FormatOptions = {}): string {
  const lines = [`Decision: ${DECISIONS[result.decision]}`];
  for (const s of result.statements) lines.push(...statementLines(s, options));
  return lines.join('\n');
}
