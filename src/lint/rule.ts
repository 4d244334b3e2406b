/** What a lint rule is: an id, a severity, and a check over one statement's facts that reports where, what and how to fix. */
import type { ConditionView } from '../policy/index.js';
import type { StatementFacts } from './facts.js';

export type Severity = 'error' | 'warning';

export interface Finding {
  readonly severity: Severity;
  readonly rule: string;
  readonly file: string;
  readonly role: string;
  /** Dotted JSON path in the role file. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

/** One finding as a rule reports it; the runner adds the rule's id and severity, the file and the role. */
export interface Report {
  /** Dotted JSON path in the role file (StatementFacts.at). */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

interface RuleBase {
  readonly id: string;
  readonly severity: Severity;
}

/** Checked on every condition of every statement. */
export interface ConditionRule extends RuleBase {
  readonly on: 'condition';
  check(s: StatementFacts, c: ConditionView): readonly Report[];
}

/** Checked once for each OIDC provider that an Allow statement for AssumeRoleWithWebIdentity trusts. */
export interface TrustedProviderRule extends RuleBase {
  readonly on: 'trusted-provider';
  check(s: StatementFacts, provider: string): readonly Report[];
}

export type Rule = ConditionRule | TrustedProviderRule;
