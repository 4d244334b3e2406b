/**
 * A bounded LRU of tokens whose signature already verified, matched on the exact token string (a
 * re-encoded variant simply misses and is verified in full). It stores only what the signature
 * proves: provider, header, claims. Claim checks still run on every hit with the caller's `now`.
 * Entries live at most `maxAgeMs` (the JWKS cache age), and each records the generation of its provider's keys:
 * the verifier ignores a hit once those keys changed, so a key removed by the IdP stops verifying cached tokens
 * when it stops verifying fresh ones.
 *
 * Looked up by the token's last 12 characters (its signature's, for a JWS), and an entry answers only for the
 * token it holds, compared in full: a request's token is a new string, and a Map keyed by the whole token would
 * hash all of it on every lookup, where the comparison is a memory compare. Two tokens that share their last 12
 * characters never share an entry: the later one replaces the earlier, which then misses and is verified in full.
 *
 * Admission (`secondSight`, the verifier's default): a token is stored only when it is set a second time while
 * its fingerprint (the same 12 characters, copied: V8 slices strings of 13 or more, which would keep the token
 * alive) is still remembered, so a stream of tokens each sent once (a regression suite's) does not churn the
 * cache: entries stored on first sight live long enough to reach V8's old generation, whose collection costs more
 * than such a cache saves (README "Performance"). A repeated token pays one more full verification before its hits.
 */
import type { OidcProvider } from './types.js';

export interface VerifiedSignature {
  readonly provider: OidcProvider;
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  /** The generation of the provider's keys that verified the signature (key-sets.ts `KeyResolver`). */
  readonly keyGeneration?: number;
}

export interface TokenCacheOptions {
  /** Most entries kept (the verifier's default: 1,000). */
  readonly maxEntries: number;
  /** Most token characters kept in total (the verifier's default: 2 Mi), so 20,000-char tokens cannot pin much memory. */
  readonly maxChars: number;
  /** Entry lifetime in real milliseconds. */
  readonly maxAgeMs: number;
  /** The real clock (not the verification `now`), for entry age only (default Date.now). */
  readonly clock?: () => number;
  /**
   * Store a token only on its second set() while its fingerprint is remembered (the fingerprints of the last
   * 1 to 2 x maxEntries first sightings). Default false: every set() stores.
   */
  readonly secondSight?: boolean;
}
/** The part of a token the cache looks up and remembers: short enough to be copied (V8 slices strings of 13+ characters). */
export const FINGERPRINT_LENGTH = 12;

const keyOf = (token: string): string => token.slice(-FINGERPRINT_LENGTH);

interface Entry extends VerifiedSignature {
  readonly token: string;
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
    const key = keyOf(token);
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    this.#entries.delete(key);
    if (this.#clock() - entry.storedAt >= this.#options.maxAgeMs) {
      this.#chars -= token.length;
      return undefined;
    }
    this.#entries.set(key, entry); // most recently used last
    return entry;
  }

  set(token: string, value: VerifiedSignature): void {
    if (token.length > this.#options.maxChars || this.#options.maxEntries <= 0) return;
    const key = keyOf(token);
    if (this.#options.secondSight === true && !this.#seenBefore(key)) return;
    const old = this.#entries.get(key); // this token, or another with the same last characters: replaced
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#chars -= old.token.length;
    }
    this.#entries.set(key, { ...value, token, storedAt: this.#clock() });
    this.#chars += token.length;
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#options.maxEntries && this.#chars <= this.#options.maxChars) break;
      this.#entries.delete(oldest);
      this.#chars -= entry.token.length;
    }
  }

  /** Whether the fingerprint is remembered; if not, it is remembered from now on. */
  #seenBefore(fingerprint: string): boolean {
    if (this.#recent.has(fingerprint) || this.#older.has(fingerprint)) return true;
    this.#recent.add(fingerprint);
    if (this.#recent.size >= this.#options.maxEntries) {
      this.#older = this.#recent;
      this.#recent = new Set();
    }
    return false;
  }
}
