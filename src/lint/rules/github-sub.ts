/** GitHub roles must evaluate sub or job_workflow_ref with StringEquals, StringLike or StringEqualsIgnoreCase: IAM refuses to create them otherwise. */
import { conditionBlockPath, conditionsOn, isGitHub, type StatementFacts } from '../facts.js';
import type { TrustedProviderRule } from '../rule.js';

/** Whether the statement evaluates the provider's sub or job_workflow_ref as IAM requires of GitHub roles. */
export function checksGitHubSubject(s: StatementFacts, name: string): boolean {
  return [...conditionsOn(s, name, 'sub'), ...conditionsOn(s, name, 'job_workflow_ref')].some(
    (c) => c.qualifier === undefined && /^String(Equals|Like|EqualsIgnoreCase)$/.test(c.baseOperator),
  );
}

export const githubWithoutSub: TrustedProviderRule = {
  id: 'github-without-sub',
  severity: 'error',
  providers: ['github'],
  summary:
    'a GitHub role that does not check `sub` or `job_workflow_ref` with StringEquals, StringLike or StringEqualsIgnoreCase (IAM refuses to create those)',
  on: 'trusted-provider',
  check(s, name) {
    if (!isGitHub(name) || checksGitHubSubject(s, name)) return [];
    return [
      {
        path: conditionBlockPath(s),
        message: `IAM refuses trust policies for ${name} that do not evaluate ${name}:sub or ${name}:job_workflow_ref with StringEquals, StringLike or StringEqualsIgnoreCase`,
        fix: `add "StringEquals": {"${name}:sub": "repo:<owner>/<repo>:ref:refs/heads/main"}`,
      },
    ];
  },
};
