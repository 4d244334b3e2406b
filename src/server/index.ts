/** The public entry of the server, for cli/ and the package API. */
export {
  createStsServer,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_TIMEOUTS,
  STOP_GRACE_MS,
  stopGracefully,
  type ServerTimeouts,
  type StsServerOptions,
} from './sts-server.js';
export { REASON_HEADER } from './answer.js';
export {
  auditRecord,
  auditTo,
  recordTo,
  AuditLogError,
  openAuditLog,
  type AnswerListener,
  type AuditLog,
  type AuditRecord,
  type AuditSink,
  type RecordKeeper,
} from './audit.js';
export { requestLogLine, requestLogSink } from './request-log.js';
export { createIssuerRoutes, type IssuerRoutes } from './issuers.js';
export { createTurnQueue } from './turn-batch.js';
export { createFailureLog, processFailureLog, stderrWriter, type FailureLog } from './failure-log.js';
export { EMULATOR_PREFIX, isLoopback, type AdminSurface, type DecisionStream } from './admin-surface.js';
export { PAGE_PATH } from './page-routes.js';
