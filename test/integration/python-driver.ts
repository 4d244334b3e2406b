/**
 * Python scripts through one long-lived process that has imported boto3 (python-driver.py), each run in a child it
 * forks, instead of one interpreter per script: most of a short boto3 script's CPU is start-up and importing boto3.
 * The child is the script's process: its own environment, directory, argv, stdout, stderr and exit status. Falls back to
 * spawning the interpreter per script (as `run` does) when the driver cannot start (no fork, no boto3).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/harness.js';
import { run, type Client, type RunResult } from './clients.js';
import { definedEnv, startLineProcess, type DriverOwner } from './line-process.js';

const DRIVER = join(REPO_ROOT, 'test', 'integration', 'python-driver.py');

export interface PythonDriver {
  /** Whether scripts run in children of one process ('driver') or each spawns the interpreter ('executable'). */
  readonly mode: 'driver' | 'executable';
  /** `python <path>` with exactly this environment; send one at a time and await it. */
  run(path: string, opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<RunResult>;
  close(): void;
}

/** Start the driver for the interpreter `py` (closed by `owner`); the interpreter per script when it cannot start. */
export async function startPythonDriver(owner: DriverOwner, py: Client): Promise<PythonDriver> {
  const executable = (reason: string): PythonDriver => {
    owner.diagnostic(`${py.path}: each script spawns the interpreter (${reason})`);
    return { mode: 'executable', run: (path, opts) => run(py.path, [path], opts), close: () => undefined };
  };
  const out = mkdtempSync(join(tmpdir(), 'sts-emulator-py-'));
  const child = startLineProcess('python-driver', py.path, [DRIVER]);
  const close = (): void => {
    child.kill();
    rmSync(out, { recursive: true, force: true });
  };
  owner.after(close);
  /** The next answer, parsed, or why there is none. */
  const next = async (ms: number, late: () => void): Promise<Record<string, unknown> | Error> => {
    const got = await child.next(ms, late);
    return typeof got === 'string' ? (JSON.parse(got) as Record<string, unknown>) : got;
  };

  const ready = await next(30_000, child.kill);
  if (ready instanceof Error || ready['ready'] !== true) {
    close();
    return executable(`${DRIVER} did not start: ${ready instanceof Error ? ready.message : JSON.stringify(ready)}`);
  }
  owner.diagnostic(`${py.path}: scripts run in children forked from one interpreter with boto3 imported (python-driver.py)`);
  let n = 0;
  return {
    mode: 'driver',
    run: async (path, opts) => {
      const files = { stdout: join(out, `${++n}.out`), stderr: join(out, `${n}.err`) };
      child.send({ path, env: definedEnv(opts.env), cwd: opts.cwd ?? REPO_ROOT, ...files });
      const forked = await next(10_000, close);
      if (forked instanceof Error) return { code: null, signal: null, stdout: '', stderr: forked.message };
      const pid = Number(forked['pid']);
      // A script still running after the timeout is killed, and the driver with it (the test fails with its output).
      const done = await next(opts.timeoutMs ?? 60_000, () => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // it has just ended
        }
        close();
      });
      if (done instanceof Error) return { code: null, signal: null, stdout: '', stderr: done.message };
      const code = Number(done['code']);
      const read = (f: string): string => {
        const text = readFileSync(f, 'utf8');
        rmSync(f, { force: true });
        return text;
      };
      return {
        code: code < 0 ? null : code,
        signal: code < 0 ? signalName(-code) : null,
        stdout: read(files.stdout),
        stderr: read(files.stderr),
      };
    },
    close,
  };
}

function signalName(n: number): NodeJS.Signals | null {
  return (Object.entries(constants.signals).find(([, v]) => v === n)?.[0] as NodeJS.Signals | undefined) ?? null;
}
