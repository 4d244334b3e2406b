/**
 * The trust-policy module's public API: a policy document parsed, validated as IAM does, and compiled
 * once at load (parse.ts), then evaluated per request with a trace (evaluate.ts). Pure and synchronous.
 */
import { evaluatePolicy } from './evaluate.js';
import type { AuthorizationRequest, Decision, PolicyProblem } from './types.js';

export { parsePolicy, PROBLEMS } from './parse.js';
export { CONDITION_REASONS, type ConditionReason, type ConditionResult } from './conditions.js';
export { formatEvaluation, type FormatOptions } from './explain.js';
export { conditionWhenKeyAbsent, statementCoversAction, statementsOf, type ConditionView, type StatementView } from './view.js';
export type { PrincipalSpec } from './principal.js';

export type PolicyKind = 'trust' | 'session';

/** A compiled policy. Statements are compiled (wildcards, variables, operators) once. */
export interface TrustPolicy {
  readonly kind: PolicyKind;
  readonly version: '2012-10-17' | '2008-10-17';
  /** The document as minified JSON (for PackedPolicySize and messages). */
  readonly json: string;
  /** Compiled statements; the shape is private to policy/. */
  readonly statements: readonly unknown[];
}

export type ParseResult =
  | { readonly ok: true; readonly policy: TrustPolicy }
  | { readonly ok: false; readonly problems: readonly PolicyProblem[] };


export interface ConditionTrace {
  readonly operator: string;
  readonly key: string;
  /** The context values, or null when the key was absent. */
  readonly contextValues: readonly string[] | null;
  /** Policy values after variable substitution. */
  readonly policyValues: readonly string[];
  readonly result: boolean;
  readonly reason: string;
}

export interface StatementTrace {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  readonly principalMatched: boolean;
  readonly actionMatched: boolean;
  readonly conditions: readonly ConditionTrace[];
  /** principal && action && every condition */
  readonly applies: boolean;
}

export interface EvaluationResult {
  readonly decision: Decision;
  readonly statements: readonly StatementTrace[];
}

/** Pure, synchronous: no clock, no I/O. Explicit Deny wins; an Allow is required. */
export function evaluate(policy: TrustPolicy, request: AuthorizationRequest): EvaluationResult {
  return evaluatePolicy(policy, request);
}
