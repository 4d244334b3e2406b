/**
 * Evaluates one compiled condition (operator + key + values) against the request context.
 *
 * - Values of one key are OR'ed; a negated operator holds only if no context value matches any policy
 *   value (AND of negations).
 * - Absent key (or an empty set): IfExists -> true; ForAllValues -> true; ForAnyValue -> false;
 *   other negated operators -> true; other operators -> false. Null checks presence instead.
 * - ForAnyValue: some context value holds; ForAllValues: every context value holds. A single-valued key
 *   is a one-element set. A key whose values are all empty strings is a null data set for the qualifiers
 *   (IAM UG: ForAllValues "returns true if ... the key values resolve to a null data set, such as an empty
 *   string"; ForAnyValue returns false): ForAllValues -> true, ForAnyValue -> false.
 * - No qualifier on a multivalued key that is present: no match, for positive and negated operators alike
 *   (IAM UG: multivalued keys "require a condition set operator"; README "Behaviour choices").
 * - A policy value with an unresolved variable matches nothing.
 */
import type { CompiledCondition } from './compiled.js';
import type { BoundValue } from './operators.js';
import type { ConditionTrace, RequestContext } from './types.js';

/** Why a condition came out as it did; `as const` so the CLI and tests can assert on the keys. */
export const CONDITION_REASONS = {
  matched: 'a context value matched a policy value',
  noValueMatched: 'no context value matched any policy value',
  negatedNoneMatched: 'negated operator: no context value matched any policy value',
  negatedValueMatched: 'negated operator: a context value matched a policy value',
  keyAbsent: 'the key is absent from the request, so the condition is false',
  keyAbsentNegated: 'the key is absent and the operator is negated, so the condition is true',
  keyAbsentIfExists: 'the key is absent and the operator ends in IfExists, so the condition is true',
  forAnyValueMatched: 'ForAnyValue: at least one context value holds',
  forAnyValueNoneMatched: 'ForAnyValue: no context value holds',
  forAnyValueEmptySet: 'ForAnyValue: the key is absent or an empty set, so the condition is false',
  forAllValuesMatched: 'ForAllValues: every context value holds',
  forAllValuesValueUnmatched: 'ForAllValues: some context value does not hold',
  forAllValuesEmptySet: 'ForAllValues: the key is absent or an empty set, so the condition is true',
  forAnyValueNullDataSet: 'ForAnyValue: the key is an empty string, a null data set, so the condition is false',
  forAllValuesNullDataSet: 'ForAllValues: the key is an empty string, a null data set, so the condition is true',
  multivaluedWithoutQualifier:
    'the key is multivalued and the operator has no ForAnyValue: or ForAllValues: qualifier, so nothing matches and the condition is false',
  nullKeyAbsent: 'Null: the key is absent',
  nullKeyPresent: 'Null: the key is present',
} as const;

export type ConditionReason = keyof typeof CONDITION_REASONS;

/** ConditionTrace with the reason narrowed to the table and the unresolved policy values listed. */
export interface ConditionResult extends ConditionTrace {
  readonly reason: ConditionReason;
  /** Policy values (as written) whose variables did not resolve: they match nothing. */
  readonly unresolved: readonly string[];
}

const NONE: readonly string[] = Object.freeze([]);

export function evaluateCondition(c: CompiledCondition, ctx: RequestContext): ConditionResult {
  const { def, qualifier, ifExists } = c.operator;
  const entry = ctx.values.get(c.lookup);
  // The trace shares what a request does not change: the context's own (read-only) array, the values as written
  // when no variable was substituted, one empty list of unresolved values.
  const contextValues = entry ?? null;
  const bound = c.values.map((v) => v.bind(ctx));
  let policyValues = c.raws;
  let unresolved = NONE;
  if (bound.some((b, i) => b === null || b.text !== c.raws[i])) {
    policyValues = c.values.map((v, i) => bound[i]?.text ?? v.raw);
    unresolved = c.values.filter((_, i) => bound[i] === null).map((v) => v.raw);
  }
  const done = (result: boolean, reason: ConditionReason): ConditionResult => ({
    operator: c.operator.text,
    key: c.key,
    contextValues,
    policyValues,
    result,
    reason,
    unresolved,
  });

  const absent = entry === undefined || entry.length === 0;
  if (def.name === 'Null') {
    const wanted = absent ? 'true' : 'false';
    return done(
      policyValues.some((v) => v.toLowerCase() === wanted),
      absent ? 'nullKeyAbsent' : 'nullKeyPresent',
    );
  }
  if (absent) {
    if (ifExists) return done(true, 'keyAbsentIfExists');
    if (qualifier === 'ForAllValues') return done(true, 'forAllValuesEmptySet');
    if (qualifier === 'ForAnyValue') return done(false, 'forAnyValueEmptySet');
    return def.negated ? done(true, 'keyAbsentNegated') : done(false, 'keyAbsent');
  }

  if (qualifier !== null && entry.every((v) => v === '')) {
    return qualifier === 'ForAllValues' ? done(true, 'forAllValuesNullDataSet') : done(false, 'forAnyValueNullDataSet');
  }
  if (qualifier === null && ctx.multiValued.has(c.lookup)) return done(false, 'multivaluedWithoutQualifier');

  const live = bound.filter((b): b is BoundValue => b !== null);
  const matchesAny = (v: string): boolean => live.some((b) => b.matches(v));
  const holds = (v: string): boolean => matchesAny(v) !== def.negated;
  const values = entry;
  if (qualifier === 'ForAnyValue') {
    return values.some(holds) ? done(true, 'forAnyValueMatched') : done(false, 'forAnyValueNoneMatched');
  }
  if (qualifier === 'ForAllValues') {
    return values.every(holds) ? done(true, 'forAllValuesMatched') : done(false, 'forAllValuesValueUnmatched');
  }
  const any = values.some(matchesAny); // a single value: multivalued keys were answered above
  if (def.negated) return any ? done(false, 'negatedValueMatched') : done(true, 'negatedNoneMatched');
  return any ? done(true, 'matched') : done(false, 'noValueMatched');
}
