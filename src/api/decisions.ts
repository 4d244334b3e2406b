/**
 * The recent decisions, kept in memory for the package API and the admin surface: a bounded ring of audit records.
 * Records, not outcomes: an outcome holds the verified claims, the request context and the credentials, and keeping
 * those alive past the young generation costs a busy server a fifth of its CPU in garbage collection.
 * Watchers (the page's live list) are told of new records in batches, at most one batch per WATCH_BATCH_MS and
 * WATCH_BATCH_MAX records in it: without a watcher a record costs one size check more, with one the cost is bounded by
 * the batches, not by the request rate.
 */
import type { AuditRecord, AuditSink, RecordKeeper } from '../server/index.js';

/** Told of new decisions (the admin surface's decision stream). */
export interface DecisionWatcher {
  /** New decisions, oldest first; `skipped` counts the older ones of the batch left out to keep it bounded. */
  decisions(records: readonly AuditRecord[], skipped: number): void;
  /** The kept decisions were cleared (reset). */
  cleared(): void;
  /** No more calls: the emulator is stopping. */
  end(): void;
}

export interface DecisionLog {
  /** Undefined when nothing is kept (capacity 0): then no record is built, and watchers are never told. */
  readonly sink: AuditSink | undefined;
  /** The same, for auditTo: a record's near misses are worked out when it is first read. */
  readonly keeper: RecordKeeper | undefined;
  /** The kept records, oldest first. */
  list(): readonly AuditRecord[];
  /** The kept record of one request, if it is still kept. */
  find(requestId: string): AuditRecord | undefined;
  /** Tells `watcher` of every later decision; returns the function that stops it. */
  watch(watcher: DecisionWatcher): () => void;
  clear(): void;
  /** Ends every watcher (the emulator stops). */
  close(): void;
}

export const DEFAULT_KEEP_DECISIONS = 500;
/** How long new decisions wait to be told to watchers together (ms). */
export const WATCH_BATCH_MS = 100;
/** The most records one batch tells; older ones of the batch are counted as skipped. */
export const WATCH_BATCH_MAX = 100;

/** A kept record, and how to work out its near misses until someone reads it. */
interface Kept {
  record: AuditRecord;
  later: (() => readonly string[]) | undefined;
}

function readKept(kept: Kept): AuditRecord {
  if (kept.later !== undefined) {
    kept.record = { ...kept.record, nearMisses: kept.later() };
    kept.later = undefined;
  }
  return kept.record;
}

export function createDecisionLog(capacity = DEFAULT_KEEP_DECISIONS): DecisionLog {
  if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`keepDecisions must be a whole number from 0, got ${capacity}`);
  let ring: Kept[] = [];
  let next = 0;
  const watchers = new Set<DecisionWatcher>();
  let pending: Kept[] = [];
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
    const records = batch.slice(-WATCH_BATCH_MAX).map(readKept);
    each((w) => w.decisions(records, left));
  };
  const queue = (kept: Kept): void => {
    if (pending.push(kept) > 2 * WATCH_BATCH_MAX) {
      const drop = pending.length - WATCH_BATCH_MAX;
      pending = pending.slice(drop);
      skipped += drop;
    }
    if (timer === undefined) {
      timer = setTimeout(flush, WATCH_BATCH_MS);
      timer.unref();
    }
  };
  const ordered = (): Kept[] => (ring.length < capacity ? [...ring] : [...ring.slice(next), ...ring.slice(0, next)]);

  const keep = (record: AuditRecord, later: (() => readonly string[]) | undefined): void => {
    const kept: Kept = { record, later };
    if (watchers.size !== 0) queue(kept);
    if (capacity === 0) return;
    if (ring.length < capacity) ring.push(kept);
    else ring[next] = kept;
    next = (next + 1) % capacity;
  };
  return {
    sink: capacity === 0 ? undefined : (record) => keep(record, undefined),
    keeper: capacity === 0 ? undefined : { keep },
    list: () => ordered().map(readKept),
    find: (requestId) => {
      const kept = ring.find((k) => k.record.requestId === requestId);
      return kept === undefined ? undefined : readKept(kept);
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
