/**
 * The request log: one short human-readable line per request on stderr (README "Request log"), from the same record
 * as the audit log: time, action, role, session, decision, and for a refusal the AWS error code and the emulator's
 * reason (or AWS's message when there is no reason). Every field comes from the request or the token, so each is
 * made safe to print: control and line-breaking characters are escaped, so a record is always one line, and each
 * field is cut to a bound, so a line is at most a couple of thousand characters.
 */
import type { AuditRecord, AuditSink } from './audit.js';

/** The longest each field may print (in UTF-16 units, escapes included), before the `…` that marks a cut. */
const LIMITS = { time: 40, action: 64, role: 256, session: 128, code: 64, reason: 1000 } as const;

/** Printable ASCII other than space and `"`: a value made only of these is printed as is. */
const BARE = /^[\x21\x23-\x7e]+$/;
/** Printable ASCII: text made only of these needs no escaping. */
const PLAIN = /^[\x20-\x7e]*$/;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Characters that could break the line, move the cursor, reorder the text or hide part of it. */
function unsafe(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp <= 0x9f) || // DEL, C1 controls (NEL, CSI ...)
    (cp >= 0xd800 && cp <= 0xdfff) || // a lone surrogate (for...of yields pairs whole)
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x202a && cp <= 0x202e) || // bidirectional embeddings and overrides
    (cp >= 0x2066 && cp <= 0x2069) || // bidirectional isolates
    cp === 0xfeff
  );
}

/** The text with unsafe characters escaped, cut to `max` UTF-16 units (then `…`). */
function clean(text: string, max: number): string {
  if (text.length <= max && PLAIN.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    const piece = unsafe(cp) ? (SHORT_ESCAPES[ch] ?? `\\u${cp.toString(16).padStart(4, '0')}`) : ch;
    if (out.length + piece.length > max) return `${out}…`;
    out += piece;
  }
  return out;
}

/** A `key=value` field: the value bare when it is plain, quoted otherwise (so a space cannot fake another field). */
function field(key: string, value: string | null, max: number): string {
  if (value === null || value === '') return `${key}=-`;
  if (value.length <= max && BARE.test(value)) return `${key}=${value}`;
  return `${key}="${clean(value.replace(/["\\]/g, '\\$&'), max)}"`;
}

/**
 * One line (without its newline) for one request, e.g.
 * `2026-03-01T10:00:00.000Z AssumeRoleWithWebIdentity role=arn:aws:iam::123456789012:role/deploy-main session=demo deny AccessDenied: Statement[0]: StringLike ...:sub is false (...)`.
 */
export function requestLogLine(record: AuditRecord): string {
  const parts = [
    clean(record.time, LIMITS.time),
    record.action === '' ? '-' : clean(record.action, LIMITS.action),
    field('role', record.role, LIMITS.role),
    field('session', record.sessionName, LIMITS.session),
    record.decision,
  ];
  const line = parts.join(' ');
  if (record.errorCode === null) return line;
  const why = record.reason ?? record.message;
  return `${line} ${clean(record.errorCode, LIMITS.code)}${why === null || why === '' ? '' : `: ${clean(why, LIMITS.reason)}`}`;
}

/**
 * A sink that writes each record's line to `write` (the process's stderr in `serve`). The lines of one event-loop
 * turn go out in one write; a write that throws is ignored (the log is for people watching, the server keeps serving).
 */
export function requestLogSink(write: (text: string) => void): AuditSink {
  let pending = '';
  const flush = (): void => {
    const text = pending;
    pending = '';
    try {
      write(text);
    } catch {
      // stderr is gone: nothing to do.
    }
  };
  return (record) => {
    if (pending === '') setImmediate(flush);
    pending += requestLogLine(record) + '\n';
  };
}
