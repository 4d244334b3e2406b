/**
 * The recent decisions, kept in memory for the package API and the admin surface: a bounded ring.
 * It keeps what the server told (outcome, request id, time) and builds the audit records only when they are read,
 * so a busy server pays for a record only when someone looks. Watchers (the page's live list) are told of new
 * decisions in batches, at most one batch per WATCH_BATCH_MS and WATCH_BATCH_MAX records in it: without a watcher an
 * answer costs one size check, with one the cost is bounded by the batches, not by the request rate.
 */
import { auditRecord, type AnswerListener, type AuditRecord } from '../server/index.js';
import type { StsOutcome } from '../sts/index.js';

/** Told of new decisions (the admin surface's decision stream). */
export interface DecisionWatcher {
  /** New decisions, oldest first; `skipped` counts the older ones of the batch left out to keep it bounded. */
  decisions(records: readonly AuditRecord[], skipped: number): void;
  /** The kept decisions were cleared (reset). */
  cleared(): void;
  /** No more calls: the emulator is stopping. */
  end(): void;
}

/** One kept answer, as the server told it. */
export interface KeptAnswer {
  readonly outcome: StsOutcome;
  readonly requestId: string;
  readonly time: Date;
}

export interface DecisionLog {
  readonly listener: AnswerListener;
  /** The kept records, oldest first. */
  list(): readonly AuditRecord[];
  /** The kept answer of one request, if it is still kept. */
  find(requestId: string): KeptAnswer | undefined;
  /** Tells `watcher` of every later decision; returns the function that stops it. */
  watch(watcher: DecisionWatcher): () => void;
  clear(): void;
  /** Ends every watcher (the emulator stops). */
  close(): void;
}

type Told = Parameters<AnswerListener>;

export const DEFAULT_KEEP_DECISIONS = 500;
/** How long new decisions wait to be told to watchers together (ms). */
export const WATCH_BATCH_MS = 100;
/** The most records one batch tells; older ones of the batch are counted as skipped. */
export const WATCH_BATCH_MAX = 100;

export function createDecisionLog(capacity = DEFAULT_KEEP_DECISIONS): DecisionLog {
  if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`keepDecisions must be a whole number from 0, got ${capacity}`);
  let ring: Told[] = [];
  let next = 0;
  const watchers = new Set<DecisionWatcher>();
  let pending: Told[] = [];
  let skipped = 0;
  let timer: NodeJS.Timeout | undefined;

  const each = (call: (w: DecisionWatcher) => void): void => {
    for (const w of [...watchers]) {
      try {
        call(w);
      } catch {
        watchers.delete(w); // a watcher that throws is a broken stream: it is dropped, the server goes on
      }
    }
  };
  const flush = (): void => {
    timer = undefined;
    const batch = pending;
    const left = skipped + Math.max(0, batch.length - WATCH_BATCH_MAX);
    pending = [];
    skipped = 0;
    if (watchers.size === 0 || batch.length === 0) return;
    const records = batch.slice(-WATCH_BATCH_MAX).map((t) => auditRecord(...t));
    each((w) => w.decisions(records, left));
  };
  const queue = (told: Told): void => {
    if (pending.push(told) > 2 * WATCH_BATCH_MAX) {
      const drop = pending.length - WATCH_BATCH_MAX;
      pending = pending.slice(drop);
      skipped += drop;
    }
    if (timer === undefined) {
      timer = setTimeout(flush, WATCH_BATCH_MS);
      timer.unref();
    }
  };
  const ordered = (): Told[] => (ring.length < capacity ? ring : [...ring.slice(next), ...ring.slice(0, next)]);

  return {
    listener(outcome, requestId, time) {
      if (watchers.size !== 0) queue([outcome, requestId, time]);
      if (capacity === 0) return;
      const told: Told = [outcome, requestId, time];
      if (ring.length < capacity) ring.push(told);
      else ring[next] = told;
      next = (next + 1) % capacity;
    },
    list: () => ordered().map((t) => auditRecord(...t)),
    find(requestId) {
      const told = ring.find((t) => t[1] === requestId);
      return told === undefined ? undefined : { outcome: told[0], requestId: told[1], time: told[2] };
    },
    watch(watcher) {
      watchers.add(watcher);
      return () => void watchers.delete(watcher);
    },
    clear() {
      ring = [];
      next = 0;
      pending = [];
      skipped = 0;
      each((w) => w.cleared());
    },
    close() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pending = [];
      each((w) => w.end());
      watchers.clear();
    },
  };
}
