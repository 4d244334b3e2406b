/**
 * Infisical OIDC auth identities read differently from what their author meant (shared/reference/infisical-vault.md
 * §1.4, §3.2): a dotted `boundClaims` key is a path, so a claim whose name has a dot (CircleCI's
 * `oidc.circleci.com/...`) is never found and every login fails; a trailing `*` stops at `/` under picomatch, so a
 * pattern meant as "anything after" admits one segment only; and an empty `boundSubject` with only the organisation's
 * audience pinned admits every project of the organisation. Each names a concrete token value and asks Infisical's own
 * matcher (infisical/) about it.
 */
import { jsonPathAt, type InfisicalIdentity } from '../../config/index.js';
import { organisationOf } from '../../identity/index.js';
import { globMatches } from '../../infisical/index.js';
import type { InfisicalIdentityRule, Report } from '../rule.js';
import { q } from '../facts.js';

const CIRCLECI_ISSUER = /^https:\/\/oidc\.circleci\.com\/org\/([^/]+)$/;

/** The CircleCI org of an identity's issuer, if it is CircleCI's. */
function circleOrg(identity: InfisicalIdentity): string | undefined {
  const m = CIRCLECI_ISSUER.exec(identity.boundIssuer);
  return m === null ? undefined : (organisationOf(identity.boundIssuer.slice('https://'.length)) ?? m[1]);
}

const at = (identity: InfisicalIdentity, field: string, key?: string): string => {
  const base = jsonPathAt(identity.path, field);
  return key === undefined ? base : jsonPathAt(base, key);
};

/** CircleCI's V2 sub with the value a dotted CircleCI claim pins, the rest left to the author. */
function circleSubFor(org: string, key: string, value: string): string | undefined {
  const claim = key.slice('oidc.circleci.com/'.length);
  const parts: Record<string, string> = { project: '<project-id>', origin: '<vcs-origin>', ref: '<ref>' };
  if (claim === 'project-id') parts['project'] = value;
  else if (claim === 'vcs-origin') parts['origin'] = value;
  else if (claim === 'vcs-ref') parts['ref'] = value;
  else return undefined;
  return `org/${org}/project/${parts['project'] ?? ''}/user/*/vcs-origin/${parts['origin'] ?? ''}/vcs-ref/${parts['ref'] ?? ''}`;
}

export const infisicalDottedClaimKey: InfisicalIdentityRule = {
  id: 'infisical-dotted-claim-key',
  severity: 'error',
  providers: ['any'],
  summary:
    "an Infisical `boundClaims` key with a dot (CircleCI's `oidc.circleci.com/project-id`): Infisical reads it as a nested path, so the claim is never found and every login fails",
  on: 'infisical-identity',
  check(identity) {
    const out: Report[] = [];
    for (const [key, value] of Object.entries(identity.boundClaims)) {
      if (!key.includes('.')) continue;
      const path = key.split('.');
      const org = circleOrg(identity);
      const sub = org !== undefined && key.startsWith('oidc.circleci.com/') ? circleSubFor(org, key, value) : undefined;
      out.push({
        path: at(identity, 'boundClaims', key),
        message: `Infisical looks '${key}' up as the path ${path.map((p) => q(p)).join(' → ')}: a token with the claim ${q(key)} is refused with 'Access denied: token has no ${key} field', every login fails`,
        fix:
          sub !== undefined
            ? `remove it and pin the value through the sub: "boundSubject": "${sub}"`
            : `remove it: a claim whose name has a dot cannot be bound in Infisical; pin the value through boundSubject (sub) if the issuer puts it there`,
      });
    }
    return out;
  },
};

/** A trailing `*` (or a `**` inside a segment, which picomatch reads as `*`): picomatch stops it at the next `/`. */
function trailingStar(pattern: string): boolean {
  if (!pattern.endsWith('*') || pattern.endsWith('\\*') || pattern.startsWith('!')) return false;
  if (!pattern.endsWith('**')) return true;
  const before = pattern.slice(0, -2);
  return before !== '' && !before.endsWith('/');
}

export const infisicalStarStopsAtSlash: InfisicalIdentityRule = {
  id: 'infisical-star-stops-at-slash',
  severity: 'warning',
  providers: ['any'],
  summary:
    'an Infisical pattern that ends in `*` (`refs/heads/*`, `org/<org>/project/*`): under picomatch `*` stops at `/`, so the values with more segments after it (`feature/x`, the rest of a CircleCI `sub`) are refused',
  on: 'infisical-identity',
  check(identity) {
    const out: Report[] = [];
    const patterns: { path: string; pattern: string }[] = [];
    if (identity.boundSubject !== '') patterns.push({ path: at(identity, 'boundSubject'), pattern: identity.boundSubject });
    for (const a of identity.audiences) patterns.push({ path: at(identity, 'boundAudiences'), pattern: a });
    for (const [key, list] of Object.entries(identity.claimPatterns))
      for (const p of list) patterns.push({ path: at(identity, 'boundClaims', key), pattern: p });
    for (const { path, pattern } of patterns) {
      if (!trailingStar(pattern)) continue;
      const example = `${pattern.slice(0, -1).replace(/[*?]/g, 'x')}x/y`;
      if (globMatches(example, pattern)) continue;
      out.push({
        path,
        message: `'${pattern}' ends in '*', which picomatch stops at '/': ${q(example)} is refused (Infisical is not IAM: its '*' never spans '/')`,
        fix: pattern.endsWith('/*')
          ? `write the whole value, or '${pattern.slice(0, -1)}**' to admit any number of segments after '${pattern.slice(0, -1)}'`
          : `write the whole value, or end the pattern with '/**' at a segment boundary`,
      });
    }
    return out;
  },
};

export const infisicalSubjectOpen: InfisicalIdentityRule = {
  id: 'infisical-subject-open',
  severity: 'warning',
  providers: ['any'],
  summary:
    "an Infisical identity with an empty `boundSubject` and no `boundClaims`: only the audience is pinned, which for CircleCI is the organisation's id, so every pipeline of every project of the organisation logs in",
  on: 'infisical-identity',
  check(identity) {
    if (identity.boundSubject !== '' || Object.keys(identity.boundClaims).length > 0) return [];
    const org = circleOrg(identity);
    const who =
      identity.audiences.length === 0
        ? `every token of ${identity.boundIssuer} logs in`
        : org !== undefined
          ? `only the audience (${identity.audiences.map((a) => q(a)).join(', ')}) is pinned, and every CircleCI job of the organisation ${org} has it: any project, any branch logs in`
          : `only the audience (${identity.audiences.map((a) => q(a)).join(', ')}) is pinned: any subject with it logs in`;
    return [
      {
        path: at(identity, 'boundSubject'),
        message: `boundSubject is empty and boundClaims too: ${who}`,
        fix:
          org !== undefined
            ? `set "boundSubject": "org/${org}/project/<project-id>/user/*/vcs-origin/<vcs-origin>/vcs-ref/refs/heads/main" (CircleCI's V2 sub; '*' is one segment here)`
            : 'set boundSubject to the subject (or a pattern of it) of the pipelines meant',
      },
    ];
  },
};

export const INFISICAL_RULES: readonly InfisicalIdentityRule[] = [infisicalDottedClaimKey, infisicalStarStopsAtSlash, infisicalSubjectOpen];
