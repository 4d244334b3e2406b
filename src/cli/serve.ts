/**
 * `sts-emulator serve`: one process serves (serve-process.ts); with `--workers n` (n > 1) this process is a
 * node:cluster primary that supervises n of them (serve-cluster.ts).
 */
import cluster from 'node:cluster';
import { HELP } from './help.js';
import { processIo, type Io } from './options.js';
import { serveCluster } from './serve-cluster.js';
import { parseServeArgs } from './serve-options.js';
import { serveProcess } from './serve-process.js';

export async function serve(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo()): Promise<number> {
  const options = parseServeArgs(argv, env, io);
  if (options === undefined) {
    io.stdout(HELP['serve'] + '\n');
    return 0;
  }
  if (options.workers > 1 && cluster.isPrimary) return serveCluster(options, io);
  return serveProcess(options, io);
}
