/**
 * CLI test helpers: run main() in-process with stdout/stderr captured, or spawn the built CLI (for exit codes
 * as a shell sees them), and build throwaway policies directories (the demo providers, keys included, plus
 * role files written by the test).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { DEMO_POLICIES, REPO_ROOT } from '../helpers/harness.js';
import { CLI_ENTRY } from '../helpers/cli-entry.js';

export const CLI = CLI_ENTRY;
export const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
export const CIRCLE = `oidc.circleci.com/org/${ORG}`;
export const CIRCLE_ARN = `arn:aws:iam::123456789012:oidc-provider/${CIRCLE}`;
export const GH = 'token.actions.githubusercontent.com';
export const GH_ARN = `arn:aws:iam::123456789012:oidc-provider/${GH}`;
export const PROJECT = '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** An environment without the user's STS_EMULATOR_* settings. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('STS_EMULATOR_')) env[k] = v;
  return { ...env, ...extra };
}

/** main(argv) in this process, its stdout and stderr captured (through main's io parameter, not the process streams). */
export async function runMain(argv: readonly string[], env: NodeJS.ProcessEnv = cleanEnv(), cwd: string = REPO_ROOT): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv], env, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd });
  return { code, stdout, stderr };
}

/** The built CLI as a child process: exit code, stdout and stderr as a shell sees them. */
export function spawnCli(argv: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...argv], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: opts.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A failure as the CLI must report it: the exit code, nothing on stdout, one line on stderr, no stack trace. */
export function assertOneLineError(r: CliResult, code: number, pattern?: RegExp): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assert.match(r.stderr, /^sts-emulator[^\n]*\n$/, `one line on stderr, got ${JSON.stringify(r.stderr)}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  if (pattern !== undefined) assert.match(r.stderr, pattern);
}

/** A temporary directory, removed by the returned function. */
export async function tempDir(prefix = 'sts-cli-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A policies directory with the demo providers (JSON and *.DEMO-KEY.pem) and the given roles
 * (file name -> role object or JSON text). Returns its path.
 */
export async function policiesWith(dir: string, roles: Record<string, unknown>, opts: { providers?: boolean } = {}): Promise<string> {
  const root = join(dir, 'policies');
  await mkdir(join(root, 'roles'), { recursive: true });
  if (opts.providers !== false) await cp(join(DEMO_POLICIES, 'providers'), join(root, 'providers'), { recursive: true });
  else await mkdir(join(root, 'providers'), { recursive: true });
  for (const [name, role] of Object.entries(roles)) {
    await writeFile(join(root, 'roles', name), typeof role === 'string' ? role : JSON.stringify(role, null, 2));
  }
  return root;
}

/** A trust policy document with one Allow statement for a federated principal. */
export function trustRole(
  name: string,
  federated: string,
  condition: Record<string, unknown> | undefined,
  statement: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    RoleName: name,
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: federated },
          Action: 'sts:AssumeRoleWithWebIdentity',
          ...(condition === undefined ? {} : { Condition: condition }),
          ...statement,
        },
      ],
    },
  };
}
