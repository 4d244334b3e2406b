/**
 * The node:cluster primary of `serve --workers n`: it checks the configuration once, hands one server key to n
 * workers (STS_EMULATOR_SERVER_KEY in their environment) so credentials issued by one are accepted by every other,
 * prints the ready line once every worker listens, replaces a worker that dies (at most one a second) and stops
 * them all on SIGINT/SIGTERM.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { skippedReport } from '../config/index.js';
import { SERVER_KEY_ENV } from '../sts/index.js';
import { workerExecArgv } from './heap.js';
import { loadCommonConfig, type Io } from './options.js';
import { readyLine, type ServeOptions } from './serve-options.js';
import { checkAuditLog, type WorkerFailure } from './serve-process.js';

export async function serveCluster(options: ServeOptions, io: Io): Promise<number> {
  const { common, key, workers: count } = options;
  // Configuration problems are reported once, here, before any worker starts (ConfigError: exit 1).
  const config = await loadCommonConfig(common);
  if (config.skipped.length > 0) io.stderr(skippedReport(config.skipped)); // once, here: the workers do not repeat it
  checkAuditLog(options.auditLog, io); // an audit log that cannot be opened stops the start here, once

  cluster.setupPrimary({
    exec: workerEntry(),
    args: ['serve', ...options.argv],
    execArgv: workerExecArgv(process.execArgv, process.env['NODE_OPTIONS'] ?? ''),
  });
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
      if (failure !== undefined) io.stderr(`sts-emulator serve: ${failure}\n`);
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
      io.stdout(readyLine(host, ipv6, address.port, options, config));
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
      io.stderr(`sts-emulator: worker ${w.process.pid ?? '?'} exited (${code ?? signal}); starting another\n`);
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

/** What the workers run: the bundle of the CLI when this process runs it (scripts/bundle-cli.js), the modules' main.js otherwise. */
function workerEntry(): string {
  const self = fileURLToPath(import.meta.url);
  return self.endsWith('main.bundle.js') ? self : fileURLToPath(new URL('./main.js', import.meta.url));
}
