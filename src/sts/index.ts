/**
 * The public entry of the STS operations, for server/ and cli/: build the operations from their dependencies,
 * dispatch a query-protocol request, or decide AssumeRoleWithWebIdentity in-process.
 */
export { dispatch, stsOperations, API_VERSION, IAM_API_VERSION, type Operation, type Operations, type QueryRequest } from './dispatch.js';
export { assumeRoleInProcess, type InProcessCall } from './web-identity.js';
export { decisionOf, runOperation, type AuditInfo, type StsOutcome, type Trail } from './outcome.js';
export { decidingParts, type DecidingPart } from './deny-reason.js';
export type { StsDeps } from './deps.js';
export { createCredentialAuthority, type CredentialAuthority, type SessionClaims } from './credentials.js';
export { verifySigV4, type SigV4Request, type SigV4Verified } from './sigv4.js';
export { indexRoles, isRoleArn, roleArnFor, type RoleIndex } from './roles.js';
export { isRoleSessionName } from './params.js';
export { pooledRandomBytes } from './random-pool.js';
export { resolveServerKey, SERVER_KEY_ENV, ServerKeyError, type ResolvedServerKey } from './server-key.js';
export type { ClaimKeyMode } from './request-context.js';
export { sessionArn } from './caller.js';
export { NEAR_MISS_KINDS, type NearMiss, type NearMissKind } from './near-miss.js';
