/**
 * `sts-emulator serve`: listen, print one ready line, stop cleanly on SIGINT/SIGTERM.
 *
 * With `--workers n` (n > 1) the process is a node:cluster primary: it checks the options and the configuration,
 * resolves the server key once and hands it to n workers (STS_EMULATOR_SERVER_KEY in their environment), so
 * credentials issued by one worker are accepted by every other; the workers share the port. The primary prints the
 * ready line once, when every worker listens, and stops them all on SIGINT/SIGTERM. A worker that dies is replaced.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { loadConfig } from '../config/load.js';
import { createApp, type AppOptions } from '../server/app.js';
import { openAuditSink } from '../server/audit.js';
import { withFastPath } from '../server/fast-path.js';
import { createTurnQueue } from '../server/turn-batch.js';
import { answerClientErrors, MAX_HEADER_BYTES } from '../server/client-errors.js';
import { createIssuerRoutes } from '../server/issuer-routes.js';
import { resolveServerKey, SERVER_KEY_ENV, type ResolvedServerKey } from '../sts/server-key.js';
import { createSignedOps } from '../sts/signed-handlers.js';
import { COMMON_ARGS, commonOptions, DEFAULT_PORT, parsePort, str, UsageError, type CommonOptions } from './options.js';
import { createRuntime } from './runtime.js';
import { HELP } from './help.js';

export const MAX_WORKERS = 64;

/** What a worker tells the primary when it cannot listen (the primary prints it once, not once per worker). */
interface WorkerFailure {
  readonly type: 'sts-emulator:listen-failed';
  readonly message: string;
}

export async function serve(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_ARGS,
      port: { type: 'string' },
      host: { type: 'string' },
      'server-key': { type: 'string' },
      'server-key-file': { type: 'string' },
      'audit-log': { type: 'string' },
      'no-reason-header': { type: 'boolean' },
      workers: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    process.stdout.write(HELP['serve'] + '\n');
    return 0;
  }
  const common = commonOptions(values, env);
  const port = parsePort(str(values, 'port') ?? env['STS_EMULATOR_PORT'] ?? String(DEFAULT_PORT));
  const host = str(values, 'host') ?? env['STS_EMULATOR_HOST'] ?? '127.0.0.1';
  const workers = parseWorkers(str(values, 'workers') ?? env['STS_EMULATOR_WORKERS'] ?? '1');
  const keyFlag = str(values, 'server-key');
  const keyFile = str(values, 'server-key-file') ?? env['STS_EMULATOR_SERVER_KEY_FILE'];
  let key: ResolvedServerKey;
  try {
    key = resolveServerKey({ ...(keyFlag === undefined ? {} : { flag: keyFlag }), ...(keyFile === undefined ? {} : { file: keyFile }), env });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (workers > 1 && cluster.isPrimary) return servePrimary(argv, common, key, workers);
  const worker = cluster.isWorker;
  keepHeapSmall();

  // Signature checks of one event-loop turn go to the thread pool together (src/server/turn-batch.ts).
  const runtime = await createRuntime(common, key.key, undefined, { schedule: createTurnQueue() });
  const audit = openAuditSink(str(values, 'audit-log') ?? env['STS_EMULATOR_AUDIT_LOG'] ?? 'off');
  const issuers = await createIssuerRoutes(runtime.config.providers);
  const appOptions: AppOptions = {
    deps: runtime.deps,
    signed: createSignedOps(runtime.deps, runtime.authority),
    requestId: randomUUID,
    ...(audit.sink === undefined ? {} : { audit: audit.sink }),
    issuers,
    reasonHeader: values['no-reason-header'] !== true,
  };
  // Express is loaded by the first request the fast path does not take (~60 ms, once; see src/server/express.ts).
  let app: RequestListener | undefined;
  const slowPath: RequestListener = (req, res) => {
    app ??= createApp(appOptions);
    app(req, res);
  };
  // Form POSTs to "/" skip Express (src/server/fast-path.ts); everything else is the app's.
  // connectionsCheckingInterval: node checks the request/headers timeouts this often (default 30 s, too late for them).
  // maxHeaderSize: a GET carrying a 20,000-character token must fit; node's own refusals become STS XML.
  const server = createServer({ connectionsCheckingInterval: 1_000, maxHeaderSize: MAX_HEADER_BYTES }, withFastPath(slowPath, appOptions));
  answerClientErrors(server, randomUUID);
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
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
    process.stdout.write(readyLine(addr.address, addr.family === 'IPv6', addr.port, common, runtime.config, key, 1));
  }
  await stopped;
  await audit.close();
  if (worker) cluster.worker?.disconnect(); // the IPC channel would keep the worker alive
  return 0;
}

