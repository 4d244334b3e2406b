/**
 * The request contexts of the assume-role operations: what AWS puts there and nothing more (shared/reference/sts.md
 * §6). The keys every assume-role call has come from one place (`sharedKeys`); AssumeRoleWithWebIdentity adds the
 * token's claims and session tags, AssumeRole the calling session. Keys are stored lower-cased; IAM key names are
 * case-insensitive.
 */
import type { OidcProvider } from '../identity/types.js';
import type { RequestContext } from '../policy/index.js';
import type { RoleTag } from '../config/types.js';
import { MULTIVALUED_CLAIMS, providedClaims, providerKindOf } from '../identity/provider-kinds.js';

/** `aws`: only the keys AWS provides (default). `all`: every top-level claim as `<provider>:<claim>` (opt-in, not AWS). */
export type ClaimKeyMode = 'aws' | 'all';

export const SESSION_TAGS_CLAIM = 'https://aws.amazon.com/tags';
export const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

export interface SessionTags {
  readonly principalTags: ReadonlyMap<string, string>;
  readonly transitiveTagKeys: readonly string[];
}

export interface WebIdentityContextInput extends SharedContextInput {
  readonly provider: OidcProvider;
  readonly claims: Readonly<Record<string, unknown>>;
  /** The aud value that matched the provider's ClientIDList. */
  readonly audience: string;
  readonly sessionTags: SessionTags | undefined;
  readonly sourceIdentity: string | undefined;
  readonly claimKeys: ClaimKeyMode;
}

/** A claim value as condition-key values: scalars as one string, arrays of scalars as a set; anything else gives nothing. */
function claimValues(v: unknown): string[] | undefined {
  const scalar = scalarValue(v);
  if (scalar !== undefined) return [scalar];
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const item of v) {
    const s = scalarValue(item);
    if (s === undefined) return undefined; // nested arrays, objects, null: not a set of strings
    out.push(s);
  }
  return out;
}

function scalarValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

/** ISO 8601 UTC without fraction, as AWS prints times. */
export function isoSeconds(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  // A request asks for now and now + duration: both repeat across the requests of one second.
  const known = isoCache.get(second);
  if (known !== undefined) return known;
  const text = new Date(second * 1000).toISOString().replace(/\.000Z$/, 'Z'); // throws RangeError on an invalid date
  if (isoCache.size >= 64) isoCache.clear();
  isoCache.set(second, text);
  return text;
}
const isoCache = new Map<number, string>();

class ContextBuilder {
  readonly values = new Map<string, string[]>();
  readonly multiValued = new Set<string>();
  set(key: string, values: readonly string[], multi = false): void {
    const k = key.toLowerCase();
    this.values.set(k, [...values]);
    if (multi) this.multiValued.add(k);
  }
  /** A single value, when there is one. */
  maybe(key: string, value: string | undefined): void {
    if (value !== undefined) this.set(key, [value]);
  }
  build(): RequestContext {
    return { values: this.values, multiValued: this.multiValued };
  }
}

/** What every assume-role call has in its context. */
export interface SharedContextInput {
  readonly sessionName: string;
  readonly region: string;
  readonly now: Date;
  readonly sourceIp: string | undefined;
  readonly roleTags: readonly RoleTag[];
}

function sharedKeys(b: ContextBuilder, input: SharedContextInput): void {
  b.set('sts:RoleSessionName', [input.sessionName]);
  b.set('aws:RequestedRegion', [input.region]);
  b.set('aws:CurrentTime', [isoSeconds(input.now)]);
  b.set('aws:EpochTime', [String(Math.floor(input.now.getTime() / 1000))]);
  b.maybe('aws:SourceIp', input.sourceIp);
  for (const tag of input.roleTags) {
    b.set(`aws:ResourceTag/${tag.Key}`, [tag.Value]);
    b.set(`iam:ResourceTag/${tag.Key}`, [tag.Value]);
  }
}

export function buildWebIdentityContext(input: WebIdentityContextInput): RequestContext {
  const b = new ContextBuilder();
  const prefix = input.provider.name + ':';
  const provided = providedClaims(input.provider.name);
  const isGoogle = providerKindOf(input.provider.name).name === 'google';

  // Claims AWS provides first: keys are case-insensitive, so in `all` mode a claim that differs only in case
  // ("SUB", "Sub") must not shadow the real one, whatever the order of the token's JSON.
  const names = Object.keys(input.claims);
  const ordered = [...names.filter((c) => provided.has(c)), ...names.filter((c) => !provided.has(c))];
  for (const claim of ordered) {
    if (input.claimKeys === 'aws' && !provided.has(claim)) continue;
    const lowered = claim.toLowerCase();
    if (lowered === 'aud' || (isGoogle && lowered === 'oaud')) continue; // handled below (in any case spelling)
    if (b.values.has((prefix + claim).toLowerCase())) continue; // first (provided) claim wins
    const vals = claimValues(input.claims[claim]);
    if (vals === undefined) continue;
    const multi = MULTIVALUED_CLAIMS.has(claim) || Array.isArray(input.claims[claim]);
    if (!multi && vals.length !== 1) continue;
    b.set(prefix + claim, vals, multi);
  }
  // aud: the audience that matched ClientIDList. Google: when azp is set, aud = azp and oaud = the token's aud (IAM UG).
  const azp = input.claims['azp'];
  if (isGoogle && typeof azp === 'string') {
    b.set(prefix + 'aud', [azp]);
    b.set(prefix + 'oaud', [input.audience]);
  } else {
    b.set(prefix + 'aud', [input.audience]);
  }

  sharedKeys(b, input);
  if (input.sessionTags !== undefined) {
    for (const [k, v] of input.sessionTags.principalTags) b.set(`aws:RequestTag/${k}`, [v]);
    b.set('aws:TagKeys', [...input.sessionTags.principalTags.keys()], true);
    b.set('sts:TransitiveTagKeys', input.sessionTags.transitiveTagKeys, true);
  }
  b.maybe('sts:SourceIdentity', input.sourceIdentity);
  return b.build();
}

