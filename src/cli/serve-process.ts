/**
 * One serving process: the runtime, the audit log, the emulated issuers' routes and the one server, wired; one ready
 * line once it listens; SIGINT/SIGTERM stop it gracefully (requests in flight are answered and audited, then it exits
 * 0); SIGHUP is ignored. In a cluster (serve-cluster.ts) the primary prints the ready line and
 * a worker reports a failure to listen over IPC instead.
 */
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { AuditLogError, createIssuerRoutes, createStsServer, createTurnQueue, openAuditLog, stopGracefully, type AuditLog } from '../server/index.js';
import { stsOperations } from '../sts/index.js';
import { keepHeapSmall } from './heap.js';
import { UsageError, type Io } from './options.js';
import { createRuntime } from './runtime.js';
import { readyLine, type ServeOptions } from './serve-options.js';

/** What a worker tells the primary when it cannot listen (the primary prints it once, not once per worker). */
export interface WorkerFailure {
  readonly type: 'sts-emulator:listen-failed';
  readonly message: string;
}

export async function serveProcess(options: ServeOptions, io: Io): Promise<number> {
  const worker = cluster.isWorker;
  keepHeapSmall();
  // Signature checks of one event-loop turn go to the thread pool together (src/server/turn-batch.ts).
  const runtime = await createRuntime(options.common, options.key.key, undefined, { schedule: createTurnQueue() });
  const audit = openAudit(options.auditLog, io);
  const server = createStsServer({
    operations: stsOperations(runtime.deps),
    clock: runtime.deps.clock,
    ...(audit.sink === undefined ? {} : { audit: audit.sink }),
    issuers: await createIssuerRoutes(runtime.config.providers),
    reasonHeader: options.reasonHeader,
    maxConnections: options.maxConnections,
  });
  const { port, host } = options;
  server.listen(port, host);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    }).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(e.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use (try --port 0 or another port)` : `cannot listen on ${host}:${port}: ${e.message}`);
    });
  } catch (e) {
    if (!worker) throw e;
    const failure: WorkerFailure = { type: 'sts-emulator:listen-failed', message: (e as Error).message };
    process.send?.(failure);
    audit.close();
    cluster.worker?.disconnect();
    return 2;
  }
  // Signal handlers before the ready line: a caller that stops us as soon as it reads the line must not
  // find the default (terminate at once) disposition still in place.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A second Ctrl-C does not wait for requests in flight. (In a cluster the primary forwards the signal and a
        // terminal's Ctrl-C also reaches the workers directly: a worker takes both as one.)
        if (!worker && signal === 'SIGINT') server.closeAllConnections();
        return;
      }
      stopping = true;
      stopGracefully(server).then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.on('SIGHUP', () => io.stderr('sts-emulator: SIGHUP ignored: the configuration is read at start (restart to reload it)\n'));
  if (!worker) {
    const addr = server.address() as AddressInfo;
    io.stdout(readyLine(addr.address, addr.family === 'IPv6', addr.port, options, runtime.config));
  }
  await stopped;
  audit.close();
  if (audit.lost() > 0) io.stderr(`sts-emulator: ${audit.lost()} audit records could not be written to ${options.auditLog}\n`);
  if (worker) cluster.worker?.disconnect(); // the IPC channel would keep the worker alive
  return 0;
}

/** The audit log, or a usage error (exit 2) when it cannot be opened: an audit log asked for is part of the contract. */
export function openAudit(target: string, io: Io): AuditLog {
  try {
    return openAuditLog(target, io.stderr);
  } catch (e) {
    if (e instanceof AuditLogError) throw new UsageError(e.message);
    throw e;
  }
}
