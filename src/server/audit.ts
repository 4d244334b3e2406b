/**
 * The audit log: one JSON line per decision (README "Audit log"): time, request id, action, role, session
 * name, subject, issuer, decision, error code and message, the emulator's reason, the policy trace and, for a
 * refusal, its near misses (what to change).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { AuditFields } from '../protocol/json-service.js';
import { decisionOf, type StsOutcome } from '../sts/index.js';
import { stderrWriter } from './failure-log.js';

/** One decision: when, which request, and its fields (AWS's, or a JSON service's: src/protocol/json-service.ts). */
export interface AuditRecord extends AuditFields {
  readonly time: string;
  readonly requestId: string;
}

export type AuditSink = (record: AuditRecord) => void;

/**
 * A sink that keeps records for later readers (the recent decisions): it is given each record without its near misses,
 * and how to work them out when someone reads the record. A busy server refuses thousands of tokens a second and
 * reads few of them; working the near misses out for each costs more than the rest of the record.
 */
export interface RecordKeeper {
  keep(record: AuditRecord, nearMisses: (() => readonly string[]) | undefined): void;
}

const NONE: readonly string[] = Object.freeze([]);

/** What the server tells about each answer it wrote: the outcome, its request id, when. Records are built from it. */
export type AnswerListener = (outcome: StsOutcome, requestId: string, time: Date) => void;

/**
 * A listener that builds each answer's audit record once and hands it to `sinks`. Near misses are worked out at once
 * when a plain sink (the audit log, the request log, a function) is among them, and otherwise left to the keepers.
 */
export function auditTo(...sinks: readonly (AuditSink | RecordKeeper)[]): AnswerListener {
  const writers = sinks.filter((s): s is AuditSink => typeof s === 'function');
  const keepers = sinks.filter((s): s is RecordKeeper => typeof s !== 'function');
  return (outcome, requestId, time) => {
    const misses = outcome.ok ? undefined : outcome.audit.nearMisses;
    const later = misses === undefined ? undefined : (): readonly string[] => misses().map((m) => m.text);
    const now = writers.length !== 0 && later !== undefined;
    const record = auditRecord(outcome, requestId, time, now ? later() : NONE);
    for (const sink of writers) sink(record);
    for (const keeper of keepers) keeper.keep(record, now ? undefined : later);
  };
}

/** A sink of ready records (a JSON service's decisions) for plain sinks and keepers alike. */
export function recordTo(...sinks: readonly (AuditSink | RecordKeeper)[]): AuditSink {
  return (record) => {
    for (const sink of sinks) {
      if (typeof sink === 'function') sink(record);
      else sink.keep(record, undefined);
    }
  };
}

/** The record of one answer; `nearMisses` default: worked out now. */
export function auditRecord(outcome: StsOutcome, requestId: string, time: Date, nearMisses?: readonly string[]): AuditRecord {
  const a = outcome.audit;
  return {
    time: time.toISOString(),
    requestId,
    action: outcome.action,
    role: a.role ?? null,
    sessionName: a.sessionName ?? null,
    subject: a.subject ?? null,
    issuer: a.issuer ?? null,
    decision: decisionOf(outcome),
    errorCode: outcome.ok ? null : outcome.error.code,
    message: outcome.ok ? null : outcome.error.message,
    reason: outcome.ok ? null : (outcome.error.reason ?? null),
    trace: a.evaluation ?? null,
    nearMisses: nearMisses ?? (outcome.ok ? NONE : (a.nearMisses?.().map((m) => m.text) ?? NONE)),
  };
}

/** The audit log asked for: a sink, how many records could not be written, and a close that flushes. */
export interface AuditLog {
  readonly sink: AuditSink | undefined;
  /** Records lost to write failures so far. */
  lost(): number;
  close(): void;
}

/** An audit log that cannot be opened: the server refuses to start. */
export class AuditLogError extends Error {
  override readonly name = 'AuditLogError';
}

/**
 * `-` or `stderr` for standard error, `off` for nothing, anything else a file appended to (mode 0600), opened now:
 * a missing directory, a directory or no permission throws AuditLogError. Records are written once per event-loop
 * turn; a write that fails (ENOSPC, EIO ...) is reported once on `report`, its records are counted as lost, the
 * server keeps serving and the next turn tries again (and says so when writing works again).
 */
export function openAuditLog(target: string, report: (text: string) => void): AuditLog {
  if (target === 'off') return { sink: undefined, lost: () => 0, close: () => undefined };
  if (target === '-' || target === 'stderr') {
    const write = stderrWriter(); // a reader that goes away (| head, a dead collector) never takes the server down
    return { sink: (r) => write(JSON.stringify(r) + '\n'), lost: () => 0, close: () => undefined };
  }
  let fd: number;
  try {
    fd = openSync(target, 'a', 0o600);
  } catch (e) {
    throw new AuditLogError(`cannot open --audit-log ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let pending: string[] = [];
  let lost = 0;
  let failing = false;
  const flush = (): void => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      const bytes = Buffer.from(batch.join(''), 'utf8');
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
      if (failing) report(`sts-emulator: audit log ${target}: writing again (${lost} records lost)\n`);
      failing = false;
    } catch (e) {
      lost += batch.length;
      if (!failing)
        report(
          `sts-emulator: audit log ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; records are lost until writing works again, the server keeps serving\n`,
        );
      failing = true;
    }
  };
  return {
    sink: (r) => {
      if (pending.push(JSON.stringify(r) + '\n') === 1) setImmediate(flush);
    },
    lost: () => lost,
    close: () => {
      flush();
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    },
  };
}
