/**
 * Dispatch on Action and Version over a table of operations; every path ends in an StsOutcome, never a thrown error
 * (anything unexpected is an InternalFailure outcome carrying its cause).
 */
import { StsError, toStsError } from '../protocol/errors.js';
import type { StsDeps } from './deps.js';
import { assumeRoleChained } from './assume-role.js';
import { getCallerIdentity } from './get-caller-identity.js';
import type { StsOutcome } from './outcome.js';
import type { Operations, QueryRequest } from './query-request.js';
import { assumeRoleWithWebIdentity } from './web-identity.js';

export type { Operation, Operations, QueryRequest } from './query-request.js';

export const API_VERSION = '2011-06-15';

/** The STS operations the emulator serves. */
export function stsOperations(deps: StsDeps): Operations {
  return {
    AssumeRoleWithWebIdentity: (req) => assumeRoleWithWebIdentity(deps, req.params, req.sourceIp),
    AssumeRole: (req) => assumeRoleChained(deps, req),
    GetCallerIdentity: (req) => getCallerIdentity(deps, req),
  };
}

export async function dispatch(operations: Operations, req: QueryRequest): Promise<StsOutcome> {
  const action = req.params.get('Action');
  try {
    if (action === undefined || action === '') throw new StsError('MissingAction', 'Missing Action');
    const version = req.params.get('Version');
    if (version === undefined) throw new StsError('MissingParameter', 'The request must contain the parameter Version');
    const operation = version === API_VERSION && Object.hasOwn(operations, action) ? operations[action] : undefined;
    if (operation === undefined) throw new StsError('InvalidAction', `Could not find operation ${action} for version ${version}`);
    return await operation(req);
  } catch (e) {
    return { ok: false, action: action ?? '', error: toStsError(e), audit: { action: action ?? '' } };
  }
}