/** The calling role session of AssumeRole (role chaining), as the trust policy sees it. */
export interface ChainedContextInput extends SharedContextInput {
  readonly caller: {
    readonly roleArn: string;
    readonly roleId: string;
    readonly sessionName: string;
    readonly accountId: string;
    readonly sourceIdentity?: string | undefined;
  };
  readonly externalId: string | undefined;
  /** The source identity the new session will carry (requested, or the caller's). */
  readonly sourceIdentity: string | undefined;
}

export function buildChainedContext(input: ChainedContextInput): RequestContext {
  const b = new ContextBuilder();
  sharedKeys(b, input);
  b.set('aws:PrincipalArn', [input.caller.roleArn]);
  b.set('aws:userid', [`${input.caller.roleId}:${input.caller.sessionName}`]);
  b.set('aws:PrincipalAccount', [input.caller.accountId]);
  b.set('aws:PrincipalType', ['AssumedRole']);
  b.maybe('sts:ExternalId', input.externalId);
  b.maybe('sts:SourceIdentity', input.sourceIdentity);
  b.maybe('aws:SourceIdentity', input.caller.sourceIdentity);
  return b.build();
}

/**
 * The claim of a key under `provider`'s prefix that AWS does not put in the request context (in `aws` mode), or
 * undefined: another prefix, a provided claim, or `all` mode.
 */
export function unprovidedClaim(key: string, provider: OidcProvider, mode: ClaimKeyMode): string | undefined {
  const prefix = provider.name.toLowerCase() + ':';
  if (mode !== 'aws' || !key.toLowerCase().startsWith(prefix)) return undefined;
  const claim = key.slice(prefix.length);
  const lower = claim.toLowerCase();
  return [...providedClaims(provider.name)].some((c) => c.toLowerCase() === lower) ? undefined : claim;
}

/** The token's claim of that name, compared ignoring case as IAM compares key names. */
export function claimNamed(
  claims: Readonly<Record<string, unknown>> | undefined,
  claim: string,
): { name: string; value: unknown } | undefined {
  const lower = claim.toLowerCase();
  const name = claims === undefined ? undefined : Object.keys(claims).find((c) => c.toLowerCase() === lower);
  return name === undefined || claims === undefined ? undefined : { name, value: claims[name] };
}

/**
 * Why a key is absent, for explain output: the token has the claim but AWS does not provide it as a key.
 * Returns undefined when there is nothing more useful to say than "absent".
 */
export function describeAbsentKey(
  key: string,
  provider: OidcProvider | undefined,
  claims: Readonly<Record<string, unknown>> | undefined,
  mode: ClaimKeyMode,
): string | undefined {
  if (provider === undefined) return undefined;
  const prefix = provider.name.toLowerCase() + ':';
  const lower = key.toLowerCase();
  if (!lower.startsWith(prefix)) {
    if (lower.includes(':') && /oidc-provider|\//.test(lower.slice(0, lower.indexOf(':')))) {
      return `the key names another provider than ${provider.name}`;
    }
    return undefined;
  }
  const claim = key.slice(prefix.length);
  const hasClaim = claimNamed(claims, claim) !== undefined;
  if (unprovidedClaim(key, provider, mode) !== undefined) {
    return hasClaim
      ? `AWS provides no such key for this provider (the token has a '${claim}' claim, but AWS does not put it in the request context; match it inside ${provider.name}:sub instead, or run with --claim-keys all)`
      : `AWS provides no such key for this provider`;
  }
  return hasClaim ? undefined : `the token has no '${claim}' claim`;
}

/** Session tags from the `https://aws.amazon.com/tags` claim, or a problem text. */
export function readSessionTags(claims: Readonly<Record<string, unknown>>): SessionTags | string | undefined {
  const raw = claims[SESSION_TAGS_CLAIM];
  if (raw === undefined) return undefined;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return `${SESSION_TAGS_CLAIM} must be an object`;
  const obj = raw as Record<string, unknown>;
  const principalTags = new Map<string, string>();
  const pt = obj['principal_tags'];
  if (pt !== undefined) {
    if (pt === null || typeof pt !== 'object' || Array.isArray(pt)) return 'principal_tags must be an object';
    for (const [k, v] of Object.entries(pt as Record<string, unknown>)) {
      const value = Array.isArray(v) && v.length === 1 && typeof v[0] === 'string' ? v[0] : typeof v === 'string' ? v : undefined;
      if (value === undefined) return `principal_tags.${k} must be an array of one string`;
      if (k.length < 1 || k.length > 128) return `session tag key '${k}' must be 1..128 characters`;
      if (value.length > 256) return `session tag '${k}' value must be at most 256 characters`;
      principalTags.set(k, value);
    }
  }
  if (principalTags.size > 50) return 'at most 50 session tags';
  const tk = obj['transitive_tag_keys'];
  const transitiveTagKeys: string[] = [];
  if (tk !== undefined) {
    if (!Array.isArray(tk) || !tk.every((x) => typeof x === 'string')) return 'transitive_tag_keys must be an array of strings';
    transitiveTagKeys.push(...(tk as string[]));
  }
  return { principalTags, transitiveTagKeys };
}
