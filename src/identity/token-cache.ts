/**
 * A bounded LRU of tokens whose signature already verified, keyed by the exact token string (a
 * re-encoded variant simply misses and is verified in full). It stores only what the signature
 * proves: provider, header, claims. Claim checks still run on every hit with the caller's `now`.
 * Entries live at most `maxAgeMs` (the JWKS cache age), so a key removed by the IdP stops verifying
 * cached tokens no later than it would stop verifying fresh ones.
 *
 * Admission (`secondSight`, the verifier's default): a token is stored only when it is set a second time while
 * its fingerprint is still remembered, so a stream of tokens each sent once (a regression suite's) does not churn
 * the cache. Why: each stored entry (the token, its claims) lives for the next ~1,000 verifications, long enough to
 * be promoted out of V8's young generation and collected by the costlier old-generation GC; with 5,000 distinct
 * tokens at 32 connections the cache cost more than it saved (bench/, README "Performance"). A repeated token pays
 * one more full verification before its hits. The fingerprint is the token's last 12 characters (its signature's,
 * for a JWS): a copied short string, so remembering it does not keep the token alive. It only decides admission:
 * entries are still keyed by the whole token, so two tokens that share a fingerprint never share an entry.
 */
import type { OidcProvider } from './types.js';

export interface VerifiedSignature {
  readonly provider: OidcProvider;
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface TokenCacheOptions {
  /** Most entries kept (the verifier's default: 1,000). */
  readonly maxEntries: number;
  /** Most token characters kept in total (the verifier's default: 2 Mi), so 20,000-char tokens cannot pin much memory. */
  readonly maxChars: number;
  /** Entry lifetime in real milliseconds. */
  readonly maxAgeMs: number;
  /** The real clock (not the verification `now`), for entry age only. */
  readonly clock?: () => number;
  /**
   * Store a token only on its second set() while its fingerprint is remembered (the fingerprints of the last
   * 1 to 2 x maxEntries first sightings). Default false: every set() stores.
   */
  readonly secondSight?: boolean;
}

/** The part of a token remembered for admission: short enough to be copied (V8 slices strings of 13+ characters). */
export const FINGERPRINT_LENGTH = 12;

interface Entry extends VerifiedSignature {
  readonly storedAt: number;
}

export class TokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #options: TokenCacheOptions;
  readonly #clock: () => number;
  #chars = 0;
  /** Fingerprints of first sightings, in two generations: `#recent` fills to maxEntries, then replaces `#older`. */
  #recent = new Set<string>();
  #older = new Set<string>();

  constructor(options: TokenCacheOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(token: string): VerifiedSignature | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    this.#entries.delete(token);
    if (this.#clock() - entry.storedAt >= this.#options.maxAgeMs) {
      this.#chars -= token.length;
      return undefined;
    }
    this.#entries.set(token, entry); // most recently used last
    return entry;
  }

  set(token: string, value: VerifiedSignature): void {
    if (token.length > this.#options.maxChars || this.#options.maxEntries <= 0) return;
    if (this.#options.secondSight === true && !this.#seenBefore(token)) return;
    const old = this.#entries.get(token);
    if (old !== undefined) {
      this.#entries.delete(token);
      this.#chars -= token.length;
    }
    this.#entries.set(token, { ...value, storedAt: this.#clock() });
    this.#chars += token.length;
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#options.maxEntries && this.#chars <= this.#options.maxChars) break;
      this.#entries.delete(key);
      this.#chars -= key.length;
    }
  }

  /** Whether the token's fingerprint is remembered; if not, it is remembered from now on. */
  #seenBefore(token: string): boolean {
    const fingerprint = token.slice(-FINGERPRINT_LENGTH);
    if (this.#recent.has(fingerprint) || this.#older.has(fingerprint)) return true;
    this.#recent.add(fingerprint);
    if (this.#recent.size >= this.#options.maxEntries) {
      this.#older = this.#recent;
      this.#recent = new Set();
    }
    return false;
  }
}
