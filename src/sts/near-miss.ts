/**
 * What to change when AssumeRoleWithWebIdentity is refused: the near misses. For a trust-policy denial, each false
 * condition of an Allow statement whose principal and action matched is read for the one change that would make
 * it hold: a value that differs only in case, a GitHub `environment:` subject against a `ref:` pattern, a CircleCI
 * V1 token against a V2 pattern, a wildcard under StringEquals, a key AWS does not provide for the provider. For a
 * token refused for its audience: what the provider's ClientIDList expected. One sentence each; `explain`,
 * `decide()` and the audit log show them after the trace. The kinds are a table that tests assert on.
 */
import { providedClaims, providerKindOf } from '../identity/provider-kinds.js';
import type { OidcProvider } from '../identity/types.js';
import { foldCase, iamWildcardMatch, parseOperatorName, type ConditionTrace, type EvaluationResult } from '../policy/index.js';
import { claimNamed, unprovidedClaim, type ClaimKeyMode } from './request-context.js';

export const NEAR_MISS_KINDS = {
  caseOnly: 'a context value that differs from a policy value only in case',
  environmentSubject: 'a GitHub subject that names an environment, against a pattern for a ref',
  circleciV1Subject: 'a CircleCI V1 token against a pattern for the V2 sub',
  wildcardUnderEquals: 'a wildcard under StringEquals, where StringLike would match',
  keyNotProvided: 'a key AWS does not provide for this provider',
  audience: "an aud the provider's ClientIDList does not list",
} as const;

export type NearMissKind = keyof typeof NEAR_MISS_KINDS;

export interface NearMiss {
  readonly kind: NearMissKind;
  readonly text: string;
}

/** Who the token is, as the near misses of a denial need it. */
export interface NearMissSubject {
  readonly provider: OidcProvider;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly claimKeys: ClaimKeyMode;
}

/** A value for a sentence: JSON-quoted, cut at a bound (values come from tokens). */
function q(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

const GITHUB_ENVIRONMENT_SUB = /^repo:(?<repo>[^:]+):environment:(?<environment>.+)$/;
const CIRCLECI_V1_SUB = /^org\/[^/]+\/project\/[^/]+\/user\/[^/]+$/;

/** The near misses of an implicit denial (none for an allow or an explicit Deny), without repeats. */
export function policyNearMisses(evaluation: EvaluationResult, who: NearMissSubject): NearMiss[] {
  if (evaluation.decision !== 'implicitDeny') return [];
  const out: NearMiss[] = [];
  for (const s of evaluation.statements) {
    if (s.effect !== 'Allow' || !s.principalMatched || !s.actionMatched) continue;
    for (const c of s.conditions) if (!c.result) out.push(...conditionNearMisses(c, who));
  }
  return out.filter((m, i) => out.findIndex((x) => x.text === m.text) === i);
}

function conditionNearMisses(c: ConditionTrace, who: NearMissSubject): NearMiss[] {
  const op = parseOperatorName(c.operator);
  if (typeof op === 'string') return [];
  const { provider } = who;
  if (c.contextValues === null) {
    const claim = unprovidedClaim(c.key, provider, who.claimKeys);
    if (claim === undefined) return [];
    const held = claimNamed(who.claims, claim);
    return [
      {
        kind: 'keyNotProvided',
        text: `AWS does not put ${c.key} in the request context for ${provider.name}, so this condition never holds${held === undefined ? '' : ` (the token's '${held.name}' is ${q(held.value)})`}: match it inside ${provider.name}:sub instead`,
      },
    ];
  }
  const base = op.def.name;
  if (op.def.negated || (base !== 'StringEquals' && base !== 'StringLike')) return [];
  const out: NearMiss[] = [];
  const pairs = c.policyValues.flatMap((p) => c.contextValues?.map((v) => [p, v] as const) ?? []);
  const matches = (p: string, v: string): boolean => (base === 'StringEquals' ? p === v : iamWildcardMatch(p, v));
  const caseOnly = pairs.find(([p, v]) => !matches(p, v) && matches(foldCase(p), foldCase(v)));
  if (caseOnly !== undefined) {
    const [p, v] = caseOnly;
    out.push({
      kind: 'caseOnly',
      text: `${c.key} is ${q(v)} in the token and ${q(p)} in the policy: they differ only in case and ${base} is case-sensitive; write the policy value in the token's case${base === 'StringEquals' ? ', or use StringEqualsIgnoreCase' : ''}`,
    });
  }
  if (base === 'StringEquals') {
    const starred = pairs.find(([p, v]) => /[*?]/.test(p) && iamWildcardMatch(p, v));
    if (starred !== undefined) {
      out.push({
        kind: 'wildcardUnderEquals',
        text: `${q(starred[0])} holds a wildcard, but ${c.operator} compares literally; StringLike would match ${q(starred[1])}`,
      });
    }
  }
  const prefix = provider.name.toLowerCase() + ':';
  if (c.key.toLowerCase() !== prefix + 'sub') return out;
  const kind = providerKindOf(provider.name).name;
  for (const v of c.contextValues) {
    const env = GITHUB_ENVIRONMENT_SUB.exec(v)?.groups;
    if (kind === 'github' && env !== undefined && c.policyValues.some((p) => p.includes(':ref:'))) {
      const ref = providedClaims(provider.name).has('ref') ? ` and check the branch with "${provider.name}:ref"` : '';
      out.push({
        kind: 'environmentSubject',
        text: `the token's sub ${q(v)} names a GitHub environment: a job that runs in an environment gets repo:<owner>/<repo>:environment:<name> as its sub, never :ref:, so allow ${q(`repo:${env['repo'] ?? ''}:environment:${env['environment'] ?? ''}`)}${ref}`,
      });
    }
    if (kind === 'circleci' && CIRCLECI_V1_SUB.test(v) && c.policyValues.some((p) => /\/vcs-(origin|ref)\//.test(p))) {
      out.push({
        kind: 'circleciV1Subject',
        text: `the token's sub ${q(v)} is CircleCI's V1 form (it ends at user/<id>) and the policy expects the V2 form (.../vcs-origin/<origin>/vcs-ref/<ref>): send $CIRCLE_OIDC_TOKEN_V2, not $CIRCLE_OIDC_TOKEN`,
      });
    }
  }
  return out;
}

/** The near miss of a token refused for its audience: what the provider's ClientIDList expected. */
export function audienceNearMiss(provider: OidcProvider, audiences: readonly string[]): NearMiss {
  const expected = provider.clientIdList;
  const list = (values: readonly string[]): string => values.map(q).join(', ');
  return {
    kind: 'audience',
    text: `the token's aud is ${audiences.length === 0 ? 'empty' : list(audiences)}, and the ClientIDList of ${provider.name} expects ${expected.length === 1 ? '' : 'one of '}${list(expected)}: mint the token for ${q(expected[0] ?? '')}${audiences[0] === undefined ? '' : `, or add ${q(audiences[0])} to the provider's ClientIDList`}`,
  };
}
