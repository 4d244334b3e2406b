/** The compiled form of a policy statement (private to policy/): everything evaluation needs, pre-parsed. */
import type { CompiledValue, OperatorName } from './operators.js';
import type { PrincipalSpec } from './principal.js';
import type { CompiledWildcard } from './wildcard.js';

export interface CompiledCondition {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: OperatorName;
  /** The key as written. */
  readonly key: string;
  /** The key lower-cased, as stored in the request context. */
  readonly lookup: string;
  readonly values: readonly CompiledValue[];
  /** The values as written (frozen): the trace's policy values when no variable was substituted. */
  readonly raws: readonly string[];
  /** Where it is written: `Statement[0].Condition.StringLike["<key>"]`, and each value's own path. */
  readonly path: string;
  readonly valuePaths: readonly string[];
}

export interface CompiledStatement {
  readonly index: number;
  /** Where it is written: `Statement[0]`, or `Statement` for a lone statement object. */
  readonly path: string;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** null for a session policy (no Principal element): it applies to the caller. */
  readonly principal: PrincipalSpec | null;
  /** Action patterns, lower-cased; `notAction` inverts. */
  readonly actions: readonly CompiledWildcard[];
  /** The Action (or NotAction) values as written. */
  readonly actionTexts: readonly string[];
  readonly notAction: boolean;
  /** Kept for display only: the emulated request has no resource. */
  readonly resources: readonly string[];
  readonly notResource: boolean;
  readonly conditions: readonly CompiledCondition[];
}
