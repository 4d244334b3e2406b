/**
 * A bounded LRU of tokens whose signature already verified, keyed by the exact token string (a
 * re-encoded variant simply misses and is verified in full). It stores only what the signature
 * proves: provider, header, claims. Claim checks still run on every hit with the caller's `now`.
 * Entries live at most `maxAgeMs` (the JWKS cache age), so a key removed by the IdP stops verifying
 * cached tokens no later than it would stop verifying fresh ones.
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
}

interface Entry extends VerifiedSignature {
  readonly storedAt: number;
}

export class TokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #options: TokenCacheOptions;
  readonly #clock: () => number;
  #chars = 0;

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
}
