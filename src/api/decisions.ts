/**
 * The recent decisions, kept in memory for the package API and the admin surface: a bounded ring of audit records.
 * Records, not outcomes: an outcome holds the verified claims, the request context and the credentials, and keeping
 * those alive past the young generation costs a busy server a fifth of its CPU in garbage collection.
 */
import type { AuditRecord, AuditSink } from '../server/index.js';

export interface DecisionLog {
  /** Undefined when nothing is kept (capacity 0). */
  readonly sink: AuditSink | undefined;
  /** The kept records, oldest first. */
  list(): readonly AuditRecord[];
  clear(): void;
}

export const DEFAULT_KEEP_DECISIONS = 500;

export function createDecisionLog(capacity = DEFAULT_KEEP_DECISIONS): DecisionLog {
  if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`keepDecisions must be a whole number from 0, got ${capacity}`);
  let ring: AuditRecord[] = [];
  let next = 0;
  return {
    sink:
      capacity === 0
        ? undefined
        : (record) => {
            if (ring.length < capacity) ring.push(record);
            else ring[next] = record;
            next = (next + 1) % capacity;
          },
    list: () => (ring.length < capacity ? [...ring] : [...ring.slice(next), ...ring.slice(0, next)]),
    clear() {
      ring = [];
      next = 0;
    },
  };
}
