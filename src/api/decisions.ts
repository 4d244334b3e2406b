/**
 * The recent decisions, kept in memory for the package API and the admin surface: a bounded ring.
 * It keeps what the server told (outcome, request id, time) and builds the audit records only when they are read,
 * so a busy server pays for a record only when someone looks.
 */
import { auditRecord, type AnswerListener, type AuditRecord } from '../server/index.js';

export interface DecisionLog {
  readonly listener: AnswerListener;
  /** The kept records, oldest first. */
  list(): readonly AuditRecord[];
  clear(): void;
}

type Told = Parameters<AnswerListener>;

export const DEFAULT_KEEP_DECISIONS = 500;

export function createDecisionLog(capacity = DEFAULT_KEEP_DECISIONS): DecisionLog {
  if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`keepDecisions must be a whole number from 0, got ${capacity}`);
  let ring: Told[] = [];
  let next = 0;
  return {
    listener(outcome, requestId, time) {
      if (capacity === 0) return;
      const told: Told = [outcome, requestId, time];
      if (ring.length < capacity) ring.push(told);
      else ring[next] = told;
      next = (next + 1) % capacity;
    },
    list: () => (ring.length < capacity ? ring : [...ring.slice(next), ...ring.slice(0, next)]).map((t) => auditRecord(...t)),
    clear() {
      ring = [];
      next = 0;
    },
  };
}
