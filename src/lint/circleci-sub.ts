/**
 * CircleCI's V2 `sub` as a pattern: org/<org>/project/<project>/user/<user>/vcs-origin/<origin>/vcs-ref/<ref>.
 * Which patterns pin a project or a repository, and which a branch name can forge (IAM's `*` spans `/`).
 */
import type { ConditionView } from '../policy/index.js';

/** A CircleCI project or user id (a UUID), matched with '?' only. */
export const ANY_UUID = '????????-????-????-????-????????????';
const SUB_MARKERS = ['/project/', '/user/', '/vcs-origin/', '/vcs-ref/'] as const;

/** The V2 sub pattern that says what a statement's vcs-origin / vcs-ref conditions meant, with their values when single. */
export function circleSubFix(org: string, provider: string, conds: readonly ConditionView[]): string {
  const single = (claim: string): string | undefined => {
    const key = `${provider}:oidc.circleci.com/${claim}`.toLowerCase();
    const c = conds.find((x) => x.key.toLowerCase() === key && x.qualifier === undefined && /^String(Equals|Like)/.test(x.baseOperator));
    return c !== undefined && c.values.length === 1 ? c.values[0] : undefined;
  };
  const origin = single('vcs-origin');
  const ref = single('vcs-ref');
  // Fixed-width '?' for the UUIDs, not '*': a '*' before the branch lets a branch name forge the rest.
  return `org/${org}/project/${origin === undefined ? '<project-id>' : ANY_UUID}/user/${ANY_UUID}/vcs-origin/${origin ?? '<vcs-origin>'}/vcs-ref/${ref ?? '<ref>'}`;
}

/**
 * How a branch name can satisfy a V2 sub pattern meant for another branch, or undefined. The ref is the last part
 * of the sub and a branch name may contain '/', so after a '*' (IAM's spans '/') the branch can repeat every later
 * part of the pattern: sub = <the real prefix> ... /vcs-ref/refs/heads/x<the rest of the pattern>. Reported only
 * when the rest names a sub part (so it is a forgery, not a loose suffix) and the branch is a valid git ref name.
 */
export function forgeableCircleSub(pattern: string): { branch: string; markers: string[]; projectOpen: boolean } | undefined {
  const text = pattern.replace(/\$\{[*?$]\}/g, '_'); // ${*} ${?} ${$} are literal characters
  const star = text.indexOf('*');
  if (star === -1) return undefined;
  const rest = text.slice(star + 1);
  const markers = SUB_MARKERS.filter((m) => rest.includes(m));
  if (markers.length === 0) return undefined;
  const branch = `x${rest.replace(/[*?]/g, 'x')}`;
  if (!isGitBranchName(branch)) return undefined;
  return { branch, markers, projectOpen: !pinsCircleProject(text) };
}

/** git check-ref-format's rules for a branch name, as far as they can bar a forgery. */
function isGitBranchName(name: string): boolean {
  return /^[^\s~^:?*[\\\x00-\x1f\x7f]+$/.test(name) && !/\.\.|\/\/|@\{|\/\.|\.lock(\/|$)|\.$|\/$/.test(name);
}

/**
 * A CircleCI sub pattern that pins neither the project nor the vcs-origin to one repository. IAM's `*`
 * spans `/`, so only a wildcard-free run from the start pins a segment.
 */
export function isOpenCircleSub(v: string): boolean {
  const originPinned = /\/vcs-origin\/[^*?/]+\/[^*?/]+\/[^*?/]+\/vcs-ref\//.test(v);
  return !pinsCircleProject(v) && !originPinned;
}

/** Whether a CircleCI sub pattern names one organisation and one project before any wildcard. */
function pinsCircleProject(v: string): boolean {
  return /^org\/[^*?/]+\/project\/[^*?/]+\//.test(v + '/');
}
