/**
 * A subject open to a whole organisation: for CircleCI, no restricting sub condition (or project-id) pins a
 * project or a repository; for GitHub, the sub pattern admits more than one repository and nothing pins one.
 */
import { isOpenCircleSub } from '../circleci-sub.js';
import { at, circleCiOrg, conditionBlockPath, conditionsOn, isGitHub, restricts, type StatementFacts } from '../facts.js';
import type { Report, TrustedProviderRule } from '../rule.js';
import { checksGitHubSubject } from './github-sub.js';

/** A GitHub sub pattern that admits more than one repository (repo:<owner>/*, repo:*, *). */
function isOpenGitHubSub(v: string): boolean {
  return !/^repo:[^*?/:]+\/[^*?/:]+(:|$)/.test(v);
}

/** Some restricting condition on one of the claims pins a single literal value. */
function pinned(s: StatementFacts, name: string, claims: readonly string[]): boolean {
  return claims.some((claim) => conditionsOn(s, name, claim).some((c) => restricts(c) && c.values.every((v) => !/[*?]/.test(v))));
}

export const subjectOpenToOrganisation: TrustedProviderRule = {
  id: 'subject-open-to-organisation',
  severity: 'warning',
  on: 'trusted-provider',
  check(s, name): Report[] {
    const subs = conditionsOn(s, name, 'sub').filter(restricts);
    const path = subs[0] === undefined ? conditionBlockPath(s) : at(s, subs[0].path);
    const org = circleCiOrg(name);
    if (org !== undefined) {
      const open = !subs.some((c) => c.values.every((v) => !isOpenCircleSub(v)));
      if (!open || pinned(s, name, ['oidc.circleci.com/project-id'])) return [];
      return [
        {
          path,
          message: `every project of CircleCI organisation ${org} can assume this role`,
          fix: `pin the project: StringLike "${name}:sub": "org/${org}/project/<project-id>/user/*", or StringEquals "${name}:oidc.circleci.com/project-id": "<project-id>"`,
        },
      ];
    }
    // A GitHub role that checks no subject at all is github-without-sub's finding.
    if (!isGitHub(name) || !checksGitHubSubject(s, name)) return [];
    const open = subs.length > 0 && !subs.some((c) => c.values.every((v) => !isOpenGitHubSub(v)));
    if (!open || pinned(s, name, ['repository', 'repository_id'])) return [];
    return [
      {
        path,
        message: `the sub pattern admits more than one repository (an owner's repositories, or every owner's)`,
        fix: `name the repository: "repo:<owner>/<repo>:ref:refs/heads/main"`,
      },
    ];
  },
};
