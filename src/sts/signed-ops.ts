/** Signed operations (GetCallerIdentity, AssumeRole). */
import type { QueryRequest } from './dispatch.js';
import type { StsOutcome } from './outcome.js';

export interface SignedOps {
  handle(action: 'GetCallerIdentity' | 'AssumeRole', req: QueryRequest): Promise<StsOutcome>;
}
