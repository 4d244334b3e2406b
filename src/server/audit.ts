/**
 * The audit log: one JSON line per decision (README "Audit log"): time, request id, action, role, session
 * name, subject, issuer, decision, error code and message, the emulator's reason, and the policy trace.
 */
import { createWriteStream } from 'node:fs';
import { decisionOf, type StsOutcome } from '../sts/index.js';
import { stderrWriter } from './failure-log.js';

export interface AuditRecord {
  readonly time: string;
  readonly requestId: string;
  readonly action: string;
  readonly role: string | null;
  readonly sessionName: string | null;
  readonly subject: string | null;
  readonly issuer: string | null;
  readonly decision: 'allow' | 'deny' | 'error';
  readonly errorCode: string | null;
  readonly message: string | null;
  readonly reason: string | null;
  readonly trace: unknown;
}

export type AuditSink = (record: AuditRecord) => void;

export function auditRecord(outcome: StsOutcome, requestId: string, time: Date): AuditRecord {
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
    reason: outcome.ok ? null : outcome.error.reason ?? null,
    trace: a.evaluation ?? null,
  };
}

/** `-` or `stderr` for standard error, `off` for nothing, anything else a file appended to. */
export function openAuditSink(target: string): { sink: AuditSink | undefined; close: () => Promise<void> } {
  if (target === 'off') return { sink: undefined, close: async () => undefined };
  if (target === '-' || target === 'stderr') {
    const write = stderrWriter(); // a reader that goes away (| head, a dead collector) never takes the server down
    return { sink: (r) => write(JSON.stringify(r) + '\n'), close: async () => undefined };
  }
  const stream = createWriteStream(target, { flags: 'a', mode: 0o600 });
  stream.on('error', (e) => process.stderr.write(`sts-emulator: audit log ${target}: ${e.message}\n`));
  return {
    sink: (r) => void stream.write(JSON.stringify(r) + '\n'),
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}
