/**
 * Types shared by the trust-policy evaluator and its callers. The evaluator is pure and synchronous:
 * no fs, no clock, no jose. Everything it needs is in the AuthorizationRequest.
 */

/**
 * The request context: condition key -> values. Keys are stored lower-cased (IAM key names are
 * case-insensitive); values keep their case. A key that is absent is simply not in the map.
 * A single-valued key has exactly one value; a key listed in `multiValued` is a set (may be empty).
 */
export interface RequestContext {
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly multiValued: ReadonlySet<string>;
}

/** Who is calling, as the Principal element sees it. */
export interface CallerPrincipal {
  /** For AssumeRoleWithWebIdentity: the IAM OIDC provider ARN (arn:aws:iam::<acct>:oidc-provider/<host/path>). */
  readonly federated?: string;
  /** For AssumeRole (role chaining): the role ARN and the assumed-role session ARN, and the account root ARN. */
  readonly aws?: readonly string[];
}

export interface AuthorizationRequest {
  readonly principal: CallerPrincipal;
  /** e.g. 'sts:AssumeRoleWithWebIdentity' */
  readonly action: string;
  readonly context: RequestContext;
}

export type Decision = 'allow' | 'explicitDeny' | 'implicitDeny';

/** A problem found while parsing/validating a policy document, with a dotted JSON path (Statement[0].Principal.Federated). */
export interface PolicyProblem {
  readonly path: string;
  readonly message: string;
}

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
  { readonly ok: true; readonly policy: TrustPolicy } | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

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
