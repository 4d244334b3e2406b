/**
 * CircleCI's two tokens and its SSH reruns (CircleCI "Using OpenID Connect tokens in jobs"; CircleCI support "Disable
 * re-run job with SSH"). A job holds both $CIRCLE_OIDC_TOKEN (V1: sub org/<org>/project/<project>/user/<user>) and
 * $CIRCLE_OIDC_TOKEN_V2 (the same, then /vcs-origin/<origin>/vcs-ref/<ref>): a pattern with V2-only parts shuts V1
 * out, and a guard written on V2-only parts (a StringNotLike in an Allow, a Deny) never sees a V1 token. An SSH
 * rerun's token differs only in `oidc.circleci.com/ssh-rerun`, a claim AWS does not provide.
 */
import {
  admits,
  at,
  circleCiOrg,
  conditionsOn,
  hasWildcard,
  q,
  restrictingValues,
  trustedProviders,
  type StatementFacts,
} from '../facts.js';
import type { Report, TrustedProviderRule } from '../rule.js';
import { circleV1Sub, OTHER } from '../subjects.js';

const V2_PART = /\/vcs-(origin|ref)\//;

/** The V1 subject of a job of the project the statement's patterns name (another project when none is named). */
function v1Token(s: StatementFacts, name: string, org: string): string {
  const project = restrictingValues(s, name, 'sub')
    .map((p) => /\/project\/([^*?/]+)\//.exec(p.value)?.[1])
    .find((x) => x !== undefined);
  return circleV1Sub(org, project ?? OTHER.uuid, OTHER.uuid2);
}

export const circleciV2SubExcludesV1: TrustedProviderRule = {
  id: 'circleci-v2-sub-excludes-v1',
  severity: 'info',
  providers: ['circleci'],
  summary: 'sub patterns with V2-only parts (`/vcs-origin/`, `/vcs-ref/`): a job that sends `$CIRCLE_OIDC_TOKEN` (V1) is denied',
  on: 'trusted-provider',
  check(s, name) {
    const org = circleCiOrg(name);
    if (org === undefined) return [];
    const v2 = restrictingValues(s, name, 'sub').find((p) => V2_PART.test(p.value));
    const token = v1Token(s, name, org);
    if (v2 === undefined || admits(s, name, 'sub', token)) return [];
    const project = /\/project\/([^*?/]+)\//.exec(v2.value)?.[1] ?? '<project-id>';
    return [
      {
        path: v2.path,
        message: `${q(v2.value)} needs the V2 token's vcs-origin and vcs-ref parts: a job that sends $CIRCLE_OIDC_TOKEN (V1, sub ${q(token)}) is denied`,
        fix: `send $CIRCLE_OIDC_TOKEN_V2 from the job; if any job of the project may assume the role, add "org/${org}/project/${project}/user/*"`,
      },
    ];
  },
};

/** A guard (a negated condition in this Allow, or a Deny statement) on sub that only a V2 token's parts can trip. */
function v2Guards(s: StatementFacts, name: string): { path: string; text: string; where: string }[] {
  const key = `${name}:sub`.toLowerCase();
  const inAllow = conditionsOn(s, name, 'sub')
    .filter((c) => c.negated && c.qualifier === undefined && c.values.some((v) => V2_PART.test(v)))
    .map((c) => ({
      path: at(s, c.path),
      text: `${c.operator} ${q(c.values.find((v) => V2_PART.test(v)) as string)}`,
      where: 'this guard',
    }));
  const inDeny = s.statements
    .filter((st) => st.effect === 'Deny' && trustedProviders(st).some((n) => n.toLowerCase() === name.toLowerCase()))
    .flatMap((st) =>
      st.conditions
        .filter(
          (c) =>
            c.key.toLowerCase() === key &&
            !c.negated &&
            /^String(Equals|Like)/.test(c.baseOperator) &&
            c.values.some((v) => V2_PART.test(v)),
        )
        .map((c) => ({
          path: at(s, c.path),
          text: `${c.operator} ${q(c.values.find((v) => V2_PART.test(v)) as string)}`,
          where: `the Deny of ${st.path}`,
        })),
    );
  return [...inAllow, ...inDeny];
}

export const circleciV1TokenSkipsV2Guard: TrustedProviderRule = {
  id: 'circleci-v1-token-skips-v2-guard',
  severity: 'warning',
  providers: ['circleci'],
  summary:
    "a guard on V2-only sub parts (a `StringNotLike` in an Allow, or a Deny) while the Allow also admits V1 subjects: the same job's `$CIRCLE_OIDC_TOKEN` passes it",
  on: 'trusted-provider',
  check(s, name): Report[] {
    const org = circleCiOrg(name);
    if (org === undefined || !s.allow) return [];
    const token = v1Token(s, name, org);
    if (!admits(s, name, 'sub', token)) return [];
    return v2Guards(s, name).map((g) => ({
      path: g.path,
      message: `${g.where} (${g.text}) only sees V2 tokens: the same job's $CIRCLE_OIDC_TOKEN (V1, sub ${q(token)}) has no vcs-origin or vcs-ref part to match, and this Allow admits it`,
      fix: `make the Allow's sub patterns V2-only (end them with /vcs-origin/<origin>/vcs-ref/<ref>), so that V1 tokens are denied before the guard`,
    }));
  },
};

export const circleciSshRerun: TrustedProviderRule = {
  id: 'circleci-ssh-rerun',
  severity: 'info',
  providers: ['circleci'],
  summary:
    'a branch-restricted CircleCI role: a job re-run with SSH passes like the original, and no condition can exclude it (AWS has no ssh-rerun key); CircleCI advises disabling SSH reruns',
  on: 'trusted-provider',
  check(s, name) {
    const org = circleCiOrg(name);
    if (org === undefined || !s.allow) return [];
    const branch = restrictingValues(s, name, 'sub').find((p) => {
      const ref = /\/vcs-ref\/(.+)$/.exec(p.value)?.[1];
      return ref !== undefined && !hasWildcard(ref);
    });
    if (branch === undefined) return [];
    const ref = /\/vcs-ref\/(.+)$/.exec(branch.value)?.[1] as string;
    return [
      {
        path: branch.path,
        message: `a job on ${ref} re-run with SSH gets this role too: its token differs only in oidc.circleci.com/ssh-rerun: true, which AWS does not provide as a key, so whoever may rerun with SSH gets a shell holding ${ref}'s credentials`,
        fix: `disable "Rerun job with SSH" for the project (CircleCI support: "Disable re-run job with SSH", feature flag disable-ssh); no trust policy condition can exclude SSH reruns`,
      },
    ];
  },
};
