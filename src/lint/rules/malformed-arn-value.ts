/**
 * An ARN operator value with fewer than the six parts of an ARN (`arn:::bucket-name`): IAM accepts the policy, the
 * value matches no ARN, so ArnLike never holds on it and ArnNotLike always does (Access Analyzer: MISSING_ARN_FIELD,
 * an error). A value without the `arn:` prefix never gets here: IAM refuses it, and so does the loader.
 */
import { at } from '../facts.js';
import type { ConditionRule, Report } from '../rule.js';

/** The value with all six parts: its own partition, service, region and account (empty ones as `*`), `*` for the missing ones. */
function sixParts(value: string): string {
  const parts = value.split(':');
  const resource = parts.length > 1 ? (parts.at(-1) as string) : '*';
  const middle = parts.slice(1, -1).map((p) => (p === '' ? '*' : p));
  while (middle.length < 4) middle.push('*');
  return ['arn', ...middle, resource].join(':');
}

export const malformedArnValue: ConditionRule = {
  id: 'malformed-arn-value',
  severity: 'error',
  providers: ['any'],
  summary:
    'an `Arn*` value with fewer than the six parts of an ARN (`arn:::bucket-name`): it matches no ARN, so `ArnNotLike` always holds; a value without `arn:` is refused when the policies load',
  on: 'condition',
  check(s, c) {
    const reports: Report[] = [];
    c.valueDefects.forEach((defect, i) => {
      const value = c.values[i];
      const path = c.valuePaths[i];
      if (defect === undefined || value === undefined || path === undefined) return;
      reports.push({
        path: at(s, path),
        message: `'${value}' ${defect}: it matches no ARN, so under ${c.operator} it ${c.negated ? 'excludes nothing' : 'admits nothing'}`,
        fix: `write all six parts: "${sixParts(value)}"`,
      });
    });
    return reports;
  },
};
