/**
 * Vault's decision on a token whose signature has been verified, in Vault's order (path_login.go after the key set;
 * hashicorp/cap v0.13.0 jwt.go Validate): the signing algorithm, `iss` (exact, against the mount's bound_issuer, if
 * set), `sub` (exact, against bound_subject, if set), `aud` (exact, any of bound_audiences, if set), the times
 * (clock_skew_leeway on exp, nbf and iat; expiration_leeway and not_before_leeway only when the claim is absent; a
 * claim of 0 counts as absent; 0 means the default, -1 disables), an `aud` with no bound_audiences (strict since
 * plugin 0.17.3), user_claim, claim_mappings, groups_claim, then bound_claims (string mode: Go's type-strict `!=`;
 * glob mode: go-glob, strings only; any expected value against any actual value). Pure and synchronous: the clock is
 * a parameter and every step is in the trace.
 */
import { goValueText, VAULT_ALGORITHMS, type VaultMount, type VaultRole } from '../config/index.js';
import { VAULT_TEXTS } from '../protocol/index.js';
import { getClaim, goEqual, normalizeList, showGo, type GoValue } from './claims.js';
import { goGlob } from './glob.js';

/** Which rule decided a step (explain prints it beside the values). */
export const VAULT_RULES = {
  algorithm: 'one of jwt_supported_algs (default: RS, ES and PS 256/384/512, EdDSA)',
  exact: 'exact string equality (never a glob)',
  exactAnyOf: 'exact, any bound audience equal to any aud entry',
  skipped: 'not set: not checked',
  times: 'cap/jwt: clock_skew_leeway on exp, nbf and iat; the other leeways only for an absent claim',
  strictAudience: 'a token with aud needs bound_audiences (plugin 0.17.3+)',
  userClaim: 'must be present and a string',
  mapping: 'each mapped claim, when present, must be a string',
  groups: 'must be present and a list of strings',
  stringMode: 'string mode: Go == on typed values (string, bool, json.Number), any of the bound values',
  globMode: 'glob mode: go-glob (* crosses /, matches empty; nothing else is special), strings only',
} as const;

export type VaultRule = keyof typeof VAULT_RULES;

export interface VaultTraceStep {
  /** The role or config field checked (bound_claims entries as bound_claims["key"]). */
  readonly field: string;
  /** The value from the token, as Vault sees it. */
  readonly actual: string;
  /** The pattern or expected value(s). */
  readonly expected: string;
  readonly rule: VaultRule;
  readonly ok: boolean;
  /** For bound_claims: which expected value matched which actual one. */
  readonly matched?: string;
}

export interface VaultIdentity {
  /** The user_claim's value (the alias name). */
  readonly userName: string;
  /** claim_mappings results plus `role`. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly groups: readonly string[];
}

export type VaultDecision =
  | { readonly decision: 'allow'; readonly trace: readonly VaultTraceStep[]; readonly identity: VaultIdentity }
  | {
      readonly decision: 'deny';
      readonly trace: readonly VaultTraceStep[];
      /** Vault's message (the one entry of `errors`). */
      readonly message: string;
      /** The emulator's words. */
      readonly reason: string;
    };

export interface VaultDecisionInput {
  readonly mount: Pick<VaultMount, 'boundIssuer' | 'supportedAlgs'>;
  readonly role: VaultRole;
  /** The verified payload (own properties). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The protected header's alg (when absent, the algorithm step is left out: claims given without a token). */
  readonly alg?: string;
  readonly now: Date;
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : (JSON.stringify(v) ?? String(v)));

