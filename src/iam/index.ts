/**
 * The public entry of the IAM API subset (providers and roles over the query protocol, Version 2010-05-08): the table
 * of operations the one dispatch routes to, what it needs (a store over the live configuration), its quotas.
 */
export { iamOperations } from './operations-on-demand.js';
export type { IamDeps, IamLimits } from './deps.js';
export type { IamStore } from './store.js';

/** AWS's default quotas; the trust policy limit is the loader's (docs/behaviour-choices.md, "The IAM API"). */
export { DEFAULT_IAM_LIMITS } from './limits.js';
