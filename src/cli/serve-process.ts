/**
 * One serving process: the emulator (src/api startEmulator, the same server the package API starts) on the port
 * asked for; one ready line once it listens; SIGINT/SIGTERM stop it gracefully (requests in flight are answered and
 * audited, at most 10 s; a second Ctrl-C stops at once), SIGHUP reloads the policies directory. In a cluster
 * (serve-cluster.ts) the primary prints the ready line and a worker reports a failure to listen over IPC instead.
 */
import cluster from 'node:cluster';
import { startEmulator, type Emulator } from '../api/index.js';
import { skippedReport } from '../config/index.js';
import { AuditLogError, openAuditLog, requestLogSink, STOP_GRACE_MS } from '../server/index.js';
import { keepHeapSmall } from './heap.js';
import { UsageError, type Io } from './options.js';
import { readyLine, type ServeOptions } from './serve-options.js';

/** What a worker tells the primary when it cannot listen (the primary prints it once, not once per worker). */
export interface WorkerFailure {
  readonly type: 'sts-emulator:listen-failed';
  readonly message: string;
}

export async function serveProcess(options: ServeOptions, io: Io): Promise<number> {
  const worker = cluster.isWorker;
  keepHeapSmall();
  let emulator: Emulator;
  try {
    emulator = await startEmulator(emulatorOptions(options, io));
  } catch (e) {
    if (e instanceof AuditLogError) throw new UsageError(e.message); // an audit log asked for is part of the contract
    const listen = listenProblem(e, options);
    if (listen === undefined) throw e;
    if (!worker) throw new UsageError(listen);
    const failure: WorkerFailure = { type: 'sts-emulator:listen-failed', message: listen };
    process.send?.(failure);
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
        if (!worker && signal === 'SIGINT') void emulator.stop();
        return;
      }
      stopping = true;
      emulator.stop({ graceMs: STOP_GRACE_MS }).then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.on('SIGHUP', () => void emulator.reload());
  if (!worker) {
    // Roles and providers of templates and plans left out, and why.
    if (emulator.config().skipped.length > 0) io.stderr(skippedReport(emulator.config().skipped));
    const url = new URL(emulator.endpoint);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    io.stdout(readyLine(host, host.includes(':'), emulator.port, options, emulator.config()));
  }
  await stopped;
  const lost = Number(emulator.health()['auditRecordsLost'] ?? 0);
  if (lost > 0) io.stderr(`sts-emulator: ${lost} audit records could not be written to ${options.auditLog}\n`);
  if (worker) cluster.worker?.disconnect(); // the IPC channel would keep the worker alive
  return 0;
}

function emulatorOptions(options: ServeOptions, io: Io): Parameters<typeof startEmulator>[0] {
  const { common } = options;
  return {
    policies: common.policies,
    ...(common.parameters === undefined ? {} : { parameters: common.parameters }),
    accountId: common.accountId,
    region: common.region,
    claimKeys: common.claimKeys,
    serverKey: options.key.key,
    port: options.port,
    host: options.host,
    audit: options.auditLog,
    reasonHeader: options.reasonHeader,
    maxConnections: options.maxConnections,
    keepDecisions: options.keepDecisions,
    watch: options.watch,
    persist: options.persist,
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    // One human-readable line per request on stderr, unless --quiet (the JSON audit log is separate).
    ...(options.quiet ? {} : { sinks: [requestLogSink(io.stderr)] }),
    log: io.stderr,
  };
}

/** A failure to listen, as one line (the port in use, an address that cannot be bound), or undefined for anything else. */
function listenProblem(e: unknown, options: ServeOptions): string | undefined {
  const err = e as NodeJS.ErrnoException | null;
  if (err?.syscall !== 'listen' && err?.syscall !== 'bind') return undefined; // 'bind' in a cluster worker
  const { port, host } = options;
  return err.code === 'EADDRINUSE'
    ? `port ${port} on ${host} is already in use (try --port 0 or another port)`
    : `cannot listen on ${host}:${port}: ${err.message}`;
}

/** Opens and closes the audit log: a usage error (exit 2) when it cannot be opened. */
export function checkAuditLog(target: string, io: Io): void {
  try {
    openAuditLog(target, io.stderr).close();
  } catch (e) {
    if (e instanceof AuditLogError) throw new UsageError(e.message);
    throw e;
  }
}
