/** The recent decisions, kept in memory for the package API, the admin surface and the demo page: a bounded ring. */
import type { AuditRecord, AuditSink } from '../server/index.js';

export interface DecisionLog {
  readonly sink: AuditSink;
  /** The kept records, oldest first. */
  list(): readonly AuditRecord[];
  clear(): void;
}

export function createDecisionLog(capacity = 500): DecisionLog {
  let ring: AuditRecord[] = [];
  let next = 0;
  return {
    sink(record) {
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
