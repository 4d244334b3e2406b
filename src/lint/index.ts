/**
 * Lint for trust policies: places where AWS reads a policy differently from what its author likely meant, and
 * subjects that admit more pipelines than meant. A table of rules over the parsed policies of a loaded configuration;
 * pure. Findings come per statement: every condition through the condition rules in table order, then the statement
 * through the statement rules, then each trusted provider through the trusted-provider rules (of an Allow statement
 * for AssumeRoleWithWebIdentity).
 */
import type { GcpConfig } from '../config/index.js';
import type { SourcePositions } from '../config/json-file.js';
import type { LoadedConfig } from '../config/types.js';
import { statementCoversAction, statementsOf } from '../policy/index.js';
import { statementFacts } from './facts.js';
import type { Finding, FindingTarget, Report, Rule } from './rule.js';
import { assumeRoleActionForOidc, tagSessionMissing } from './rules/actions.js';
import { branchNamePrefixWildcard } from './rules/branch-prefix.js';
import { circleciSshRerun, circleciV1TokenSkipsV2Guard, circleciV2SubExcludesV1 } from './rules/circleci-token.js';
import { conditionKeyOfOtherProvider, conditionKeyPrefixNotProvider, unsupportedConditionKey } from './rules/condition-keys.js';
import {
  githubCustomSubjectUnpinned,
  githubJobWorkflowRefNotSha,
  githubPullRequestSubject,
  githubSubAnyContext,
  githubSubNameBased,
} from './rules/github-subject.js';
import { gcpCircleciOrgWide, gcpSharedIssuerOpen } from './rules/gcp-tenant-open.js';
import { gcpBindingWholePool } from './rules/gcp-whole-pool.js';
import { githubWithoutSub } from './rules/github-sub.js';
import {
  gitlabProjectPathSpansSubgroups,
  gitlabRefTypeWildcard,
  gitlabRefWildcard,
  gitlabSubjectPathOnly,
} from './rules/gitlab-subject.js';
import { conditionPassesWhenKeyAbsent } from './rules/key-absent.js';
import { malformedArnValue } from './rules/malformed-arn-value.js';
import { multivaluedKeyWithoutSetOperator } from './rules/multivalued-key-without-set-operator.js';
import { audiencePinnedByClientIdList, noAudienceCondition } from './rules/no-audience.js';
import { forAllValuesWithAllow, setQualifierOnSingleValuedKey } from './rules/set-qualifiers.js';
import { stringLikeWithoutWildcard, wildcardInStringEquals } from './rules/string-operators.js';
import { subjectOpenToAnyone, subjectOpenToOrganisation } from './rules/subject-open.js';
import { subWildcardSpansBranch } from './rules/sub-wildcard-spans-branch.js';
import { terraformOrganizationWide, terraformRunPhaseWildcard, terraformWorkspaceWildcard } from './rules/terraform-subject.js';
import { bitbucketWorkspaceWide, eksServiceAccountWildcard } from './rules/workspace-subjects.js';
import { INFISICAL_RULES } from './rules/infisical.js';
import { vaultGlobLiteralMetacharacter, vaultStringModeType, vaultStringModeWildcard, vaultSubjectOpen } from './rules/vault-roles.js';

export { PROVIDER_NAMES, TARGET_NAMES, type Finding, type FindingTarget, type Rule, type RuleProvider, type Severity } from './rule.js';
export { sarifLog } from './sarif.js';
export { githubAnnotations } from './annotations.js';

