/**
 * Lint for trust policies: places where AWS reads a policy differently from what its author likely meant.
 * A table of rules over the parsed policies of a loaded configuration; pure. Findings come per statement:
 * every condition through the condition rules in table order, then each trusted provider through the
 * trusted-provider rules (of an Allow statement for AssumeRoleWithWebIdentity).
 */
import type { LoadedConfig } from '../config/types.js';
import { statementCoversAction, statementsOf } from '../policy/index.js';
import { statementFacts } from './facts.js';
import type { Finding, Rule } from './rule.js';
import { conditionKeyOfOtherProvider, unsupportedConditionKey } from './rules/condition-keys.js';
import { githubWithoutSub } from './rules/github-sub.js';
import { malformedArnValue } from './rules/malformed-arn-value.js';
import { multivaluedKeyWithoutSetOperator } from './rules/multivalued-key-without-set-operator.js';
import { noAudienceCondition } from './rules/no-audience.js';
import { forAllValuesWithAllow, setQualifierOnSingleValuedKey } from './rules/set-qualifiers.js';
import { stringLikeWithoutWildcard, wildcardInStringEquals } from './rules/string-operators.js';
import { subjectOpenToOrganisation } from './rules/subject-open.js';
import { subWildcardSpansBranch } from './rules/sub-wildcard-spans-branch.js';

export type { Finding, Severity } from './rule.js';

/** Every rule, in the order its findings are listed. */
export const RULES: readonly Rule[] = [
  unsupportedConditionKey,
  conditionKeyOfOtherProvider,
  wildcardInStringEquals,
  stringLikeWithoutWildcard,
  setQualifierOnSingleValuedKey,
  multivaluedKeyWithoutSetOperator,
  forAllValuesWithAllow,
  malformedArnValue,
  noAudienceCondition,
  subjectOpenToOrganisation,
  subWildcardSpansBranch,
  githubWithoutSub,
];

/** Reported for a role or provider of a template or plan that the loader skipped (a value known only when deployed). */
export const UNRESOLVED_RULE = 'unresolved-iac-value';

/**
 * The findings for every role of the configuration, with paths into the role files (or templates and plans) as
 * written; then one for each role or provider of a template or plan left out because a value is known only when deployed.
 */
export function lintConfig(config: LoadedConfig): Finding[] {
  const findings: Finding[] = [];
  for (const role of config.roles) {
    for (const statement of statementsOf(role.trustPolicy)) {
      const s = statementFacts(role, config.providers, statement);
      const add = (rule: Rule, reports: readonly { path: string; message: string; fix: string }[]): void => {
        for (const r of reports)
          findings.push({
            severity: rule.severity,
            rule: rule.id,
            file: role.file,
            role: role.roleName,
            path: r.path,
            message: r.message,
            fix: r.fix,
          });
      };
      for (const c of statement.conditions) {
        for (const rule of RULES) if (rule.on === 'condition') add(rule, rule.check(s, c));
      }
      if (!s.allow || !statementCoversAction(statement, 'sts:AssumeRoleWithWebIdentity')) continue;
      for (const name of s.trusted) {
        for (const rule of RULES) if (rule.on === 'trusted-provider') add(rule, rule.check(s, name));
      }
    }
  }
  for (const skipped of config.skipped) {
    findings.push({
      severity: 'warning',
      rule: UNRESOLVED_RULE,
      file: skipped.file,
      role: skipped.roleName ?? skipped.resource,
      path: skipped.path,
      message: `${skipped.message}; the ${skipped.kind} ${skipped.resource} is left out, so nothing is checked or served for it`,
      fix: 'make it known before deployment as the message says (a literal, a parameter default, --parameter Key=Value, a RoleName), or test the deployed role',
    });
  }
  return findings;
}
