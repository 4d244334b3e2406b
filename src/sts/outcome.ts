/**
 * What one STS call decided, for the renderer, the audit log, `explain` and the regression runner.
 * The same record comes out of the server and the in-process runner.
 */
import type { StsError } from '../protocol/errors.js';
import type { XmlNode } from '../protocol/xml.js';
import type { EvaluationResult } from '../policy/policy.js';
import type { RequestContext } from '../policy/types.js';

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
}

export type StsOutcome =
  | { readonly ok: true; readonly action: string; readonly result: readonly (XmlNode | undefined)[]; readonly audit: AuditInfo }
  | { readonly ok: false; readonly action: string; readonly error: StsError; readonly audit: AuditInfo };
