/**
 * AssumeRole from a role session this emulator issued (role chaining): the caller is authenticated by SigV4, the
 * trust policy sees it as "AWS": <role arn> or <session arn>, and the new session lasts at most an hour.
 */
import { StsError } from '../protocol/errors.js';
import { assumeRole as assume } from './assume-core.js';
import { authenticateCaller, sessionArn } from './caller.js';
import { credentialsNode } from './credentials-xml.js';
import type { StsDeps } from './deps.js';
import type { QueryRequest } from './query-request.js';
import { runOperation, type StsOutcome } from './outcome.js';
import { readAssumeRoleParams } from './params.js';
import { buildChainedContext } from './request-context.js';

export function assumeRoleChained(deps: StsDeps, req: QueryRequest): Promise<StsOutcome> {
  return runOperation('AssumeRole', async (trail) => {
    const now = deps.clock();
    const caller = authenticateCaller(deps, req, now, trail);
    const p = readAssumeRoleParams(req.params);
    trail.role = p.roleArn;
    trail.sessionName = p.roleSessionName;
    const callerArn = sessionArn(caller);
    const denied = (action: string, resource: string, options: { reason: string; detail?: unknown }): StsError =>
      new StsError('AccessDenied', `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource}`, options);
    const role = deps.roles.find(p.roleArn);
    if (role === undefined) throw denied('sts:AssumeRole', p.roleArn, { reason: `no role ${p.roleArn} in account ${deps.accountId}` });
    if (caller.sourceIdentity !== undefined && p.sourceIdentity !== undefined && p.sourceIdentity !== caller.sourceIdentity) {
      throw denied('sts:SetSourceIdentity', role.arn, { reason: 'a source identity, once set, cannot be changed in later sessions' });
    }
    const sourceIdentity = p.sourceIdentity ?? caller.sourceIdentity;
    const context = buildChainedContext({
      sessionName: p.roleSessionName,
      region: deps.region,
      now,
      sourceIp: req.sourceIp,
      roleTags: role.tags,
      caller,
      externalId: p.externalId,
      sourceIdentity,
    });
    trail.context = context;
    const assumed = assume(
      deps,
      now,
      {
        role,
        principal: { aws: [caller.roleArn, callerArn] },
        action: 'sts:AssumeRole',
        context,
        extraActions:
          p.sourceIdentity !== undefined && caller.sourceIdentity === undefined
            ? [{ action: 'sts:SetSourceIdentity', why: 'the request sets SourceIdentity' }]
            : [],
        sessionName: p.roleSessionName,
        policy: p.policy,
        tagChars: 0,
        durationSeconds: p.durationSeconds,
        chained: true,
        sourceIdentity,
        denied: (action, reason, evaluation) => denied(action, role.arn, { reason, detail: evaluation }),
      },
      trail,
    );
    return [
      credentialsNode(assumed.credentials),
      assumed.assumedRoleUser,
      assumed.packedPolicySize === undefined ? undefined : ['PackedPolicySize', assumed.packedPolicySize],
      sourceIdentity === undefined ? undefined : ['SourceIdentity', sourceIdentity],
    ];
  });
}
