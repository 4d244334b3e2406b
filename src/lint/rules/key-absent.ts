/**
 * Conditions on a provider's key that hold when the key is absent: `...IfExists` on a positive operator, and `Null`
 * with "true". In an Allow they admit a token that lacks the claim, and compare no value.
 */
import { at, providerOfKey, q, unsupportedKey } from '../facts.js';
import type { ConditionRule } from '../rule.js';

export const conditionPassesWhenKeyAbsent: ConditionRule = {
  id: 'condition-passes-when-key-absent',
  severity: 'warning',
  providers: ['any'],
  summary: '`...IfExists` or `Null: "true"` on a provider\'s key in an Allow: a token without that claim passes',
  on: 'condition',
  check(s, c) {
    if (!s.allow) return [];
    const provider = providerOfKey(s, c.key);
    // A key AWS never provides is unsupported-condition-key's finding; AWS refuses a token without aud before the policy.
    if (provider === undefined || unsupportedKey(s, c) !== undefined) return [];
    const claim = c.key.slice(provider.length + 1);
    if (claim.toLowerCase() === 'aud') return [];
    if (c.baseOperator === 'Null') {
      if (!c.values.some((v) => v.toLowerCase() === 'true')) return [];
      return [
        {
          path: at(s, c.path),
          message: `Null "true" holds only when '${claim}' is absent: a token without a ${claim} claim passes, and no ${claim} value is ever compared`,
          fix: `compare the value: StringEquals ${q(c.key)}: "<value>" (Null "false" only requires the claim to be present)`,
        },
      ];
    }
    if (!c.ifExists || c.negated) return [];
    const plain = c.operator.replace(/IfExists$/, '');
    return [
      {
        path: at(s, c.path),
        message: `${c.operator} is true when '${claim}' is absent: a token without a ${claim} claim passes this condition (values ${c.values.map(q).join(', ')} are compared only when it is present)`,
        fix: `use ${plain}, which is false when the claim is absent`,
      },
    ];
  },
};
