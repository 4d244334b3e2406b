/** GetCallerIdentity: who the signed caller is (any issued session may ask; no policy is evaluated). */
import { authenticateCaller, sessionArn } from './caller.js';
import type { StsDeps } from './deps.js';
import type { QueryRequest } from './query-request.js';
import { runOperation, type StsOutcome } from './outcome.js';

export function getCallerIdentity(deps: StsDeps, req: QueryRequest): Promise<StsOutcome> {
  return runOperation('GetCallerIdentity', async (trail) => {
    const s = authenticateCaller(deps, req, deps.clock(), trail);
    return [
      ['Arn', sessionArn(s)],
      ['UserId', `${s.roleId}:${s.sessionName}`],
      ['Account', s.accountId],
    ];
  });
}
