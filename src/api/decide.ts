/**
 * The in-process decision, as `test` and `explain` make it and as test suites call it through the package API:
 * AssumeRoleWithWebIdentity for a role with a token, or with claims an emulated issuer would sign, without HTTP.
 */
import { randomUUID } from 'node:crypto';
import { assumeRoleInProcess, type InProcessCall, type StsOutcome } from '../sts/index.js';
import { claimsFor, type ClaimsSpec } from './claims-spec.js';
import { explainJson, explainText, type ExplainJson } from './explain.js';
import { IssuerChoiceError } from './issuers.js';
import type { Runtime } from './runtime.js';

export interface DecideCall extends ClaimsSpec {
  /** Role name or ARN. */
  readonly role: string;
  /** A whole token, verified as the server verifies it (instead of preset/claims). */
  readonly token?: string;
  readonly sessionName?: string;
  readonly durationSeconds?: number;
  readonly sourceIp?: string;
  /** A session policy (the Policy parameter), as an object or its JSON text. */
  readonly policy?: string | Readonly<Record<string, unknown>>;
}

/** One decision: what the client would get, and every reason behind it (explain --json's view, with the text). */
export type Decision = Omit<ExplainJson, 'result'> & {
  readonly decision: ExplainJson['result'];
  /** The same, as `explain` prints it (the near misses last, one line each). */
  readonly explain: string;
};

/** The outcome of one in-process call. */
export function outcomeOf(runtime: Runtime, where: string, call: DecideCall, now: Date = runtime.deps.clock()): Promise<StsOutcome> {
  const session: Omit<InProcessCall, 'token' | 'claims'> = {
    role: call.role,
    ...(call.sessionName === undefined ? {} : { sessionName: call.sessionName }),
    ...(call.durationSeconds === undefined ? {} : { durationSeconds: call.durationSeconds }),
    ...(call.sourceIp === undefined ? {} : { sourceIp: call.sourceIp }),
    ...(call.policy === undefined ? {} : { policy: typeof call.policy === 'string' ? call.policy : JSON.stringify(call.policy) }),
  };
  if (call.token !== undefined) {
    if (call.preset !== undefined || call.claims !== undefined || call.issuer !== undefined) {
      return Promise.reject(new IssuerChoiceError('give token, or preset/claims/issuer, not both'));
    }
    return assumeRoleInProcess(runtime.deps, { ...session, token: call.token });
  }
  if (call.preset === undefined && call.claims === undefined) return Promise.reject(new IssuerChoiceError('give token, preset or claims'));
  return assumeRoleInProcess(runtime.deps, { ...session, claims: claimsFor(runtime.config, where, call, now, randomUUID()) });
}

/** The decision of one in-process call. */
export async function decideWith(runtime: Runtime, where: string, call: DecideCall): Promise<Decision> {
  const outcome = await outcomeOf(runtime, where, call);
  const { result, ...view } = explainJson(outcome);
  return { decision: result, ...view, explain: explainText(outcome) };
}
