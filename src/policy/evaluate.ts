/**
 * Evaluates a compiled policy against one request: pure and synchronous. A statement applies when its
 * principal, action and every condition match. Any applicable Deny -> explicitDeny; else any applicable
 * Allow -> allow; else implicitDeny. Every statement and every condition is traced (no short-circuit).
 */
import type { CompiledStatement } from './compiled.js';
import { evaluateCondition } from './conditions.js';
import type { AuthorizationRequest, Decision, EvaluationResult, StatementTrace, TrustPolicy } from './types.js';
import { principalMatches } from './principal.js';
import { matchWildcard } from './wildcard.js';

/** Whether the statement's Action covers `action` (or its NotAction does not). */
export function actionMatches(s: CompiledStatement, action: string): boolean {
  const lower = action.toLowerCase();
  const listed = s.actions.some((p) => matchWildcard(p, lower));
  return s.notAction ? !listed : listed;
}

function evaluateStatement(s: CompiledStatement, request: AuthorizationRequest): StatementTrace {
  const principalMatched = s.principal === null || principalMatches(s.principal, request.principal);
  const actionMatched = actionMatches(s, request.action);
  const conditions = s.conditions.map((c) => evaluateCondition(c, request.context));
  return {
    index: s.index,
    sid: s.sid,
    effect: s.effect,
    principalMatched,
    actionMatched,
    conditions,
    applies: principalMatched && actionMatched && conditions.every((c) => c.result),
  };
}

export function evaluatePolicy(policy: TrustPolicy, request: AuthorizationRequest): EvaluationResult {
  const statements = (policy.statements as readonly CompiledStatement[]).map((s) => evaluateStatement(s, request));
  const applying = statements.filter((s) => s.applies);
  const decision: Decision = applying.some((s) => s.effect === 'Deny')
    ? 'explicitDeny'
    : applying.some((s) => s.effect === 'Allow')
      ? 'allow'
      : 'implicitDeny';
  return { decision, statements };
}
