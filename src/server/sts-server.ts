/**
 * The one server: node:http with AWS's query protocol on its own road (query-road.ts) and the emulator's own routes on
 * Express (emulator-app.ts), chosen by request kind before any byte of the body is read. It sets the limits and
 * timeouts, and answers what node refuses before a request exists as STS XML (client-errors.ts). `serve` and every
 * test use it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { JsonService } from '../protocol/json-service.js';
import type { Operations } from '../sts/index.js';
import type { AnswerListener, AuditSink } from './audit.js';
import { answerClientErrors, MAX_HEADER_BYTES, refuseHostless, trackPending } from './client-errors.js';
import { createEmulatorApp, isEmulatorRoute } from './emulator-app.js';
import { processFailureLog, type FailureLog } from './failure-log.js';
import type { IssuerRoutes } from './issuers.js';
import type { AdminSurface } from './admin-surface.js';
import { createJsonRoad, pathOf, serviceFor } from './json-road.js';
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

/** Connections served at once; more are closed as they arrive (node's maxConnections). */
export const DEFAULT_MAX_CONNECTIONS = 1024;

/** How long a stopping server lets requests in flight finish before it closes every connection (ms). */
export const STOP_GRACE_MS = 10_000;

export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 5_000, requestMs: 10_000, keepAliveMs: 5_000, checkIntervalMs: 1_000 };

export interface StsServerOptions {
  /** The operations, or the operations in force when a request arrives (they change with the configuration). */
  readonly operations: Operations | (() => Operations);
  /** The IAM API subset (src/iam/), answered on the same road for Version 2010-05-08; without it, that Version is InvalidAction. */
  readonly iam?: Operations;
  /** The time of audit records. */
  readonly clock: () => Date;
  readonly requestId?: () => string;
  /** Told of every answer written (the audit log, the request log, the recent decisions: auditTo builds records). */
  readonly answered?: AnswerListener;
  /** Put the emulator's reason for a refusal in the x-sts-emulator-reason header (default true). */
  readonly reasonHeader?: boolean;
  /** The emulated issuers, or those in force when a request arrives. */
  readonly issuers?: IssuerRoutes | (() => IssuerRoutes);
  /** The admin surface under /_emulator/ (the package API and `serve` provide it). */
  readonly admin?: AdminSurface;
  readonly timeouts?: Partial<ServerTimeouts>;
  /** Default DEFAULT_MAX_CONNECTIONS. */
  readonly maxConnections?: number;
  readonly failureLog?: FailureLog;
  /** The JSON services (Google's endpoints, Infisical, Vault) in force when a request arrives, chosen by path. */
  readonly services?: () => readonly JsonService[];
  /** Told of each decision a JSON service records (as `answered` is of STS's). */
  readonly recorded?: AuditSink;
}

const NO_PATHS: ReadonlySet<string> = new Set();

/** Servers that are stopping: their answers close the connection. */
const stopping = new WeakSet<Server>();

/** Every open socket of each server, whatever node's HTTP layer still knows of it. */
const sockets = new WeakMap<Server, Set<Socket>>();

function trackSockets(server: Server): void {
  const open = new Set<Socket>();
  sockets.set(server, open);
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
}

export function createStsServer(options: StsServerOptions): Server {
  const requestId = options.requestId ?? randomUUID;
  const failureLog = options.failureLog ?? processFailureLog;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const issuers = options.issuers;
  const currentIssuers = typeof issuers === 'function' ? issuers : (): IssuerRoutes | undefined => issuers;
  const query = createQueryRoad({
    operations: options.operations,
    iam: options.iam,
    requestId,
    clock: options.clock,
    answered: options.answered,
    reasonHeader: options.reasonHeader !== false,
    failureLog,
  });
  const pathsOf = new WeakMap<IssuerRoutes, ReadonlySet<string>>();
  const issuerPaths = (): ReadonlySet<string> => {
    const current = currentIssuers();
    if (current === undefined) return NO_PATHS;
    let paths = pathsOf.get(current);
    if (paths === undefined) {
      paths = new Set(current.paths.flatMap((p) => [p.discovery.toLowerCase(), p.jwks.toLowerCase()]));
      pathsOf.set(current, paths);
    }
    return paths;
  };
  let emulator: RequestListener | undefined;
  const services = options.services;
  const json = createJsonRoad({
    reasonHeader: options.reasonHeader !== false,
    failureLog,
    clock: options.clock,
    requestId,
    ...(options.recorded === undefined ? {} : { recorded: options.recorded }),
  });
  const serverOptions = {
    connectionsCheckingInterval: timeouts.checkIntervalMs,
    maxHeaderSize: MAX_HEADER_BYTES,
    requireHostHeader: false,
  };
  const server = createServer(serverOptions, (req, res) => {
    trackPending(req, res);
    if (stopping.has(server)) res.setHeader('Connection', 'close');
    if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && req.headers.host === undefined) {
      refuseHostless(req, res, requestId());
      return;
    }
    const path = pathOf(req.url ?? '/');
    // AWS's clients post to `/`, which no JSON service owns.
    const service = services === undefined || path === '/' ? undefined : serviceFor(services(), path);
    if (service !== undefined) {
      json(service, req, res);
    } else if (isEmulatorRoute(req.method, req.url ?? '/', issuerPaths())) {
      emulator ??= createEmulatorApp({ issuers: currentIssuers, admin: options.admin, failureLog });
      emulator(req, res);
    } else {
      query(req, res);
    }
  });
  answerClientErrors(server, requestId);
  trackSockets(server);
  // A client that half-closes after its request still gets the answer: node ends the connection on the client's FIN
  // unless this (long-standing, untyped) property of node's HTTP server is set, in which case it answers first.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  return server;
}

/**
 * Stops accepting connections; requests in flight finish and are answered with Connection: close, idle connections
 * are closed at once, and after `graceMs` every connection left is closed. Resolves when the server has closed.
 */
export function stopGracefully(server: Server, graceMs = STOP_GRACE_MS): Promise<void> {
  stopping.add(server);
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      server.closeAllConnections();
      // Sockets node no longer counts as HTTP connections (handed to a 'connect' listener, or cut by a parse error)
      // still hold the server open: every socket left is destroyed.
      for (const socket of sockets.get(server) ?? []) socket.destroy();
    }, graceMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
