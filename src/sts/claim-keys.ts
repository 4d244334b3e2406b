/**
 * Which claims of a provider's tokens become condition keys. Provider names are matched with minimatch:
 * shell-glob semantics (a `*` within one path segment) are exactly right for provider-name patterns.
 */
import { minimatch } from 'minimatch';
import { GENERIC_CLAIM_KEYS, PROVIDER_CLAIM_KEYS } from './provider-claim-keys.js';

const cache = new Map<string, ReadonlySet<string>>();

/** The claims AWS provides for tokens of this provider (names as in the token). */
export function providedClaims(providerName: string): ReadonlySet<string> {
  let set = cache.get(providerName);
  if (set === undefined) {
    const claims = new Set(GENERIC_CLAIM_KEYS);
    for (const entry of PROVIDER_CLAIM_KEYS) {
      if (entry.providers.some((glob) => minimatch(providerName, glob, { nocase: true, dot: true }))) {
        for (const c of entry.claims) claims.add(c);
      }
    }
    set = claims;
    cache.set(providerName, set);
  }
  return set;
}
