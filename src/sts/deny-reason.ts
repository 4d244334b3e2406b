/**
 * What decided an evaluation, and the one-line reason for a refusal built from it (audit log, x-sts-emulator-reason,
 * the page's highlighted condition). One rule for both: the applying Deny, the applying Allow, or, for each Allow
 * statement, the first thing that kept it from applying.
 */
import type { EvaluationResult } from '../policy/index.js';

/** One part of the trust policy that decided the request, by statement index and condition position (0-based). */
export type DecidingPart =
  | { readonly kind: 'explicitDeny' | 'allow'; readonly statement: number }
  | { readonly kind: 'principal' | 'action'; readonly statement: number }
  | { readonly kind: 'condition'; readonly statement: number; readonly condition: number };

/**
 * The parts that decided `ev`: the first applying Deny (explicitDeny), the first applying Allow (allow), or, for an
 * implicit deny, each Allow statement's principal or action that did not match, else its first false condition.
 */
export function decidingParts(ev: EvaluationResult): DecidingPart[] {
  if (ev.decision !== 'implicitDeny') {
    const effect = ev.decision === 'explicitDeny' ? 'Deny' : 'Allow';
    const s = ev.statements.find((x) => x.applies && x.effect === effect);
    return s === undefined ? [] : [{ kind: ev.decision, statement: s.index }];
  }
  const parts: DecidingPart[] = [];
  for (const s of ev.statements) {
    if (s.effect !== 'Allow') continue;
    if (!s.principalMatched) parts.push({ kind: 'principal', statement: s.index });
    else if (!s.actionMatched) parts.push({ kind: 'action', statement: s.index });
    else {
      const failed = s.conditions.findIndex((c) => !c.result);
      if (failed !== -1) parts.push({ kind: 'condition', statement: s.index, condition: failed });
    }
  }
  return parts;
}

export function denyReason(ev: EvaluationResult): string {
  if (ev.decision === 'explicitDeny') {
    const s = decidingParts(ev)[0];
    return `explicit Deny in Statement[${s?.statement ?? '?'}]`;
  }
  if (!ev.statements.some((s) => s.effect === 'Allow')) return 'no Allow statement in the trust policy';
  const parts = decidingParts(ev).map((p) => {
    if (p.kind === 'principal') return `Statement[${p.statement}]: principal does not match`;
    if (p.kind === 'action') return `Statement[${p.statement}]: action does not match`;
    const failed = p.kind === 'condition' ? ev.statements.find((s) => s.index === p.statement)?.conditions[p.condition] : undefined;
    if (failed === undefined) return `Statement[${p.statement}]`;
    return `Statement[${p.statement}]: ${failed.operator} ${failed.key} is false (${failed.contextValues === null ? 'key absent' : `context ${JSON.stringify(failed.contextValues)}`}, policy ${JSON.stringify(failed.policyValues)})`;
  });
  return parts.length === 0 ? 'no Allow statement applies' : parts.join('; ');
}
