/** ForAnyValue: / ForAllValues: where they mislead: on a single-valued key, and ForAllValues in an Allow (true when the key is absent). */
import { at, isMultivaluedKey, unsupportedKey } from '../facts.js';
import type { ConditionRule } from '../rule.js';

export const setQualifierOnSingleValuedKey: ConditionRule = {
  id: 'set-qualifier-on-single-valued-key',
  severity: 'warning',
  providers: ['any'],
  summary: '`ForAnyValue:` / `ForAllValues:` on a single-valued key (`sub`, `aud`, ...)',
  on: 'condition',
  check(s, c) {
    if (c.qualifier === undefined) return [];
    // A key AWS never provides is reported as such; its qualifier is beside the point.
    if (isMultivaluedKey(s, c.key) || unsupportedKey(s, c) !== undefined) return [];
    return [{ path: at(s, c.path), message: `${c.qualifier} on '${c.key}', a single-valued key`, fix: `drop the ${c.qualifier}: prefix` }];
  },
};

export const forAllValuesWithAllow: ConditionRule = {
  id: 'for-all-values-with-allow',
  severity: 'warning',
  providers: ['any'],
  summary: '`ForAllValues:` in an Allow: true when the key is absent or empty',
  on: 'condition',
  check(s, c) {
    if (c.qualifier !== 'ForAllValues' || !s.allow) return [];
    return [
      {
        path: at(s, c.path),
        message: `ForAllValues is true when '${c.key}' is absent or empty, so this Allow also admits requests without it`,
        fix: `add "Null": {"${c.key}": "false"} to the same statement, or use ForAnyValue`,
      },
    ];
  },
};
