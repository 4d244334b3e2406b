/**
 * What one STS call decided, for the renderer, the audit log, `explain` and the regression runner. The same record
 * comes out of the server and the in-process runner. Operations fill a Trail as they go (the one audit builder) and
 * `runOperation` turns their result or their StsError into an outcome; anything else is a bug and is rethrown
 * (dispatch answers it as InternalFailure).
 */
import { StsError } from '../protocol/errors.js';
import type { XmlNode } from '../protocol/xml.js';
import type { EvaluationResult } from '../policy/index.js';
import type { RequestContext } from '../policy/index.js';
import type { NearMiss } from './near-miss.js';

export interface AuditInfo {
  readonly action: string;
  readonly role?: string;
  readonly sessionName?: string;
  readonly subject?: string;
  readonly issuer?: string;
  /** The provider that matched `iss`, or why none did. */
  readonly provider?: string;
  readonly audience?: string;
  /** The policy evaluation, when the call got that far. */
  readonly evaluation?: EvaluationResult;
  readonly context?: RequestContext;
  /** Text for an absent key in explain output (why AWS would not have it). */
  readonly describeAbsent?: (key: string) => string | undefined;
  /** What to change, for a refusal (near-miss.ts); computed when asked. */
  readonly nearMisses?: () => readonly NearMiss[];
}

/** What an operation answered: a result (`null` for an operation whose model has no output) or an error. */
export type StsOutcome =
  | {
      readonly ok: true;
      readonly action: string;
      readonly result: readonly (XmlNode | undefined)[] | null;
      readonly audit: AuditInfo;
      /** The answer's XML namespace when it is not STS's (the IAM API). */
      readonly xmlns?: string;
    }
  | { readonly ok: false; readonly action: string; readonly error: StsError; readonly audit: AuditInfo; readonly xmlns?: string };

/** What an operation has learnt so far about the call it is deciding. */
export type Trail = { -readonly [K in keyof AuditInfo]: AuditInfo[K] };

/** Runs one operation with a fresh trail: its result or its StsError becomes the outcome (in namespace `xmlns`, if given). */
export async function runOperation(
  action: string,
  body: (trail: Trail) => Promise<readonly (XmlNode | undefined)[] | null>,
  xmlns?: string,
): Promise<StsOutcome> {
  const trail: Trail = { action };
  const ns = xmlns === undefined ? {} : { xmlns };
  try {
    return { ok: true, action, result: await body(trail), audit: trail, ...ns };
  } catch (e) {
    if (!(e instanceof StsError)) throw e;
    return { ok: false, action, error: e, audit: trail, ...ns };
  }
}

/** The allow / deny / error label of an outcome, as the audit log, explain and the regression runner print it. */
export function decisionOf(outcome: StsOutcome): 'allow' | 'deny' | 'error' {
  if (outcome.ok) return 'allow';
  return outcome.error.code === 'AccessDenied' ? 'deny' : 'error';
}