/** The decision with its trace; never throws on any claims. */
export function decideVault(input: VaultDecisionInput): VaultDecision {
  const { mount, role, claims, now } = input;
  const trace: VaultTraceStep[] = [];
  const deny = (message: string, reason: string): VaultDecision => ({ decision: 'deny', trace, message, reason });
  const own = (k: string): unknown => (Object.hasOwn(claims, k) ? claims[k] : undefined);

  if (input.alg !== undefined) {
    const algs = mount.supportedAlgs.length > 0 ? mount.supportedAlgs : VAULT_ALGORITHMS;
    const ok = algs.includes(input.alg);
    trace.push({ field: 'jwt_supported_algs', actual: input.alg, expected: algs.join(', '), rule: 'algorithm', ok });
    if (!ok) return deny(VAULT_TEXTS.algorithm, `the token is signed with ${input.alg}, not one of ${algs.join(', ')}`);
  }

  // go-jose decodes the registered claims first: a wrong JSON type fails Validate before any comparison.
  const typeProblem = registeredClaimTypeProblem(claims);
  if (typeProblem !== undefined)
    return deny(VAULT_TEXTS.claimType(typeProblem), `a registered claim has the wrong JSON type: ${typeProblem}`);

  const iss = typeof own('iss') === 'string' ? (own('iss') as string) : '';
  if (mount.boundIssuer === '')
    trace.push({ field: 'bound_issuer', actual: show(own('iss')), expected: '(not set)', rule: 'skipped', ok: true });
  else {
    const ok = iss === mount.boundIssuer;
    trace.push({ field: 'bound_issuer', actual: show(own('iss')), expected: JSON.stringify(mount.boundIssuer), rule: 'exact', ok });
    if (!ok) return deny(VAULT_TEXTS.issuer, `iss ${show(own('iss'))} is not the mount's bound_issuer ${mount.boundIssuer}`);
  }

  const sub = typeof own('sub') === 'string' ? (own('sub') as string) : '';
  if (role.boundSubject === '')
    trace.push({ field: 'bound_subject', actual: show(own('sub')), expected: '(not set)', rule: 'skipped', ok: true });
  else {
    const ok = sub === role.boundSubject;
    trace.push({ field: 'bound_subject', actual: show(own('sub')), expected: JSON.stringify(role.boundSubject), rule: 'exact', ok });
    if (!ok)
      return deny(
        VAULT_TEXTS.subject,
        `sub ${show(own('sub'))} is not bound_subject ${JSON.stringify(role.boundSubject)}${role.boundSubject.includes('*') ? ' (bound_subject is compared exactly: * is not a wildcard there)' : ''}`,
      );
  }

  const audRaw = own('aud');
  const auds = typeof audRaw === 'string' ? [audRaw] : Array.isArray(audRaw) ? (audRaw as string[]) : [];
  if (role.boundAudiences.length === 0)
    trace.push({ field: 'bound_audiences', actual: show(audRaw), expected: '(not set)', rule: 'skipped', ok: true });
  else {
    const ok = role.boundAudiences.some((a) => auds.includes(a));
    trace.push({ field: 'bound_audiences', actual: show(audRaw), expected: show(role.boundAudiences), rule: 'exactAnyOf', ok });
    if (!ok) return deny(VAULT_TEXTS.audience, `aud ${show(audRaw)} has none of bound_audiences ${role.boundAudiences.join(', ')}`);
  }

  const times = checkTimes(claims, role, now);
  trace.push({ field: 'clock_skew_leeway', actual: times.shown, expected: times.rule, rule: 'times', ok: times.error === undefined });
  if (times.error !== undefined) return deny(times.error, times.why);

  if (role.boundAudiences.length === 0) {
    const present = typeof audRaw === 'string' ? audRaw !== '' : Array.isArray(audRaw) && audRaw.length > 0;
    trace.push({ field: 'bound_audiences', actual: show(audRaw), expected: '(not set)', rule: 'strictAudience', ok: !present });
    if (present) return deny(VAULT_TEXTS.audienceNotBound, `the token has aud ${show(audRaw)} and the role binds no audience`);
  }

  // createIdentity: user_claim, claim_mappings, groups_claim.
  const userRaw = role.userClaimJsonPointer ? getClaim(claims, role.userClaim) : own(role.userClaim);
  const userOk = typeof userRaw === 'string';
  trace.push({ field: 'user_claim', actual: showClaim(userRaw), expected: JSON.stringify(role.userClaim), rule: 'userClaim', ok: userOk });
  if (userRaw === undefined || userRaw === null)
    return deny(VAULT_TEXTS.userClaimMissing(role.userClaim), `the token has no claim ${role.userClaim} (user_claim)`);
  if (!userOk) return deny(VAULT_TEXTS.userClaimNotString(role.userClaim), `claim ${role.userClaim} (user_claim) is not a string`);

  const metadata: Record<string, string> = {};
  for (const [source, target] of role.claimMappings) {
    const v = getClaim(claims, source);
    if (v === undefined) continue;
    const ok = typeof v === 'string';
    trace.push({ field: `claim_mappings[${JSON.stringify(source)}]`, actual: showClaim(v), expected: target, rule: 'mapping', ok });
    if (!ok) return deny(VAULT_TEXTS.mappingNotString(source), `claim ${source} (claim_mappings) is not a string`);
    metadata[target] = v;
  }
  metadata['role'] = role.name;

  const groups: string[] = [];
  if (role.groupsClaim !== '') {
    const raw = getClaim(claims, role.groupsClaim);
    const list = raw === undefined ? undefined : normalizeList(raw);
    const bad = list?.find((g) => g.type !== 'string');
    trace.push({
      field: 'groups_claim',
      actual: showClaim(raw),
      expected: JSON.stringify(role.groupsClaim),
      rule: 'groups',
      ok: list !== undefined && bad === undefined,
    });
    if (raw === undefined)
      return deny(VAULT_TEXTS.groupsMissing(role.groupsClaim), `the token has no claim ${role.groupsClaim} (groups_claim)`);
    if (list === undefined) return deny(VAULT_TEXTS.groupsNotList(role.groupsClaim), `claim ${role.groupsClaim} is not a list`);
    if (bad !== undefined)
      return deny(VAULT_TEXTS.groupNotString(goValueText(bad.value)), `a group in ${role.groupsClaim} is not a string`);
    for (const g of list) if (g.type === 'string' && g.value !== '') groups.push(g.value);
  }

  const glob = role.boundClaimsType === 'glob';
  for (const bound of role.boundClaims) {
    const field = `bound_claims[${JSON.stringify(bound.claim)}]`;
    const expected = bound.values.map(showGo).join(' | ');
    const rule: VaultRule = glob ? 'globMode' : 'stringMode';
    const raw = getClaim(claims, bound.claim);
    if (raw === undefined) {
      trace.push({ field, actual: '(absent)', expected, rule, ok: false });
      return deny(
        VAULT_TEXTS.claimMissing(bound.claim),
        `the token has no claim ${bound.claim}${bound.claim.startsWith('/') ? ' (a JSON Pointer)' : ''}`,
      );
    }
    const actual = normalizeList(raw);
    if (actual === undefined) {
      trace.push({ field, actual: showClaim(raw), expected, rule, ok: false });
      return deny(VAULT_TEXTS.claimNotScalar(goValueText(raw)), `claim ${bound.claim} is an object`);
    }
    const hit = firstMatch(bound.values, actual, glob);
    trace.push({
      field,
      actual: actual.map(showGo).join(' | ') || '[]',
      expected,
      rule,
      ok: hit !== undefined,
      ...(hit === undefined ? {} : { matched: hit }),
    });
    if (hit === undefined)
      return deny(
        VAULT_TEXTS.claimNoMatch(bound.claim),
        `claim ${bound.claim} ${actual.map(showGo).join(' | ')} matches none of ${expected} (${VAULT_RULES[rule]})`,
      );
  }
  return { decision: 'allow', trace, identity: { userName: userRaw, metadata, groups } };
}

