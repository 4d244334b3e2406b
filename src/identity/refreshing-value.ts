/**
 * One remote resource (a provider's JWKS, its discovery document) kept across requests, on an injected clock:
 * - fetched on first use, one fetch at a time, shared by every caller that needs it;
 * - fresh for `maxAgeMs`; after that it is still served at once while a refresh runs in the background;
 * - still served while refreshes fail, up to `staleMs` after the last successful fetch; then dropped;
 * - a failed fetch is remembered for `cooldownMs`: no fetch is made in that window, and a caller without a
 *   usable value gets the failure at once instead of waiting on the IdP again;
 * - a caller that needs something newer (a kid the set lacks) may start one refresh per `cooldownMs` window.
 * Nothing runs on a timer: fetches start only from callers, so an idle emulator makes no requests.
 */

export interface RefreshSchedule {
  /** Epoch milliseconds. */
  readonly clock: () => number;
  readonly maxAgeMs: number;
  /** Usable for this long after the last success while refreshes fail (never less than maxAgeMs). */
  readonly staleMs: number;
  readonly cooldownMs: number;
}

/** A fetch failed within the cooldown; no new fetch was made. `cause` is that failure. */
export class CoolingDownError extends Error {
  constructor(cause: unknown, cooldownMs: number) {
    super(`no fetch within ${cooldownMs} ms of a failed one; the last failed with ${describe(cause)}`, { cause });
    this.name = 'CoolingDownError';
  }
}

function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    parts.push(`${typeof code === 'string' ? code : e.name}: ${e.message}`);
  }
  return parts.length === 0 ? String(err) : parts.join(' <- ');
}

export class RefreshingValue<T> {
  readonly #load: (previous: T | undefined) => Promise<T>;
  readonly #clock: () => number;
  readonly #maxAgeMs: number;
  readonly #usableMs: number;
  readonly #cooldownMs: number;
  #value: T | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #failure: unknown;
  #failedAt = Number.NEGATIVE_INFINITY;
  #demandedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<void> | undefined;
  #generation = 0;

  /** `load` fetches the value; returning `previous` itself means "unchanged" (the generation stays). */
  constructor(load: (previous: T | undefined) => Promise<T>, schedule: RefreshSchedule) {
    this.#load = load;
    this.#clock = schedule.clock;
    this.#maxAgeMs = schedule.maxAgeMs;
    this.#usableMs = Math.max(schedule.maxAgeMs, schedule.staleMs);
    this.#cooldownMs = schedule.cooldownMs;
  }

  /** Counts the values fetched that differ from the one before. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * The value to use now. Past its max age it is returned as is while a refresh runs in the background, or with
   * `revalidate`, after that refresh (the stale value if it fails). Rejects when there is no usable value: with
   * the fetch's own failure, or a CoolingDownError within the cooldown of one.
   */
  async get(revalidate = false): Promise<T> {
    const now = this.#clock();
    if (this.#value !== undefined && now - this.#fetchedAt < this.#maxAgeMs) return this.#value;
    if (this.#pending === undefined && now - this.#failedAt >= this.#cooldownMs) this.#start();
    const pending = this.#pending;
    const waited = pending !== undefined && (revalidate || this.#usable(now) === undefined);
    if (waited) await pending;
    const value = this.#usable(this.#clock());
    if (value !== undefined) return value;
    throw waited || this.#failure === undefined ? this.#failure : new CoolingDownError(this.#failure, this.#cooldownMs);
  }

  /**
   * Asks for a newer value (a kid the set lacks): joins the fetch in flight, or starts one unless a fetch failed,
   * or another caller asked, within the cooldown. Resolves once that fetch settled (or at once); never rejects.
   */
  async refresh(): Promise<void> {
    if (this.#pending === undefined) {
      const now = this.#clock();
      if (now - this.#failedAt < this.#cooldownMs || now - this.#demandedAt < this.#cooldownMs) return;
      this.#demandedAt = now;
      this.#start();
    }
    await this.#pending;
  }

  /** The value if it may still be used at `now` (fresh, or stale within the bound). */
  #usable(now: number): T | undefined {
    return now - this.#fetchedAt < this.#usableMs ? this.#value : undefined;
  }

  #start(): void {
    const previous = this.#value;
    const pending = (async () => this.#load(previous))().then(
      (value) => {
        if (value !== this.#value) this.#generation++;
        this.#value = value;
        this.#fetchedAt = this.#clock();
        this.#failure = undefined;
        this.#failedAt = Number.NEGATIVE_INFINITY;
      },
      (err: unknown) => {
        this.#failure = err;
        this.#failedAt = this.#clock();
        if (this.#usable(this.#failedAt) === undefined) this.#value = undefined; // past the stale bound: let it go
      },
    );
    this.#pending = pending.finally(() => {
      this.#pending = undefined;
    });
  }
}
