/** The public entry of the server, for cli/ and the package API. */
export { createStsServer, DEFAULT_TIMEOUTS, type ServerTimeouts, type StsServerOptions } from './sts-server.js';
export { REASON_HEADER } from './answer.js';
export { openAuditSink, type AuditRecord, type AuditSink } from './audit.js';
export { createIssuerRoutes, type IssuerRoutes } from './issuer-routes.js';
export { createTurnQueue } from './turn-batch.js';
export { createFailureLog, processFailureLog, stderrWriter, type FailureLog } from './failure-log.js';
export { EMULATOR_PREFIX } from './emulator-app.js';
