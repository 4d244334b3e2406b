/**
 * Dispatch on Action and Version over a table of operations; every path ends in an StsOutcome, never a thrown error
 * (anything unexpected is an InternalFailure outcome carrying its cause).
 */
import { StsError, toStsError } from '../protocol/errors.js';
import { IAM_XMLNS } from '../protocol/xml.js';
import type { StsDeps } from './deps.js';
import { assumeRoleChained } from './assume-role.js';
import { getCallerIdentity } from './get-caller-identity.js';
import type { StsOutcome } from './outcome.js';
import type { Operations, QueryRequest } from './query-request.js';
import { assumeRoleWithWebIdentity } from './web-identity.js';

export type { Operation, Operations, QueryRequest } from './query-request.js';

export const API_VERSION = '2011-06-15';
/** The IAM API's version: requests carrying it go to the IAM table (src/iam/), answered in IAM's namespace. */
export const IAM_API_VERSION = '2010-05-08';

/** The STS operations the emulator serves. */
export function stsOperations(deps: StsDeps): Operations {
  return {
    AssumeRoleWithWebIdentity: (req) => assumeRoleWithWebIdentity(deps, req.params, req.sourceIp),
    AssumeRole: (req) => assumeRoleChained(deps, req),
    GetCallerIdentity: (req) => getCallerIdentity(deps, req),
  };
}

/**
 * One dispatch for every query-protocol request: STS's table for Version 2011-06-15, the IAM table (when the server
 * has one) for 2010-05-08, chosen by comparing the Version text, so an STS request never consults the IAM table.
 */
export async function dispatch(operations: Operations, req: QueryRequest, iam?: Operations): Promise<StsOutcome> {
  const action = req.params.get('Action');
  const version = req.params.get('Version');
  const table = version === API_VERSION ? operations : version === IAM_API_VERSION ? iam : undefined;
  try {
    if (action === undefined || action === '') throw new StsError('MissingAction', 'Missing Action');
    if (version === undefined) throw new StsError('MissingParameter', 'The request must contain the parameter Version');
    const operation = table !== undefined && Object.hasOwn(table, action) ? table[action] : undefined;
    if (operation === undefined) throw new StsError('InvalidAction', `Could not find operation ${action} for version ${version}`);
    return await operation(req);
  } catch (e) {
    const refused: StsOutcome = { ok: false, action: action ?? '', error: toStsError(e), audit: { action: action ?? '' } };
    return table !== undefined && table === iam ? { ...refused, xmlns: IAM_XMLNS } : refused;
  }
}