/** matchFound: the first (expected, actual) pair that matches, shown; undefined when none does. */
function firstMatch(
  expected: readonly import('../config/index.js').VaultBoundValue[],
  actual: readonly GoValue[],
  glob: boolean,
): string | undefined {
  for (const e of expected)
    for (const a of actual) {
      if (glob) {
        if (e.type !== 'string' || a.type !== 'string') continue;
        if (goGlob(e.value, a.value)) return `${JSON.stringify(a.value)} ~ ${JSON.stringify(e.value)}`;
      } else if (goEqual(e, a)) return `${showGo(a)} == ${showGo(e)}`;
    }
  return undefined;
}

function showClaim(v: unknown): string {
  if (v === undefined) return '(absent)';
  if (typeof v === 'object' && v !== null && 'jsonNumber' in v) return `${String((v as { jsonNumber: string }).jsonNumber)} (json.Number)`;
  return JSON.stringify(v) ?? String(v);
}

const JSON_KIND = (v: unknown): string =>
  typeof v === 'number'
    ? 'number'
    : typeof v === 'boolean'
      ? 'bool'
      : Array.isArray(v)
        ? 'array'
        : typeof v === 'object'
          ? 'object'
          : 'string';

/** go-jose's jwt.Claims decoding of iss, sub, jti (strings), aud (string or list of strings), exp, nbf, iat (numbers). */
function registeredClaimTypeProblem(claims: Readonly<Record<string, unknown>>): string | undefined {
  for (const k of ['iss', 'sub', 'jti'] as const) {
    const v = Object.hasOwn(claims, k) ? claims[k] : undefined;
    if (v !== undefined && v !== null && typeof v !== 'string')
      return `json: cannot unmarshal ${JSON_KIND(v)} into Go struct field Claims.${k} of type string`;
  }
  const aud = Object.hasOwn(claims, 'aud') ? claims['aud'] : undefined;
  if (aud !== undefined && typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string')))
    return 'go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience';
  for (const k of ['exp', 'nbf', 'iat'] as const) {
    const v = Object.hasOwn(claims, k) ? claims[k] : undefined;
    if (v !== undefined && v !== null && typeof v !== 'number')
      return 'go-jose/go-jose/jwt: expected number value to unmarshal NumericDate';
  }
  return undefined;
}

/** A leeway as cap reads it: negative disables, 0 is the default. */
function leeway(seconds: number, fallback: number): number {
  return seconds < 0 ? 0 : seconds === 0 ? fallback : seconds;
}

/** cap/jwt's time checks at `now`. */
export function checkTimes(
  claims: Readonly<Record<string, unknown>>,
  role: Pick<VaultRole, 'clockSkewLeeway' | 'expirationLeeway' | 'notBeforeLeeway'>,
  now: Date,
): { error?: string; why: string; shown: string; rule: string } {
  const numeric = (k: string): number => {
    const v = Object.hasOwn(claims, k) ? claims[k] : undefined;
    return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
  };
  const iat = numeric('iat');
  let exp = numeric('exp');
  let nbf = numeric('nbf');
  const skew = leeway(role.clockSkewLeeway, 60);
  const rule = `skew ${skew} s${role.clockSkewLeeway < 0 ? ' (disabled: -1)' : ''}`;
  const notes: string[] = [];
  if (iat === 0 && exp === 0 && nbf === 0)
    return {
      error: VAULT_TEXTS.noTimes,
      why: 'the token has none of iat, nbf and exp (a 0 counts as absent)',
      shown: 'iat, nbf, exp absent',
      rule,
    };
  if (exp === 0) {
    const l = leeway(role.expirationLeeway, 150);
    exp = Math.max(iat, nbf) + l;
    notes.push(`exp absent: ${exp} = max(iat, nbf) + expiration_leeway ${l}`);
  }
  if (nbf === 0) {
    if (iat !== 0) {
      nbf = iat;
      notes.push('nbf absent: nbf = iat');
    } else {
      const l = leeway(role.notBeforeLeeway, 150);
      nbf = exp - l;
      notes.push(`nbf and iat absent: ${nbf} = exp - not_before_leeway ${l}`);
    }
  }
  const ms = now.getTime();
  const shown = `now ${Math.floor(ms / 1000)}, iat ${iat === 0 ? '(absent)' : iat}, nbf ${nbf}, exp ${exp}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`;
  if (ms + skew * 1000 < nbf * 1000)
    return { error: VAULT_TEXTS.notYetValid, why: `nbf ${nbf} is more than ${skew} s after now (${Math.floor(ms / 1000)})`, shown, rule };
  if (ms - skew * 1000 > exp * 1000)
    return { error: VAULT_TEXTS.expired, why: `exp ${exp} is more than ${skew} s before now (${Math.floor(ms / 1000)})`, shown, rule };
  if (ms + skew * 1000 < iat * 1000)
    return {
      error: VAULT_TEXTS.issuedInFuture,
      why: `iat ${iat} is more than ${skew} s after now (${Math.floor(ms / 1000)})`,
      shown,
      rule,
    };
  return { why: 'within the leeways', shown, rule };
}
