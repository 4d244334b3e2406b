/**
 * `aws` commands through aws-cli's own entry point (what the `aws` script calls) in one long-lived Python process
 * per CLI (aws-driver.py), instead of one process per command: most of a command's CPU is interpreter start-up and
 * importing awscli/botocore. Falls back to spawning the executable per command (as `run` does) when the script's
 * interpreter cannot be found or cannot import that same aws-cli (a PyInstaller build, a shim, a broken install).
 */
import { join } from 'node:path';
import { after, type TestContext } from 'node:test';
import { REPO_ROOT } from '../helpers/harness.js';
import { run, shebang, type Client, type RunResult } from './clients.js';
import { definedEnv, startLineProcess, type DriverOwner } from './line-process.js';

const DRIVER = join(REPO_ROOT, 'test', 'integration', 'aws-driver.py');

export interface AwsDriver {
  /** Whether the commands run in one Python process ('driver') or spawn the executable ('executable'). */
  readonly mode: 'driver' | 'executable';
  /** One `aws` command (args without `aws`), with exactly this environment; send one at a time and await it. */
  run(args: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<RunResult>;
  close(): void;
}

/** Start the driver for `cli` (closed by `t`); the executable per command when it cannot start. */
export async function startAwsDriver(t: DriverOwner, cli: Client): Promise<AwsDriver> {
  const executable = (reason: string): AwsDriver => {
    t.diagnostic(`${cli.path}: each command spawns the executable (${reason})`);
    return { mode: 'executable', run: (args, opts) => run(cli.path, args, opts), close: () => undefined };
  };
  const interpreter = shebang(cli.path);
  if (interpreter === undefined) return executable('not a #! python script');
  const child = startLineProcess('aws-driver', interpreter[0]!, [...interpreter.slice(1), DRIVER, cli.path]);
  t.after(child.kill);

  const ready = await child.next(30_000);
  const version = typeof ready === 'string' ? (JSON.parse(ready) as { version?: string }).version : undefined;
  if (version === undefined || cli.version !== `aws-cli/${version}`) {
    child.kill();
    return executable(`${interpreter.join(' ')} did not import the same aws-cli: ${ready instanceof Error ? ready.message : ready}`);
  }
  t.diagnostic(`${cli.path}: commands run in one ${interpreter.join(' ')} (aws-driver.py)`);
  return {
    mode: 'driver',
    run: async (args, opts) => {
      child.send({ argv: args, env: definedEnv(opts.env), cwd: opts.cwd ?? REPO_ROOT });
      const answer = await child.next(opts.timeoutMs ?? 60_000);
      if (answer instanceof Error) return { code: null, signal: null, stdout: '', stderr: answer.message };
      const r = JSON.parse(answer) as { code: number; stdout: string; stderr: string };
      return { code: r.code, signal: null, stdout: r.stdout, stderr: r.stderr };
    },
    close: child.kill,
  };
}

/** The importing file's drivers, one per CLI: started by the first test that asks, closed after the file's last test. */
const fileDrivers = new Map<string, Promise<AwsDriver>>();
const closeFileDrivers: (() => void)[] = [];
after(() => {
  for (const close of closeFileDrivers) close();
});

/** The file's one driver for `cli` (started on first use, its diagnostics on the test `t` that started it). */
export function fileAwsDriver(t: TestContext, cli: Client): Promise<AwsDriver> {
  let driver = fileDrivers.get(cli.path);
  if (driver === undefined) {
    driver = startAwsDriver({ diagnostic: (m) => t.diagnostic(m), after: (close) => closeFileDrivers.push(close) }, cli);
    fileDrivers.set(cli.path, driver);
  }
  return driver;
}
