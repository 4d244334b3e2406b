/**
 * A multivalued key (`amr`, `aws:TagKeys`, ...) under an operator without ForAnyValue: or ForAllValues:. IAM says such
 * keys "require a condition set operator" (Access Analyzer: MISSING_QUALIFIER, an error); the emulator, like
 * cloud-copilot/iam-simulate, matches nothing when the key is present (README "Behaviour choices").
 */
import { conditionWhenKeyAbsent } from '../../policy/index.js';
import { at, isMultivaluedKey } from '../facts.js';
import type { ConditionRule } from '../rule.js';

export const multivaluedKeyWithoutSetOperator: ConditionRule = {
  id: 'multivalued-key-without-set-operator',
  severity: 'error',
  providers: ['any'],
  summary:
    '`amr`, `aws:TagKeys` ... under an operator without `ForAnyValue:`/`ForAllValues:`: it matches nothing when the key is present ([behaviour choices](docs/behaviour-choices.md#policy-evaluation))',
  on: 'condition',
  check(s, c) {
    if (c.qualifier !== undefined || c.baseOperator === 'Null' || !isMultivaluedKey(s, c.key)) return [];
    const consequence = conditionWhenKeyAbsent(c)
      ? s.allow
        ? `so the statement allows only requests without '${c.key}'`
        : `so the Deny applies only to requests without '${c.key}'`
      : s.allow
        ? 'so this condition is always false and the statement never allows'
        : 'so this condition is always false and the Deny never applies';
    // Positive: some value matches (ForAnyValue). Negated: no value matches any listed (ForAllValues).
    const qualifier = c.negated ? 'ForAllValues' : 'ForAnyValue';
    const values = c.values.length === 1 ? JSON.stringify(c.values[0]) : JSON.stringify(c.values);
    return [
      {
        path: at(s, c.path),
        message: `'${c.key}' is multivalued and ${c.operator} has no set operator: IAM matches nothing when the key is present, ${consequence}`,
        fix: `"${qualifier}:${c.operator}": {"${c.key}": ${values}}`,
      },
    ];
  },
};
