/**
 * The one assume-role core, shared by AssumeRoleWithWebIdentity and AssumeRole: the trust policy for the action,
 * then for the extra actions the request needs (sts:TagSession, sts:SetSourceIdentity), the session policy's packed
 * size, the duration rules, the credentials and the AssumedRoleUser. Synchronous; time comes in as `now`.
 */
import { MESSAGES, StsError } from '../protocol/errors.js';
import type { XmlNode } from '../protocol/xml.js';
import { evaluate, type EvaluationResult } from '../policy/index.js';
import type { CallerPrincipal, RequestContext } from '../policy/index.js';
import type { RoleConfig } from '../config/types.js';
import type { IssuedCredentials } from './credentials.js';
import type { StsDeps } from './deps.js';
import { denyReason } from './deny-reason.js';
import type { Trail } from './outcome.js';
import { checkSessionPolicy } from './session-policy.js';

/** AWS's text for a chained session longer than an hour. */
export const CHAINED_DURATION_MESSAGE =
  'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';
const CHAINED_MAX_SECONDS = 3600;
const DEFAULT_DURATION_SECONDS = 3600;

export interface AssumeRequest {
  readonly role: RoleConfig;
  readonly principal: CallerPrincipal;
  /** sts:AssumeRoleWithWebIdentity or sts:AssumeRole. */
  readonly action: string;
  readonly context: RequestContext;
  /** Actions the trust policy must also allow, and why the request needs each. */
  readonly extraActions: readonly { readonly action: string; readonly why: string }[];
  readonly sessionName: string;
  /** The Policy parameter, and the characters of session tags packed with it. */
  readonly policy: string | undefined;
  readonly tagChars: number;
  readonly durationSeconds: number | undefined;
  /** Role chaining: at most an hour, whatever the role allows. */
  readonly chained: boolean;
  readonly sourceIdentity: string | undefined;
  /** The operation's AccessDenied for an action the trust policy does not allow. */
  readonly denied: (action: string, reason: string, evaluation: EvaluationResult) => StsError;
}

export interface Assumed {
  readonly credentials: IssuedCredentials;
  readonly assumedRoleUser: XmlNode;
  readonly packedPolicySize: number | undefined;
}

export function assumeRole(deps: StsDeps, now: Date, req: AssumeRequest, trail: Trail): Assumed {
  const { role } = req;
  const base = { principal: req.principal, action: req.action, context: req.context };
  const evaluation = evaluate(role.trustPolicy, base);
  trail.evaluation = evaluation;
  if (evaluation.decision !== 'allow') throw req.denied(req.action, denyReason(evaluation), evaluation);
  for (const extra of req.extraActions) {
    const ev = evaluate(role.trustPolicy, { ...base, action: extra.action });
    if (ev.decision !== 'allow') {
      trail.evaluation = ev; // the audit trace and explain show the evaluation that refused
      throw req.denied(extra.action, `${extra.why}, which needs ${extra.action} in the trust policy`, ev);
    }
  }

  const packedPolicySize = checkSessionPolicy(req.policy, req.tagChars);
  const duration = req.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (req.chained && duration > CHAINED_MAX_SECONDS) {
    throw new StsError('ValidationError', CHAINED_DURATION_MESSAGE, {
      reason: `role chaining: DurationSeconds ${duration} > ${CHAINED_MAX_SECONDS}`,
    });
  }
  if (duration > role.maxSessionDuration) {
    throw new StsError('ValidationError', MESSAGES.durationExceedsMax, {
      reason: `DurationSeconds ${duration} > MaxSessionDuration ${role.maxSessionDuration}`,
    });
  }
  const issuedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const credentials = deps.credentials.issue({
    accountId: deps.accountId,
    roleArn: role.arn,
    roleName: role.roleName,
    roleId: role.roleId,
    sessionName: req.sessionName,
    expiration: new Date(issuedAt.getTime() + duration * 1000),
    issuedAt,
    chained: req.chained,
    ...(req.sourceIdentity === undefined ? {} : { sourceIdentity: req.sourceIdentity }),
  });
  const assumedRoleUser: XmlNode = [
    'AssumedRoleUser',
    [
      ['AssumedRoleId', `${role.roleId}:${req.sessionName}`],
      ['Arn', assumedRoleArn(deps.accountId, role.roleName, req.sessionName)],
    ],
  ];
  return { credentials, assumedRoleUser, packedPolicySize };
}

/** arn:aws:sts::<account>:assumed-role/<role name>/<session>: the role's path is dropped, as AWS does. */
export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}
