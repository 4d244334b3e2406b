/**
 * Infisical's decision after the token verified (shared/reference/infisical-vault.md §1.2 steps 5 to 8, in its order):
 * boundSubject (403 when it does not match), boundAudiences (any entry), each boundClaims key (dot-path lookup; a
 * missing or falsy value is "token has no <key> field"; then any entry), each claimMetadataMapping claim. Pure and
 * synchronous: claims in, the decision with a trace of every bound field out (the token's value, the patterns, the
 * rule that decided). Infisical stops at the first refusal; the trace still shows every field, so explain can say
 * what else would have refused.
 */
import type { InfisicalIdentity } from '../config/index.js';
import { infisicalClaimChecks } from '../identity/index.js';
import { forbidden, INFISICAL_TEXTS, internalServerError, unauthorized, type InfisicalError } from '../protocol/index.js';
import { missing, valueByDot } from './claims.js';
import { MATCH_RULES, matchValue, type MatchRule } from './match.js';

/** What a bound field came to. */
export const FIELD_OUTCOMES = {
  unbound: 'not set: not checked',
  matched: 'matched',
  'not-matched': 'no pattern matched',
  missing: 'the token has no usable value (missing, false, 0, "" or not a string, number, boolean or string array)',
  throws: "Infisical's matcher throws on this value: Infisical answers 500",
  present: 'present',
} as const;

export type FieldOutcome = keyof typeof FIELD_OUTCOMES;

export interface FieldTrace {
  /** `boundSubject`, `boundAudiences`, `boundClaims.<key>` or `claimMetadataMapping.<permission key>`. */
  readonly field: string;
  /** The claim looked up (`sub`, `aud`, the boundClaims key, the mapped claim). */
  readonly claim: string;
  /** The token's value as Infisical sees it (after the dot-path lookup for claims). */
  readonly value: unknown;
  /** The entries that were tried (one for the subject; the comma list otherwise). */
  readonly patterns: readonly string[];
  readonly outcome: FieldOutcome;
  /** The pattern that matched, and the rule that decided. */
  readonly matchedPattern?: string;
  readonly rule?: MatchRule;
  readonly ruleText?: string;
  /** For an array claim, the element that matched. */
  readonly element?: string;
}

export interface InfisicalDecision {
  readonly decision: 'allow' | 'deny' | 'error';
  readonly trace: readonly FieldTrace[];
  /** The refusal Infisical answers with (the first in its order); undefined when allowed. */
  readonly error?: InfisicalError;
  /** The field that decided a refusal. */
  readonly decidedBy?: string;
  /** claimMetadataMapping's values (Infisical embeds them in the access token as identityAuth.oidc.claims). */
  readonly metadata: Readonly<Record<string, string>>;
}

function tryPatterns(fieldName: string, claim: string, value: unknown, patterns: readonly string[], audience: boolean): FieldTrace {
  let rule: MatchRule = 'glob';
  for (const pattern of patterns) {
    const m = matchValue(value, pattern, audience);
    rule = m.rule;
    if (m.rule === 'throws') return { field: fieldName, claim, value, patterns, outcome: 'throws', rule, ruleText: MATCH_RULES.throws };
    if (m.matched)
      return {
        field: fieldName,
        claim,
        value,
        patterns,
        outcome: 'matched',
        matchedPattern: pattern,
        rule: m.rule,
        ruleText: MATCH_RULES[m.rule],
        ...(m.element === undefined ? {} : { element: m.element }),
      };
  }
  return { field: fieldName, claim, value, patterns, outcome: 'not-matched', rule, ruleText: MATCH_RULES[rule] };
}

/**
 * The decision for verified claims (steps 5 to 8); `claims` are the token's payload. With `now` (claims that were not
 * verified as a token: the cross-engine table), jsonwebtoken's payload checks come first, as the verifier runs them
 * (`nbf`, `exp` with no leeway, `iss` equal to boundIssuer), traced as `token`.
 */
