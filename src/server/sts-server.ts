/**
 * The one server: node:http with AWS's query protocol on its own road (query-road.ts) and the emulator's own routes on
 * Express (emulator-app.ts), chosen by request kind before any byte of the body is read. It sets the limits and
 * timeouts, and answers what node refuses before a request exists as STS XML (client-errors.ts). `serve` and every
 * test use it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Operations } from '../sts/index.js';
import type { AuditSink } from './audit.js';
import { answerClientErrors, MAX_HEADER_BYTES, refuseHostless } from './client-errors.js';
import { createEmulatorApp, isEmulatorRoute } from './emulator-app.js';
import { processFailureLog, type FailureLog } from './failure-log.js';
import type { IssuerRoutes } from './issuer-routes.js';
import { createQueryRoad } from './query-road.js';

export interface ServerTimeouts {
  /** The request line and headers must arrive within this (ms). */
  readonly headersMs: number;
  /** The whole request must arrive within this (ms). */
  readonly requestMs: number;
  /** An idle keep-alive connection is closed after this (ms). */
  readonly keepAliveMs: number;
  /** How often node checks the two request timeouts (ms). */
  readonly checkIntervalMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 5_000, requestMs: 10_000, keepAliveMs: 5_000, checkIntervalMs: 1_000 };

export interface StsServerOptions {
  readonly operations: Operations;
  /** The time of audit records. */
  readonly clock: () => Date;
  readonly requestId?: () => string;
  readonly audit?: AuditSink;
  /** Put the emulator's reason for a refusal in the x-sts-emulator-reason header (default true). */
  readonly reasonHeader?: boolean;
  readonly issuers?: IssuerRoutes;
  readonly timeouts?: Partial<ServerTimeouts>;
  readonly failureLog?: FailureLog;
}

export function createStsServer(options: StsServerOptions): Server {
  const requestId = options.requestId ?? randomUUID;
  const failureLog = options.failureLog ?? processFailureLog;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const query = createQueryRoad({
    operations: options.operations,
    requestId,
    clock: options.clock,
    audit: options.audit,
    reasonHeader: options.reasonHeader !== false,
    failureLog,
  });
  const issuerPaths = new Set((options.issuers?.paths ?? []).flatMap((p) => [p.discovery.toLowerCase(), p.jwks.toLowerCase()]));
  let emulator: RequestListener | undefined;
  const serverOptions = { connectionsCheckingInterval: timeouts.checkIntervalMs, maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false };
  const server = createServer(serverOptions, (req, res) => {
    if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && req.headers.host === undefined) {
      refuseHostless(req, res, requestId());
    } else if (isEmulatorRoute(req.method, req.url ?? '/', issuerPaths)) {
      emulator ??= createEmulatorApp({ issuers: options.issuers, failureLog });
      emulator(req, res);
    } else {
      query(req, res);
    }
  });
  answerClientErrors(server, requestId);
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  return server;
}
