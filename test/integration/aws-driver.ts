/**
 * `aws` commands through aws-cli's own entry point (what the `aws` script calls) in one long-lived Python process
 * per CLI (aws-driver.py), instead of one process per command: most of a command's CPU is interpreter start-up and
 * importing awscli/botocore. Falls back to spawning the executable per command (as `run` does) when the script's
 * interpreter cannot be found or cannot import that same aws-cli (a PyInstaller build, a shim, a broken install).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../helpers/harness.js';
import { run, scrubbedEnv, shebang, type Client, type RunResult } from './clients.js';

const DRIVER = join(REPO_ROOT, 'test', 'integration', 'aws-driver.py');

export interface AwsDriver {
  /** Whether the commands run in one Python process ('driver') or spawn the executable ('executable'). */
  readonly mode: 'driver' | 'executable';
  /** One `aws` command (args without `aws`), with exactly this environment; send one at a time and await it. */
  run(args: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<RunResult>;
  close(): void;
}

/** What owns a driver: a test (closed when it ends), or a file's hook that closes it after its last test. */
export interface DriverOwner {
  diagnostic(message: string): void;
  after(fn: () => void): void;
}

/** Start the driver for `cli` (closed when `t` ends); the executable per command when it cannot start. */
export async function startAwsDriver(t: DriverOwner, cli: Client): Promise<AwsDriver> {
  const executable = (reason: string): AwsDriver => {
    t.diagnostic(`${cli.path}: each command spawns the executable (${reason})`);
    return { mode: 'executable', run: (args, opts) => run(cli.path, args, opts), close: () => undefined };
  };
  const interpreter = shebang(cli.path);
  if (interpreter === undefined) return executable('not a #! python script');
  const child = spawn(interpreter[0]!, [...interpreter.slice(1), DRIVER, cli.path], {
    env: scrubbedEnv(),
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const close = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  t.after(close);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<string>((resolve) => {
    child.on('error', (e) => resolve(e.message));
    child.on('exit', (code, signal) => resolve(`aws-driver exited (${code ?? signal})\n${stderr}`));
  });
  /** The next answer line, or why there is none (the process died, or `ms` passed: then it is killed). */
  const next = async (ms: number): Promise<string | Error> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Error>((resolve) => {
      timer = setTimeout(() => {
        close();
        resolve(new Error(`aws-driver: no answer in ${ms} ms, killed\n${stderr}`));
      }, ms);
    });
    const line = lines.next().then((r) => (r.done === true ? undefined : r.value));
    const got = await Promise.race([line, exited.then((why) => new Error(why)), late]).finally(() => clearTimeout(timer));
    return got === undefined ? new Error(await exited) : got;
  };

  const ready = await next(30_000);
  const version = typeof ready === 'string' ? (JSON.parse(ready) as { version?: string }).version : undefined;
  if (version === undefined || cli.version !== `aws-cli/${version}`) {
    close();
    return executable(`${interpreter.join(' ')} did not import the same aws-cli: ${ready instanceof Error ? ready.message : ready}`);
  }
  t.diagnostic(`${cli.path}: commands run in one ${interpreter.join(' ')} (aws-driver.py)`);
  return {
    mode: 'driver',
    run: async (args, opts) => {
      const env = Object.fromEntries(Object.entries(opts.env).filter((e): e is [string, string] => e[1] !== undefined));
      child.stdin.write(`${JSON.stringify({ argv: args, env, cwd: opts.cwd ?? REPO_ROOT })}\n`);
      const answer = await next(opts.timeoutMs ?? 60_000);
      if (answer instanceof Error) return { code: null, signal: null, stdout: '', stderr: answer.message };
      const r = JSON.parse(answer) as { code: number; stdout: string; stderr: string };
      return { code: r.code, signal: null, stdout: r.stdout, stderr: r.stderr };
    },
    close,
  };
}
