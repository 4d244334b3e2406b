/**
 * The trust-policy module's public API: a policy document parsed, validated as IAM does, and compiled
 * once at load (parse.ts), then evaluated per request with a trace (evaluate.ts). Pure and synchronous.
 */
import { evaluatePolicy } from './evaluate.js';
import type { AuthorizationRequest, EvaluationResult, TrustPolicy } from './types.js';

export { parsePolicy, PROBLEMS } from './parse.js';
export { CONDITION_REASONS, type ConditionReason, type ConditionResult } from './conditions.js';
export { formatEvaluation, type FormatOptions } from './explain.js';
export { parseOperatorName, type OperatorName } from './operators.js';
export { foldCase } from './values.js';
export { iamWildcardMatch } from './wildcard.js';
export {
  conditionHoldsFor,
  conditionWhenKeyAbsent,
  statementCoversAction,
  statementsOf,
  valuesMatching,
  type ConditionView,
  type StatementView,
} from './view.js';
export type { PrincipalSpec } from './principal.js';
export type {
  AuthorizationRequest,
  CallerPrincipal,
  ConditionTrace,
  Decision,
  EvaluationResult,
  ParseResult,
  PolicyKind,
  PolicyProblem,
  RequestContext,
  StatementTrace,
  TrustPolicy,
} from './types.js';

/** Pure, synchronous: no clock, no I/O. Explicit Deny wins; an Allow is required. */
export function evaluate(policy: TrustPolicy, request: AuthorizationRequest): EvaluationResult {
  return evaluatePolicy(policy, request);
}
export { compileWildcard, matchWildcard, STAR, type CompiledWildcard, type PatternUnit } from './wildcard.js';
export { cidrContains, parseCidr, type Cidr } from './ip.js';
