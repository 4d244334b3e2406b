/** String operators that say one thing and do another: wildcards under StringEquals, StringLike without one. */
import { at, hasWildcard } from '../facts.js';
import type { ConditionRule } from '../rule.js';

export const wildcardInStringEquals: ConditionRule = {
  id: 'wildcard-in-string-equals',
  severity: 'warning',
  providers: ['any'],
  summary: '`*` or `?` inside `StringEquals` (or `StringNotEquals`): matched literally, so the pattern matches only itself',
  on: 'condition',
  check(s, c) {
    if (!/^String(Not)?Equals(IgnoreCase)?$/.test(c.baseOperator) || !c.values.some(hasWildcard)) return [];
    const like = c.baseOperator.includes('Not') ? 'StringNotLike' : 'StringLike';
    return [
      {
        path: at(s, c.path),
        message: `${c.operator} compares literally: '*' and '?' here match only themselves`,
        fix: `use ${like} for a pattern, or remove the wildcard`,
      },
    ];
  },
};

export const stringLikeWithoutWildcard: ConditionRule = {
  id: 'string-like-without-wildcard',
  severity: 'info',
  providers: ['any'],
  summary: '`StringLike` without a wildcard: an exact comparison, clearer as `StringEquals`',
  on: 'condition',
  check(s, c) {
    if (!/^String(Not)?Like$/.test(c.baseOperator) || c.values.some(hasWildcard)) return [];
    const equals = c.baseOperator.includes('Not') ? 'StringNotEquals' : 'StringEquals';
    return [{ path: at(s, c.path), message: `${c.operator} without a wildcard is an exact comparison`, fix: `use ${equals} to say so` }];
  },
};
