/** ForAnyValue: / ForAllValues: where they mislead: on a single-valued key, and ForAllValues in an Allow (true when the key is absent). */
import { MULTIVALUED_CLAIMS } from '../../identity/provider-kinds.js';
import { at, providerOfKey, unsupportedKey } from '../facts.js';
import type { ConditionRule } from '../rule.js';

/** Global condition keys that are sets, lower-cased. */
const MULTIVALUED_GLOBAL = new Set(['aws:tagkeys', 'sts:transitivetagkeys', 'aws:principalorgpaths', 'aws:calledvia']);

export const setQualifierOnSingleValuedKey: ConditionRule = {
  id: 'set-qualifier-on-single-valued-key',
  severity: 'warning',
  providers: ['any'],
  summary: '`ForAnyValue:` / `ForAllValues:` on a single-valued key (`sub`, `aud`, ...)',
  on: 'condition',
  check(s, c) {
    if (c.qualifier === undefined) return [];
    const provider = providerOfKey(s, c.key);
    const claim = provider === undefined ? undefined : c.key.slice(provider.length + 1);
    const multi = MULTIVALUED_GLOBAL.has(c.key.toLowerCase()) || (claim !== undefined && MULTIVALUED_CLAIMS.has(claim));
    // A key AWS never provides is reported as such; its qualifier is beside the point.
    if (multi || unsupportedKey(s, c) !== undefined) return [];
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
