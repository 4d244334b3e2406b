/**
 * A read-only view of a parsed policy's statements as written, for tools that read policies rather than
 * evaluate them (lint): where each statement and condition is written, its operator's parts, and what IAM
 * makes of a condition whose key is absent, answered by the evaluator itself.
 */
import type { CompiledCondition, CompiledStatement } from './compiled.js';
import { evaluateCondition } from './conditions.js';
import { actionMatches } from './evaluate.js';
import type { Qualifier } from './operators.js';
import type { RequestContext, TrustPolicy } from './types.js';
import type { PrincipalSpec } from './principal.js';

export interface ConditionView {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  readonly qualifier: Qualifier | undefined;
  /** The operator without its qualifier and IfExists, e.g. `StringNotLike`. */
  readonly baseOperator: string;
  readonly ifExists: boolean;
  /** Whether the base operator is a negated one (StringNotLike, NotIpAddress, ...). */
  readonly negated: boolean;
  /** The key as written. */
  readonly key: string;
  /** The values as written (numbers and booleans as their text). */
  readonly values: readonly string[];
  /** JSON paths in the policy document: `Statement[0].Condition.StringLike["<key>"]`, and each value's. */
  readonly path: string;
  readonly valuePaths: readonly string[];
  /** Per value: why it can never match as written though IAM accepts it (an ARN without its six parts), else undefined. */
  readonly valueDefects: readonly (string | undefined)[];
}

export interface StatementView {
  readonly index: number;
  /** `Statement[0]`, or `Statement` for a lone statement object. */
  readonly path: string;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** null for a session policy. */
  readonly principal: PrincipalSpec | null;
  /** The Action (or NotAction, see `notAction`) values as written. */
  readonly actions: readonly string[];
  readonly notAction: boolean;
  readonly conditions: readonly ConditionView[];
}

const views = new WeakMap<TrustPolicy, readonly StatementView[]>();
const compiledStatements = new WeakMap<StatementView, CompiledStatement>();
const compiledConditions = new WeakMap<ConditionView, CompiledCondition>();

function conditionView(c: CompiledCondition): ConditionView {
  const view: ConditionView = Object.freeze({
    operator: c.operator.text,
    qualifier: c.operator.qualifier ?? undefined,
    baseOperator: c.operator.def.name,
    ifExists: c.operator.ifExists,
    negated: c.operator.def.negated,
    key: c.key,
    values: c.raws,
    path: c.path,
    valuePaths: c.valuePaths,
    valueDefects: Object.freeze(c.values.map((v) => v.defect)),
  });
  compiledConditions.set(view, c);
  return view;
}

/** The statements of a parsed policy, in order. */
export function statementsOf(policy: TrustPolicy): readonly StatementView[] {
  let list = views.get(policy);
  if (list === undefined) {
    list = Object.freeze(
      (policy.statements as readonly CompiledStatement[]).map((s) => {
        const view: StatementView = Object.freeze({
          index: s.index,
          path: s.path,
          sid: s.sid,
          effect: s.effect,
          principal: s.principal,
          actions: s.actionTexts,
          notAction: s.notAction,
          conditions: Object.freeze(s.conditions.map(conditionView)),
        });
        compiledStatements.set(view, s);
        return view;
      }),
    );
    views.set(policy, list);
  }
  return list;
}

const EMPTY_CONTEXT: RequestContext = { values: new Map(), multiValued: new Set() };

/** What the condition evaluates to when its key is absent from the request (the evaluator's answer). */
export function conditionWhenKeyAbsent(condition: ConditionView): boolean {
  const compiled = compiledConditions.get(condition);
  if (compiled === undefined) throw new TypeError('not a condition of statementsOf()');
  return evaluateCondition(compiled, EMPTY_CONTEXT).result;
}

/** Whether the statement's Action (or NotAction) covers `action`, as evaluation decides it. */
export function statementCoversAction(statement: StatementView, action: string): boolean {
  const compiled = compiledStatements.get(statement);
  if (compiled === undefined) throw new TypeError('not a statement of statementsOf()');
  return actionMatches(compiled, action);
}

function compiledOf(condition: ConditionView): CompiledCondition {
  const compiled = compiledConditions.get(condition);
  if (compiled === undefined) throw new TypeError('not a condition of statementsOf()');
  return compiled;
}

/** What the condition evaluates to when its key has these values and every other key is absent (the evaluator's answer). */
export function conditionHoldsFor(condition: ConditionView, values: readonly string[]): boolean {
  const compiled = compiledOf(condition);
  return evaluateCondition(compiled, { values: new Map([[compiled.lookup, values]]), multiValued: new Set() }).result;
}

/** For each policy value of the condition, whether its base operator matches this context value (no qualifier, no negation). */
export function valuesMatching(condition: ConditionView, contextValue: string): boolean[] {
  return compiledOf(condition).values.map((v) => v.bind(EMPTY_CONTEXT)?.matches(contextValue) === true);
}
