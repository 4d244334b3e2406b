/**
 * A '*' before a later part of CircleCI's V2 sub: IAM's '*' spans '/' and a branch name may contain '/', so a
 * pipeline on a crafted branch can repeat that part and match (README "`*` crosses `/`"). Not reported when a
 * StringNotLike guard on the same key bars a repeated part.
 */
import { ANY_UUID, forgeableCircleSub } from '../circleci-sub.js';
import { at, circleCiOrg, conditionsOn, restricts } from '../facts.js';
import type { Report, TrustedProviderRule } from '../rule.js';

const guard = (marker: string): string => `*${marker}*${marker}*`;

export const subWildcardSpansBranch: TrustedProviderRule = {
  id: 'sub-wildcard-spans-branch',
  severity: 'warning',
  providers: ['circleci'],
  summary:
    'a `*` before a later part of a CircleCI V2 `sub` pattern, which a branch name can repeat (it names the branch, and whether any project of the organisation can use it; fix: `?` for the ids, or a `StringNotLike` guard)',
  on: 'trusted-provider',
  check(s, name) {
    const org = circleCiOrg(name);
    if (org === undefined) return [];
    const reports: Report[] = [];
    for (const c of conditionsOn(s, name, 'sub').filter(restricts)) {
      if (c.baseOperator !== 'StringLike') continue;
      for (const v of c.values) {
        const forged = forgeableCircleSub(v);
        if (forged === undefined) continue;
        const guarded = s.statement.conditions.some(
          (g) =>
            g.key.toLowerCase() === c.key.toLowerCase() &&
            g.baseOperator === 'StringNotLike' &&
            g.qualifier === undefined &&
            g.values.some((x) => forged.markers.some((m) => x === guard(m))),
        );
        if (guarded) continue;
        const fixed = v.replace(/\/project\/\*\//, `/project/${ANY_UUID}/`).replace(/\/user\/\*\//, `/user/${ANY_UUID}/`);
        const marker = forged.markers.includes('/vcs-ref/') ? '/vcs-ref/' : (forged.markers.at(-1) as string);
        reports.push({
          path: at(s, c.path),
          message: `IAM's '*' spans '/' and a branch name may contain '/': a pipeline of ${forged.projectOpen ? `any project of CircleCI organisation ${org}` : 'this project'} on a branch named '${forged.branch}' matches '${v}'`,
          fix:
            forgeableCircleSub(fixed) === undefined
              ? `match the ids with '?' so that no '*' comes before the branch: StringLike "${c.key}": "${fixed}"`
              : `add "StringNotLike": {"${c.key}": "${guard(marker)}"} to this statement (a real sub has each part once)`,
        });
      }
    }
    return reports;
  },
};
