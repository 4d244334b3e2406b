/** A one-line reason for a refusal, from the evaluation trace (audit log and x-sts-emulator-reason). */
import type { EvaluationResult } from '../policy/index.js';

export function denyReason(ev: EvaluationResult): string {
  if (ev.decision === 'explicitDeny') {
    const s = ev.statements.find((x) => x.applies && x.effect === 'Deny');
    return `explicit Deny in Statement[${s?.index ?? '?'}]`;
  }
  const allows = ev.statements.filter((s) => s.effect === 'Allow');
  if (allows.length === 0) return 'no Allow statement in the trust policy';
  const parts: string[] = [];
  for (const s of allows) {
    if (!s.principalMatched) parts.push(`Statement[${s.index}]: principal does not match`);
    else if (!s.actionMatched) parts.push(`Statement[${s.index}]: action does not match`);
    else {
      const failed = s.conditions.find((c) => !c.result);
      if (failed !== undefined) {
        parts.push(
          `Statement[${s.index}]: ${failed.operator} ${failed.key} is false (${failed.contextValues === null ? 'key absent' : `context ${JSON.stringify(failed.contextValues)}`}, policy ${JSON.stringify(failed.policyValues)})`,
        );
      }
    }
  }
  return parts.length === 0 ? 'no Allow statement applies' : parts.join('; ');
}