export function decideInfisical(identity: InfisicalIdentity, claims: Readonly<Record<string, unknown>>, now?: Date): InfisicalDecision {
  const own = (k: string): unknown => (Object.hasOwn(claims, k) ? claims[k] : undefined);
  const trace: FieldTrace[] = [];
  const failures: { field: string; error: InfisicalError }[] = [];
  const fail = (t: FieldTrace, error: InfisicalError): void => {
    failures.push({ field: t.field, error });
  };
  if (now !== undefined) {
    const refusal = infisicalClaimChecks(claims, identity.boundIssuer, now);
    const t: FieldTrace = {
      field: 'token',
      claim: 'iss, nbf, exp',
      value: { iss: own('iss'), nbf: own('nbf'), exp: own('exp') },
      patterns: [identity.boundIssuer],
      outcome: refusal === undefined ? 'matched' : 'not-matched',
      rule: 'equal',
      ruleText:
        refusal === undefined ? 'jsonwebtoken: iss equals boundIssuer, nbf and exp hold with no leeway' : `jsonwebtoken: ${refusal}`,
    };
    trace.push(t);
    if (refusal !== undefined) fail(t, unauthorized(INFISICAL_TEXTS.jwt(refusal), `jsonwebtoken refused the claims: ${refusal}`));
  }
  const thrown = (t: FieldTrace): InfisicalError =>
    internalServerError(`${t.field}: Infisical's matcher throws on ${t.claim} ${JSON.stringify(t.value) ?? 'undefined'} (not a string)`);

  // 5: boundSubject, one pattern, 403.
  if (identity.boundSubject === '')
    trace.push({ field: 'boundSubject', claim: 'sub', value: own('sub'), patterns: [], outcome: 'unbound' });
  else {
    const t = tryPatterns('boundSubject', 'sub', own('sub'), [identity.boundSubject], false);
    trace.push(t);
    if (t.outcome === 'throws') fail(t, thrown(t));
    else if (t.outcome !== 'matched')
      fail(t, forbidden(INFISICAL_TEXTS.subject, `sub ${JSON.stringify(t.value)} does not match boundSubject '${identity.boundSubject}'`));
  }
  // 6: boundAudiences, any entry, 401.
  if (identity.audiences.length === 0)
    trace.push({ field: 'boundAudiences', claim: 'aud', value: own('aud'), patterns: [], outcome: 'unbound' });
  else {
    const t = tryPatterns('boundAudiences', 'aud', own('aud'), identity.audiences, true);
    trace.push(t);
    if (t.outcome === 'throws') fail(t, thrown(t));
    else if (t.outcome !== 'matched')
      fail(t, unauthorized(INFISICAL_TEXTS.audience, `aud ${JSON.stringify(t.value)} matches none of '${identity.boundAudiences}'`));
  }
  // 7: boundClaims, in their order.
  for (const [key, patterns] of Object.entries(identity.claimPatterns)) {
    const value = valueByDot(claims, key);
    const name = `boundClaims.${key}`;
    if (missing(value)) {
      const t: FieldTrace = { field: name, claim: key, value, patterns, outcome: 'missing' };
      trace.push(t);
      const dotted =
        key.includes('.') && Object.hasOwn(claims, key)
          ? ` (the token has a claim named '${key}', but Infisical reads a dotted key as a path)`
          : '';
      fail(t, unauthorized(INFISICAL_TEXTS.noClaim(key), `claim ${key} is missing or falsy${dotted}`));
      continue;
    }
    const t = tryPatterns(name, key, value, patterns, false);
    trace.push(t);
    if (t.outcome === 'throws') fail(t, thrown(t));
    else if (t.outcome !== 'matched')
      fail(
        t,
        unauthorized(INFISICAL_TEXTS.claim, `claim ${key} ${JSON.stringify(value)} matches none of '${identity.boundClaims[key] ?? ''}'`),
      );
  }
  // 8: claimMetadataMapping: each mapped claim must be present.
  const metadata: Record<string, string> = {};
  for (const [permissionKey, claimKey] of Object.entries(identity.claimMetadataMapping)) {
    const value = valueByDot(claims, claimKey);
    const name = `claimMetadataMapping.${permissionKey}`;
    if (missing(value)) {
      const t: FieldTrace = { field: name, claim: claimKey, value, patterns: [], outcome: 'missing' };
      trace.push(t);
      fail(t, unauthorized(INFISICAL_TEXTS.noClaim(claimKey), `claim ${claimKey} (mapped to ${permissionKey}) is missing or falsy`));
      continue;
    }
    metadata[permissionKey] = String(value);
    trace.push({ field: name, claim: claimKey, value, patterns: [], outcome: 'present' });
  }
  const first = failures[0];
  if (first === undefined) return { decision: 'allow', trace, metadata };
  return {
    decision: first.error.kind === 'InternalServerError' ? 'error' : 'deny',
    trace,
    error: first.error.with(trace),
    decidedBy: first.field,
    metadata,
  };
}
