/**
 * The signed operations: GetCallerIdentity and AssumeRole (role chaining), authenticated by SigV4 with
 * credentials this emulator issued (stateless: the session token carries the session).
 */
import { MESSAGES, StsError } from '../protocol/errors.js';
import type { XmlNode } from '../protocol/xml.js';
import { evaluate } from '../policy/policy.js';
import type { RequestContext } from '../policy/types.js';
import type { CredentialAuthority, SessionClaims } from './credentials.js';
import { credentialsNode } from './credentials-xml.js';
import type { StsDeps } from './deps.js';
import type { QueryRequest } from './dispatch.js';
import type { AuditInfo, StsOutcome } from './outcome.js';
import { readAssumeRoleParams } from './params.js';
import { denyReason } from './deny-reason.js';
import { isoSeconds } from './request-context.js';
import { checkSessionPolicy } from './session-policy.js';
import type { SignedOps } from './signed-ops.js';
import { verifySigV4 } from './sigv4.js';
import { assumedRoleArn } from './web-identity.js';

/** AWS's text for a chained session longer than an hour. */
export const CHAINED_DURATION_MESSAGE = 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';
const CHAINED_MAX_SECONDS = 3600;

export function createSignedOps(deps: StsDeps, authority: CredentialAuthority): SignedOps {
  function authenticate(req: QueryRequest, now: Date): SessionClaims {
    const verified = verifySigV4(
      { method: req.method, path: req.path, rawQuery: req.rawQuery, headers: req.headers, body: req.body },
      { now, lookup: (akid, token) => authority.authenticate(akid, token, now) },
    );
    return verified.credentials.session;
  }

  async function handle(action: 'GetCallerIdentity' | 'AssumeRole', req: QueryRequest): Promise<StsOutcome> {
    const audit: { -readonly [K in keyof AuditInfo]: AuditInfo[K] } = { action };
    try {
      const now = deps.clock();
      const session = authenticate(req, now);
      audit.sessionName = session.sessionName;
      audit.subject = assumedRoleArn(session.accountId, session.roleName, session.sessionName);
      const result = action === 'GetCallerIdentity' ? callerIdentity(session) : assumeRole(session, req, now, audit);
      return { ok: true, action, result, audit };
    } catch (e) {
      if (!(e instanceof StsError)) throw e;
      return { ok: false, action, error: e, audit };
    }
  }

  function callerIdentity(s: SessionClaims): XmlNode[] {
    return [
      ['Arn', assumedRoleArn(s.accountId, s.roleName, s.sessionName)],
      ['UserId', `${s.roleId}:${s.sessionName}`],
      ['Account', s.accountId],
    ];
  }

  function assumeRole(caller: SessionClaims, req: QueryRequest, now: Date, audit: { -readonly [K in keyof AuditInfo]: AuditInfo[K] }): (XmlNode | undefined)[] {
    const p = readAssumeRoleParams(req.params);
    audit.role = p.roleArn;
    audit.sessionName = p.roleSessionName;
    const role = deps.roles.find(p.roleArn);
    const callerSessionArn = assumedRoleArn(caller.accountId, caller.roleName, caller.sessionName);
    if (role === undefined) {
      throw new StsError('AccessDenied', `User: ${callerSessionArn} is not authorized to perform: sts:AssumeRole on resource: ${p.roleArn}`, {
        reason: `no role ${p.roleArn} in account ${deps.accountId}`,
      });
    }
    if (caller.sourceIdentity !== undefined && p.sourceIdentity !== undefined && p.sourceIdentity !== caller.sourceIdentity) {
      throw new StsError('AccessDenied', `User: ${callerSessionArn} is not authorized to perform: sts:SetSourceIdentity on resource: ${role.arn}`, {
        reason: 'a source identity, once set, cannot be changed in later sessions',
      });
    }
    const sourceIdentity = p.sourceIdentity ?? caller.sourceIdentity;
    const context = chainedContext(caller, p.roleSessionName, p.externalId, sourceIdentity, role.tags, now, req.sourceIp);
    audit.context = context;
    const principal = { aws: [caller.roleArn, callerSessionArn] };
    const request = { principal, action: 'sts:AssumeRole', context };
    const evaluation = evaluate(role.trustPolicy, request);
    audit.evaluation = evaluation;
    if (evaluation.decision !== 'allow') {
      throw new StsError('AccessDenied', `User: ${callerSessionArn} is not authorized to perform: sts:AssumeRole on resource: ${role.arn}`, {
        reason: denyReason(evaluation),
        detail: evaluation,
      });
    }
    if (p.sourceIdentity !== undefined && caller.sourceIdentity === undefined) {
      const ev = evaluate(role.trustPolicy, { ...request, action: 'sts:SetSourceIdentity' });
      if (ev.decision !== 'allow') {
        throw new StsError('AccessDenied', `User: ${callerSessionArn} is not authorized to perform: sts:SetSourceIdentity on resource: ${role.arn}`, {
          reason: 'SourceIdentity needs sts:SetSourceIdentity in the trust policy',
          detail: ev,
        });
      }
    }
    const packed = checkSessionPolicy(p.policy, 0);
    const duration = p.durationSeconds ?? 3600;
    if (duration > CHAINED_MAX_SECONDS) {
      throw new StsError('ValidationError', CHAINED_DURATION_MESSAGE, { reason: `role chaining: DurationSeconds ${duration} > 3600` });
    }
    if (duration > role.maxSessionDuration) throw new StsError('ValidationError', MESSAGES.durationExceedsMax);
    const issuedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const creds = authority.issue({
      accountId: deps.accountId,
      roleArn: role.arn,
      roleName: role.roleName,
      roleId: role.roleId,
      sessionName: p.roleSessionName,
      expiration: new Date(issuedAt.getTime() + duration * 1000),
      issuedAt,
      chained: true,
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
    });
    return [
      credentialsNode(creds),
      ['AssumedRoleUser', [
        ['AssumedRoleId', `${role.roleId}:${p.roleSessionName}`],
        ['Arn', assumedRoleArn(deps.accountId, role.roleName, p.roleSessionName)],
      ]],
      packed === undefined ? undefined : ['PackedPolicySize', packed],
      sourceIdentity === undefined ? undefined : ['SourceIdentity', sourceIdentity],
    ];
  }

  function chainedContext(
    caller: SessionClaims,
    sessionName: string,
    externalId: string | undefined,
    sourceIdentity: string | undefined,
    roleTags: readonly { Key: string; Value: string }[],
    now: Date,
    sourceIp: string | undefined,
  ): RequestContext {
    const values = new Map<string, string[]>();
    const set = (k: string, v: string | undefined): void => {
      if (v !== undefined) values.set(k.toLowerCase(), [v]);
    };
    set('sts:RoleSessionName', sessionName);
    set('aws:PrincipalArn', caller.roleArn);
    set('aws:userid', `${caller.roleId}:${caller.sessionName}`);
    set('aws:PrincipalAccount', caller.accountId);
    set('aws:PrincipalType', 'AssumedRole');
    set('sts:ExternalId', externalId);
    set('sts:SourceIdentity', sourceIdentity);
    set('aws:SourceIdentity', caller.sourceIdentity);
    set('aws:RequestedRegion', deps.region);
    set('aws:CurrentTime', isoSeconds(now));
    set('aws:EpochTime', String(Math.floor(now.getTime() / 1000)));
    set('aws:SecureTransport', 'false');
    set('aws:SourceIp', sourceIp);
    for (const t of roleTags) {
      set(`aws:ResourceTag/${t.Key}`, t.Value);
      set(`iam:ResourceTag/${t.Key}`, t.Value);
    }
    return { values, multiValued: new Set() };
  }

  return { handle };
}