/** Every rule, in the order its findings are listed. */
export const RULES: readonly Rule[] = [
  // conditions
  unsupportedConditionKey,
  conditionKeyOfOtherProvider,
  conditionKeyPrefixNotProvider,
  wildcardInStringEquals,
  stringLikeWithoutWildcard,
  setQualifierOnSingleValuedKey,
  multivaluedKeyWithoutSetOperator,
  forAllValuesWithAllow,
  malformedArnValue,
  conditionPassesWhenKeyAbsent,
  // statements
  assumeRoleActionForOidc,
  tagSessionMissing,
  // trusted providers: audience, then who the subject admits
  noAudienceCondition,
  audiencePinnedByClientIdList,
  githubWithoutSub,
  subjectOpenToAnyone,
  subjectOpenToOrganisation,
  subWildcardSpansBranch,
  circleciV1TokenSkipsV2Guard,
  circleciV2SubExcludesV1,
  circleciSshRerun,
  githubSubAnyContext,
  githubPullRequestSubject,
  githubCustomSubjectUnpinned,
  branchNamePrefixWildcard,
  githubSubNameBased,
  githubJobWorkflowRefNotSha,
  gitlabProjectPathSpansSubgroups,
  gitlabRefTypeWildcard,
  gitlabRefWildcard,
  gitlabSubjectPathOnly,
  terraformOrganizationWide,
  terraformWorkspaceWildcard,
  terraformRunPhaseWildcard,
  bitbucketWorkspaceWide,
  eksServiceAccountWildcard,
  // Infisical identities (infisical/identities/)
  ...INFISICAL_RULES,
  // Vault JWT auth roles (vault/<mount>/roles/)
  vaultGlobLiteralMetacharacter,
  vaultStringModeWildcard,
  vaultStringModeType,
  vaultSubjectOpen,
  // Google Cloud: each provider of gcp/pools/, then each service account of gcp/service-accounts/
  gcpSharedIssuerOpen,
  gcpCircleciOrgWide,
  gcpBindingWholePool,
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
    const statements = statementsOf(role.trustPolicy);
    for (const statement of statements) {
      const s = statementFacts(role, config.providers, statement, statements);
      const add = (rule: Rule, reports: readonly Report[]): void =>
        addFindings(findings, rule, reports, { file: role.file, name: role.roleName, positions: role.positions });
      for (const c of statement.conditions) {
        for (const rule of RULES) if (rule.on === 'condition') add(rule, rule.check(s, c));
      }
      for (const rule of RULES) if (rule.on === 'statement') add(rule, rule.check(s));
      if (!s.allow || !statementCoversAction(statement, 'sts:AssumeRoleWithWebIdentity')) continue;
      for (const name of s.trusted) {
        for (const rule of RULES) if (rule.on === 'trusted-provider') add(rule, rule.check(s, name));
      }
    }
  }
  for (const identity of config.infisical?.identities ?? []) {
    for (const rule of RULES)
      if (rule.on === 'infisical-identity')
        addFindings(findings, rule, rule.check(identity), { file: identity.file, name: identity.identityId });
  }
  for (const mount of config.vault?.mounts ?? []) {
    for (const role of mount.roles.values()) {
      const subject = { file: role.file, name: `auth/${mount.path}/role/${role.name}`, target: 'vault-role' } as const;
      for (const rule of RULES) if (rule.on === 'vault-role') addFindings(findings, rule, rule.check(mount, role), subject);
    }
  }
  if (config.gcp !== undefined) findings.push(...lintGcp(config.gcp));
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

/** The findings for Google Cloud's providers, then its service accounts, with paths into their files. */
function lintGcp(gcp: GcpConfig): Finding[] {
  const findings: Finding[] = [];
  for (const p of gcp.providers) {
    const subject = {
      file: p.file,
      name: `${p.poolId}/${p.providerId}`,
      target: 'gcp-provider',
      at: p.at,
      positions: p.positions,
    } as const;
    for (const rule of RULES) if (rule.on === 'gcp-provider') addFindings(findings, rule, rule.check(p, gcp), subject);
  }
  for (const sa of gcp.serviceAccounts) {
    const subject = { file: sa.file, name: sa.email, target: 'gcp-service-account', at: sa.at, positions: sa.positions } as const;
    for (const rule of RULES) if (rule.on === 'gcp-service-account') addFindings(findings, rule, rule.check(sa, gcp), subject);
  }
  return findings;
}

/** What a rule's reports are about: its file, the name findings give it, its kind, and where its paths start. */
interface Subject {
  readonly file: string;
  /** The role, provider, service account, identity or Vault role (Finding's `role`). */
  readonly name: string;
  readonly target?: FindingTarget;
  /** The subject's place in its file (`[1]` for the second document of an array), prefixed to the reports' paths. */
  readonly at?: string;
  /** Where each path's value is written, when the loader recorded it. */
  readonly positions?: SourcePositions;
}

/** One finding per report of `rule` about `subject`. */
function addFindings(findings: Finding[], rule: Rule, reports: readonly Report[], subject: Subject): void {
  const at = subject.at ?? '';
  for (const r of reports) {
    const path = at === '' ? r.path : r.path === '' ? at : `${at}.${r.path}`;
    const region = subject.positions?.locate(path);
    findings.push({
      severity: rule.severity,
      rule: rule.id,
      file: subject.file,
      role: subject.name,
      ...(subject.target === undefined ? {} : { target: subject.target }),
      path,
      ...(region === undefined ? {} : { line: region.line, column: region.column }),
      message: r.message,
      fix: r.fix,
    });
  }
}

/** How many findings of each severity. */
export function countFindings(findings: readonly Finding[]): { errors: number; warnings: number; infos: number } {
  const n = (sev: Finding['severity']): number => findings.filter((f) => f.severity === sev).length;
  return { errors: n('error'), warnings: n('warning'), infos: n('info') };
}
