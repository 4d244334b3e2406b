/**
 * A branch or tag name followed by `*` (`ref:refs/heads/main*`, GitLab's `ref:main*`): a prefix, not a name, so a
 * branch named `main-hotfix` (which anyone with push access can create) matches too.
 */
import { admitted, filled, gitlabIssuer, isGitHub, q, restrictingValues, type PatternValue, type StatementFacts } from '../facts.js';
import type { Report, TrustedProviderRule } from '../rule.js';

/** A `*` directly after a letter or digit of a ref name, in GitHub's `refs/heads/` / `refs/tags/` or GitLab's `:ref:`. */
const GITHUB_PREFIX = /(refs\/(heads|tags)\/[^*?:]*[A-Za-z0-9])\*/;
const GITLAB_PREFIX = /(:ref_type:(branch|tag|[*?])[^:]*:ref:[^*?:]*[A-Za-z0-9])\*/;

function prefixReport(s: StatementFacts, name: string, claim: string, p: PatternValue, re: RegExp): Report[] {
  const m = re.exec(p.value);
  if (m === null) return [];
  const prefix = m[1] as string;
  const kind = m[2] === 'tags' || m[2] === 'tag' ? 'tag' : 'branch';
  const refName = /[^/:]+$/.exec(prefix)?.[0] ?? prefix;
  const candidate = filled(p.value.replace(`${prefix}*`, `${prefix}-hotfix`));
  const token = admitted(s, name, claim, p, [candidate])[0];
  if (token === undefined) return [];
  return [
    {
      path: p.path,
      message: `${q(p.value)} is a prefix: a ${kind} named '${refName}-hotfix' matches too (${claim} ${q(token)})`,
      fix: `name the ${kind}: "${p.value.replace(`${prefix}*`, prefix)}"`,
    },
  ];
}

export const branchNamePrefixWildcard: TrustedProviderRule = {
  id: 'branch-name-prefix-wildcard',
  severity: 'warning',
  providers: ['github', 'gitlab'],
  summary: 'a branch or tag name followed by `*` (`ref:refs/heads/main*`, `ref:main*`): `main-hotfix` matches too',
  on: 'trusted-provider',
  check(s, name) {
    if (isGitHub(name)) {
      return [
        ...restrictingValues(s, name, 'sub').flatMap((p) => prefixReport(s, name, 'sub', p, GITHUB_PREFIX)),
        ...restrictingValues(s, name, 'ref').flatMap((p) => prefixReport(s, name, 'ref', p, GITHUB_PREFIX)),
      ];
    }
    if (gitlabIssuer(s, name) === undefined) return [];
    return restrictingValues(s, name, 'sub').flatMap((p) => prefixReport(s, name, 'sub', p, GITLAB_PREFIX));
  },
};
