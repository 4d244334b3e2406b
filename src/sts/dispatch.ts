/** Dispatch on Action and Version; every path ends in an StsOutcome, never a thrown error. */
import { StsError, toStsError } from '../protocol/errors.js';
import type { QueryParams } from '../protocol/query.js';
import type { StsDeps } from './deps.js';
import type { StsOutcome } from './outcome.js';
import { assumeRoleWithWebIdentity } from './web-identity.js';
import type { SignedOps } from './signed-ops.js';

export const API_VERSION = '2011-06-15';

export interface QueryRequest {
  readonly params: QueryParams;
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly sourceIp: string | undefined;
}

export async function dispatch(deps: StsDeps, signed: SignedOps | undefined, req: QueryRequest): Promise<StsOutcome> {
  const action = req.params.get('Action');
  try {
    if (action === undefined || action === '') throw new StsError('MissingAction', 'Missing Action');
    const version = req.params.get('Version');
    if (version === undefined) throw new StsError('MissingParameter', 'The request must contain the parameter Version');
    if (version !== API_VERSION) throw new StsError('InvalidAction', `Could not find operation ${action} for version ${version}`);
    switch (action) {
      case 'AssumeRoleWithWebIdentity':
        return await assumeRoleWithWebIdentity(deps, req.params, { sourceIp: req.sourceIp });
      case 'GetCallerIdentity':
      case 'AssumeRole':
        if (signed !== undefined) return await signed.handle(action, req);
        break;
    }
    throw new StsError('InvalidAction', `Could not find operation ${action} for version ${version}`);
  } catch (e) {
    return { ok: false, action: action ?? '', error: toStsError(e), audit: { action: action ?? '' } };
  }
}
