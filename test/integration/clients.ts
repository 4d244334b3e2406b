/**
 * Helpers for the real-client tests: find the installed clients by version (never trusting PATH order),
 * run them with an isolated environment (no real AWS credentials, a throw-away HOME and config files),
 * and start the emulator as a separate process when a test needs one.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { DEMO_POLICIES, REPO_ROOT } from '../helpers/harness.js';
import { CLI_ENTRY } from '../helpers/cli-entry.js';

export const CLI_MAIN = CLI_ENTRY;
export const SNIPPETS = join(REPO_ROOT, 'test', 'integration', 'snippets');
export const REGION = 'us-east-1';

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly input?: string;
  readonly timeoutMs?: number;
}

/** Run a command to completion without blocking the event loop (the in-process server must keep serving). */
export function run(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd ?? REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A string describing a finished command, for assertion messages. */
export function outcome(r: RunResult): string {
  return `exit ${r.code}${r.signal === null ? '' : ` (${r.signal})`}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Variables that must never leak from the developer's or CI's environment into a client under test. */
const LEAKY = /^(AWS_|BOTO_|HTTPS?_PROXY$|NO_PROXY$|ALL_PROXY$|PYTHON(PATH|HOME|STARTUP)$)/i;

/** The parent's environment minus AWS settings, credentials and proxies. */
export function scrubbedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !LEAKY.test(k)));
}

export interface Sandbox {
  /** A fresh directory used as HOME (so ~/.aws, and the CLI's credential cache in ~/.aws/cli/cache, start empty). */
  readonly dir: string;
  /** The isolated environment; add per-call variables with `{ ...sb.env, X: 'y' }`. */
  readonly env: NodeJS.ProcessEnv;
  /** Write a file in the sandbox and return its path. */
  file(name: string, content: string): Promise<string>;
}

/**
 * An isolated client environment, removed when the test ends: no real AWS credentials or settings,
 * HOME a temp dir, empty AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, IMDS disabled, region set.
 */
export async function sandbox(t: TestContext, extra: Record<string, string> = {}): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'sts-emulator-it-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'aws-config');
  const credentials = join(dir, 'aws-credentials');
  await writeFile(config, '');
  await writeFile(credentials, '');
  const env: NodeJS.ProcessEnv = {
    ...scrubbedEnv(),
    HOME: dir,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_DEFAULT_REGION: REGION,
    AWS_REGION: REGION,
    AWS_PAGER: '',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
  return {
    dir,
    env,
    file: async (name, content) => {
      const p = join(dir, name);
      await writeFile(p, content);
      return p;
    },
  };
}

export interface Client {
  readonly path: string;
  readonly version: string;
}

const memo = new Map<string, Promise<Client | undefined>>();
function once(key: string, f: () => Promise<Client | undefined>): Promise<Client | undefined> {
  let p = memo.get(key);
  if (p === undefined) {
    p = f();
    memo.set(key, p);
  }
  return p;
}

/** Every `name` on PATH, in order, followed by `extra` paths. */
function candidates(name: string, extra: readonly string[] = []): string[] {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  return [...new Set([...dirs.map((d) => join(d, name)), ...extra])];
}

const probes = new Map<string, Promise<string | undefined>>();
/** The output of `path args` when it exits 0; once per file and arguments (awsCli(1) and awsCli(2) ask the same `aws`). */
function probe(path: string, args: readonly string[]): Promise<string | undefined> {
  const key = JSON.stringify([path, ...args]);
  let p = probes.get(key);
  if (p === undefined) {
    p = run(path, args, { env: scrubbedEnv(), timeoutMs: 30_000 }).then(
      (r) => (r.code === 0 ? `${r.stdout}${r.stderr}`.trim() : undefined),
      () => undefined,
    );
    probes.set(key, p);
  }
  return p;
}

/** The interpreter (and its one optional argument) of a `#!` python script, or undefined. */
export function shebang(path: string): string[] | undefined {
  let first: string;
  try {
    first = readFileSync(path).subarray(0, 256).toString('latin1').split('\n')[0]!;
  } catch {
    return undefined;
  }
  const m = /^#!\s*(\S+)(?:\s+(.*\S))?\s*$/.exec(first);
  if (m === null || !/\/python[\d.]*$/.test(m[1]!)) return undefined; // `#!/usr/bin/env python3` would need PATH: fall back
  return m[2] === undefined ? [m[1]!] : [m[1]!, m[2]];
}

/**
 * "aws-cli/X.Y.Z" of an `aws` executable. A `#!` python script (pip's, Debian's) is asked through its interpreter,
 * which imports awscli from where the script would (its directory first): `--version` imports all of aws-cli and
 * botocore, ten times the CPU. Anything else (a PyInstaller build), or a script whose interpreter cannot say, is
 * asked with `--version`.
 */
async function awsVersion(path: string): Promise<string | undefined> {
  const interpreter = shebang(path);
  if (interpreter !== undefined) {
    const code = `import sys; sys.path[0] = ${JSON.stringify(dirname(path))}; import awscli; print('aws-cli/' + awscli.__version__)`;
    const out = await probe(interpreter[0]!, [...interpreter.slice(1), '-c', code]);
    if (out !== undefined) return out;
  }
  return probe(path, ['--version']);
}

/**
 * The AWS CLI of one major version. v1 (pip/pyenv) and Debian's v2 (/usr/bin/aws) can both be installed,
 * in either PATH order, so each candidate is asked for its version. STS_EMULATOR_AWS_V1 / _V2 override.
 */
export function awsCli(major: 1 | 2): Promise<Client | undefined> {
  return once(`aws${major}`, async () => {
    const forced = process.env[`STS_EMULATOR_AWS_V${major}`];
    for (const c of forced !== undefined ? [forced] : candidates('aws', ['/usr/bin/aws', '/usr/local/bin/aws'])) {
      // The file a shim runs is asked directly: the shim's own start-up (pyenv's bash) is not paid twice.
      const path = await resolveShim(c, 'aws');
      const out = await awsVersion(path);
      const m = out === undefined ? null : /^aws-cli\/(\d+)\.\S+/.exec(out);
      if (m !== null && m[1] === String(major)) return { path, version: m[0] };
    }
    return undefined;
  });
}

/** The file a candidate really runs: symlinks resolved, and a pyenv shim replaced by `pyenv which <name>`. */
async function resolveShim(p: string, name: string): Promise<string> {
  if (p.includes('/shims/') && existsSync(p)) {
    const r = await run('pyenv', ['which', name], { env: scrubbedEnv(), timeoutMs: 10_000 }).catch(() => undefined);
    const real = r?.code === 0 ? r.stdout.trim() : '';
    return real !== '' && existsSync(real) ? real : p;
  }
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * A python3 that finds boto3 and botocore; `version` is "boto3 X / botocore Y" (their installed distributions). They
 * are found, not imported: the import was most of the probe's CPU, and the tests that use the client import them.
 */
const PY_PROBE = [
  'import importlib.metadata as m, importlib.util as u, sys',
  "assert u.find_spec('boto3') and u.find_spec('botocore'), 'no boto3'",
  "print(sys.executable, m.version('boto3'), m.version('botocore'))",
].join('; ');
export function python(): Promise<Client | undefined> {
  return once('python', async () => {
    const forced = process.env['STS_EMULATOR_PYTHON'];
    for (const c of forced !== undefined ? [forced] : candidates('python3')) {
      const out = await probe(c, ['-c', PY_PROBE]);
      const m = out === undefined ? null : /^(\S+) (\S+) (\S+)$/.exec(out);
      if (m !== null) return { path: m[1]!, version: `boto3 ${m[2]} / botocore ${m[3]}` };
    }
    return undefined;
  });
}

/** Skip the test visibly when a client is missing; returns the client otherwise. */
export async function need(t: TestContext, name: string, c: Promise<Client | undefined>, hint: string): Promise<Client | undefined> {
  const found = await c;
  if (found === undefined) t.skip(`${name} not installed: ${hint}`);
  else t.diagnostic(`${name}: ${found.path} (${found.version})`);
  return found;
}

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM, then the exit code (null if it had to be killed). */
  stop(): Promise<number | null>;
}

/**
 * `sts-emulator serve --port 0` as a real process; stopped (and its exit code checked by the caller) at the end.
 * `entry` is the script node runs (the CLI as bin/ would run it, by default), `env` its whole environment (by default
 * this process's without credentials).
 */
export async function serveProcess(
  t: TestContext,
  opts: { serverKey?: string; entry?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ServerProcess> {
  const args = [opts.entry ?? CLI_MAIN, 'serve', '--port', '0', '--policies', DEMO_POLICIES];
  if (opts.serverKey !== undefined) args.push('--server-key', opts.serverKey);
  const child = spawn(process.execPath, args, { env: opts.env ?? scrubbedEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stopped: Promise<number | null> | undefined;
  const stop = (): Promise<number | null> => {
    if (stopped === undefined) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      stopped = exited.finally(() => clearTimeout(killer));
    }
    return stopped;
  };
  t.after(stop);
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`server did not start in 10s; stderr: ${stderr}`)), 10_000);
    rl.once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening; stderr: ${stderr}`)));
  });
  const m = /^sts-emulator listening on (http:\/\/127\.0\.0\.1:(\d+)) /.exec(line);
  if (m === null) throw new Error(`unexpected ready line: ${line}`);
  return { url: m[1]!, port: Number(m[2]), pid: child.pid!, stop };
}

/** Parse a client's JSON stdout with the whole run in the failure message. */
export function json<T = Record<string, unknown>>(r: RunResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON: ${outcome(r)}`);
  }
}

/** Change one character of a secret (keeps the length and alphabet, so only the signature is wrong). */
export function tamper(secret: string): string {
  const i = Math.floor(secret.length / 2);
  const c = secret[i] === 'A' ? 'B' : 'A';
  return secret.slice(0, i) + c + secret.slice(i + 1);
}

export interface AwsCredentials {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  readonly Expiration: string;
}

/** The env vars that make a client sign with these credentials. */
export function credentialEnv(c: Pick<AwsCredentials, 'AccessKeyId' | 'SecretAccessKey' | 'SessionToken'>): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken };
}
