/**
 * One serving process: the runtime, the audit log, the emulated issuers' routes and the one server, wired; one ready
 * line once it listens; SIGINT/SIGTERM stop it. In a cluster (serve-cluster.ts) the primary prints the ready line and
 * a worker reports a failure to listen over IPC instead.
 */
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { createIssuerRoutes, createStsServer, createTurnQueue, openAuditSink } from '../server/index.js';
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
  const audit = openAuditSink(options.auditLog);
  const server = createStsServer({
    operations: stsOperations(runtime.deps),
    clock: runtime.deps.clock,
    ...(audit.sink === undefined ? {} : { audit: audit.sink }),
    issuers: await createIssuerRoutes(runtime.config.providers),
    reasonHeader: options.reasonHeader,
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
    await audit.close();
    cluster.worker?.disconnect();
    return 2;
  }
  // Signal handlers before the ready line: a caller that stops us as soon as it reads the line must not
  // find the default (terminate at once) disposition still in place.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (worker) {
        // The primary forwards signals; a terminal's Ctrl-C also reaches the workers directly: stop once.
        if (stopping) return;
      } else {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      stopping = true;
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  if (!worker) {
    const addr = server.address() as AddressInfo;
    io.stdout(readyLine(addr.address, addr.family === 'IPv6', addr.port, options, runtime.config));
  }
  await stopped;
  await audit.close();
  if (worker) cluster.worker?.disconnect(); // the IPC channel would keep the worker alive
  return 0;
}
