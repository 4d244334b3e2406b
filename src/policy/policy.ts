/**
 * CONTRACT (the policy helper replaces the bodies; the exported names and shapes are fixed).
 * A policy document parsed, validated as IAM does, and compiled once at load.
 */
import type { AuthorizationRequest, Decision, PolicyProblem } from './types.js';

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

/** Validate and compile a policy document (an already JSON-parsed value). Never throws. */
export function parsePolicy(_doc: unknown, _kind: PolicyKind): ParseResult {
  throw new Error('not implemented yet (policy helper)');
}

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
export function evaluate(_policy: TrustPolicy, _request: AuthorizationRequest): EvaluationResult {
  throw new Error('not implemented yet (policy helper)');
}