/**
 * The server keeps ~10 MB live, yet under load V8 grows the young generation to its 16 MB semi-space maximum and
 * resident memory passes 120 MB. Not growing it keeps RSS under 100 MB at the same throughput (bench/, issue 6).
 * Then the old generation: objects that outlive the small young generation (requests waiting on the thread pool)
 * are promoted and die there, and V8's default growth lets the old space reach ~50 MB between full collections
 * (RSS 95-120 MB with distinct tokens at 32 connections). Growing it by at most 2x keeps RSS flat at ~90 MB;
 * 1.5x kept it at ~88 MB but cost ~7% of requests/s and raised p99 (A/B, 2026-11-26).
 * Both factors are read whenever V8 sizes the heap, so setting them now takes effect. A heap flag the user gave
 * node (a semi-space or heap-growing flag, on the command line or in NODE_OPTIONS) leaves that factor alone.
 */
function keepHeapSmall(): void {
  const given = (name: string): boolean =>
    [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].some((a) => a.includes(name) || a.includes(name.replaceAll('-', '_')));
  if (!given('semi-space')) setFlagsFromString('--semi-space-growth-factor=1');
  if (!given('heap-growing')) setFlagsFromString('--heap-growing-percent=100');
}

export function parseWorkers(text: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_WORKERS) {
    throw new UsageError(`--workers must be 1..${MAX_WORKERS}, got '${text}'`);
  }
  return Number(text);
}

function readyLine(address: string, ipv6: boolean, port: number, common: CommonOptions, config: { roles: readonly unknown[]; providers: readonly unknown[] }, key: ResolvedServerKey, workers: number): string {
  const shownHost = ipv6 ? `[${address}]` : address;
  return (
    `sts-emulator listening on http://${shownHost}:${port} (account ${common.accountId}, region ${common.region}, ` +
    `${config.roles.length} roles, ${config.providers.length} providers, server key: ${key.source}` +
    `${workers > 1 ? `, ${workers} workers` : ''})\n`
  );
}

/** The cluster primary: forks the workers with one shared key, prints the ready line once, stops them all. */
async function servePrimary(argv: string[], common: CommonOptions, key: ResolvedServerKey, count: number): Promise<number> {
  // Configuration problems are reported once, here, before any worker starts (ConfigError: exit 1).
  const config = await loadConfig(common.policies, { accountId: common.accountId });
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./main.js', import.meta.url)), args: ['serve', ...argv] });
  const workerEnv = { [SERVER_KEY_ENV]: Buffer.from(key.key).toString('hex') };

  const live = new Set<Worker>();
  let stopping = false;
  let ready = false;
  let lastRestart = 0;
  const fork = (): Worker => {
    const w = cluster.fork(workerEnv);
    // The IPC channel of a worker that is stopping can close under node's own cluster handshake
    // (EPIPE on its disconnect reply): that worker's exit is handled below; the primary must not crash.
    w.on('error', () => undefined);
    live.add(w);
    return w;
  };

  return new Promise<number>((resolve) => {
    const listening = new Set<number>();
    let failure: string | undefined;
    let exitCode = 0;

    const stopAll = (): void => {
      if (stopping) return;
      stopping = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      for (const w of live) w.process.kill('SIGTERM');
      if (live.size === 0) finish();
    };
    const onSignal = (): void => stopAll();
    const finish = (): void => {
      cluster.removeAllListeners('listening');
      cluster.removeAllListeners('exit');
      cluster.removeAllListeners('message');
      if (failure !== undefined) process.stderr.write(`sts-emulator serve: ${failure}\n`);
      resolve(exitCode);
    };

    cluster.on('message', (_w: Worker, msg: unknown) => {
      const m = msg as Partial<WorkerFailure> | null;
      if (m?.type === 'sts-emulator:listen-failed' && failure === undefined) {
        failure = String(m.message);
        exitCode = 2;
        stopAll();
      }
    });
    cluster.on('listening', (w: Worker, address: { address: string | null; port: number; addressType: number | string }) => {
      if (ready || stopping) return;
      listening.add(w.id);
      if (listening.size < count) return;
      ready = true;
      const host = address.address ?? '127.0.0.1';
      const ipv6 = address.addressType === 6 || address.addressType === 'udp6' || host.includes(':');
      process.stdout.write(readyLine(host, ipv6, address.port, common, config, key, count));
    });
    cluster.on('exit', (w: Worker, code: number | null, signal: string | null) => {
      live.delete(w);
      if (stopping) {
        if (live.size === 0) finish();
        return;
      }
      if (!ready) {
        // A worker that dies before the ready line: stop (its own message, if any, came through IPC or stderr).
        if (failure === undefined) failure = `a worker exited before listening (${code ?? signal})`;
        exitCode = exitCode === 0 ? (code !== null && code !== 0 ? code : 1) : exitCode;
        stopAll();
        return;
      }
      process.stderr.write(`sts-emulator: worker ${w.process.pid ?? '?'} exited (${code ?? signal}); starting another\n`);
      const wait = Math.max(0, lastRestart + 1000 - Date.now()); // at most one restart a second
      lastRestart = Date.now() + wait;
      setTimeout(() => {
        if (!stopping) fork();
      }, wait);
    });

    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    for (let i = 0; i < count; i++) fork();
  });
}
