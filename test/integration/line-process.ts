/**
 * A long-lived child process that answers one JSON line per request on stdout (aws-driver.py, python-driver.py): its
 * stderr kept for messages, the next answer awaited with a timeout, and a kill that is safe to call twice. Closed by
 * its owner (a test, or a file's hook after its last test).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../helpers/harness.js';
import { scrubbedEnv } from './clients.js';

/** What owns a driver: a test (closed when it ends), or a file's hook that closes it after its last test. */
export interface DriverOwner {
  diagnostic(message: string): void;
  after(fn: () => void): void;
}

export interface LineProcess {
  /** Writes `request` as one JSON line. */
  send(request: unknown): void;
  /** The next line, or why there is none: the process ended, or `ms` passed (then `late` runs; by default, kill). */
  next(ms: number, late?: () => void): Promise<string | Error>;
  /** Kills the process if it is still running. */
  kill(): void;
}

/** Starts `command args` in the repository root with a scrubbed environment; `name` labels its messages. */
export function startLineProcess(name: string, command: string, args: readonly string[]): LineProcess {
  const child = spawn(command, args, { env: scrubbedEnv(), cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<string>((resolve) => {
    child.on('error', (e) => resolve(e.message));
    child.on('exit', (code, signal) => resolve(`${name} exited (${code ?? signal})\n${stderr}`));
  });
  return {
    send: (request) => void child.stdin.write(`${JSON.stringify(request)}\n`),
    next: async (ms, late = kill) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<Error>((resolve) => {
        timer = setTimeout(() => {
          late();
          resolve(new Error(`${name}: no answer in ${ms} ms\n${stderr}`));
        }, ms);
      });
      const line = lines.next().then((r) => (r.done === true ? undefined : r.value));
      const got = await Promise.race([line, exited.then((why) => new Error(why)), timeout]).finally(() => clearTimeout(timer));
      return got === undefined ? new Error(await exited) : got;
    },
    kill,
  };
}

/** An environment without its unset entries, as the drivers pass it on. */
export function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
