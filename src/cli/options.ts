/** Options shared by the commands, each with an environment variable (README "Configuration"). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEMO_POLICIES_DIR, loadConfigFrom, type ConfigSource, type LoadedConfig } from '../config/index.js';
import { MAX_CLAIM_DEPTH, nestedDeeperThan } from '../identity/index.js';

export const DEFAULT_PORT = 8733;

/** The package's version, as `--version` and lint's SARIF output report it (package.json holds the same). */
export const VERSION = '0.1.0';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where a command writes, and the directory relative paths start from: the process's, or a test's capture. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
}

export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
  };
}

export interface CommonOptions {
  /** A policies directory, or a template or plan (absolute). */
  readonly policies: string;
  /** `--parameter Key=Value`: template parameters over their defaults. */
  readonly parameters?: Readonly<Record<string, string>>;
  readonly accountId: string;
  readonly region: string;
  readonly claimKeys: 'aws' | 'all';
}

type Raw = Record<string, string | boolean | (string | boolean)[] | undefined>;

export function str(raw: Raw, name: string): string | undefined {
  const v = raw[name];
  if (Array.isArray(v)) return str({ [name]: v[v.length - 1] }, name);
  return typeof v === 'string' ? v : undefined;
}

/** --account-id, else STS_EMULATOR_ACCOUNT_ID, else 123456789012; checked. */
export function accountIdOf(raw: Raw, env: NodeJS.ProcessEnv): string {
  const accountId = str(raw, 'account-id') ?? env['STS_EMULATOR_ACCOUNT_ID'] ?? '123456789012';
  if (!/^\d{12}$/.test(accountId)) throw new UsageError(`--account-id must be 12 digits, got '${accountId}'`);
  return accountId;
}

/** --region, else STS_EMULATOR_REGION, else us-east-1; checked. */
export function regionOf(raw: Raw, env: NodeJS.ProcessEnv): string {
  const region = str(raw, 'region') ?? env['STS_EMULATOR_REGION'] ?? 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new UsageError(`--region must look like us-east-1, got '${region}'`);
  return region;
}

/**
 * --policies, else ./policies, else (in a project that installed the package and has no policies/ of its own) the
 * package's demo policies.
 */
function policiesDir(given: string | undefined, cwd: string): string {
  if (given !== undefined) return resolve(cwd, given);
  const local = resolve(cwd, 'policies');
  return existsSync(local) ? local : DEMO_POLICIES_DIR;
}

export function commonOptions(raw: Raw, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): CommonOptions {
  const accountId = accountIdOf(raw, env);
  const region = regionOf(raw, env);
  const claimKeys = str(raw, 'claim-keys') ?? env['STS_EMULATOR_CLAIM_KEYS'] ?? 'aws';
  if (claimKeys !== 'aws' && claimKeys !== 'all') throw new UsageError(`--claim-keys must be 'aws' or 'all', got '${claimKeys}'`);
  return {
    policies: policiesDir(str(raw, 'policies') ?? env['STS_EMULATOR_POLICIES'], cwd),
    parameters: parseParameters(raw['parameter']),
    accountId,
    region,
    claimKeys,
  };
}

export const COMMON_ARGS = {
  policies: { type: 'string' },
  parameter: { type: 'string', multiple: true },
  'account-id': { type: 'string' },
  region: { type: 'string' },
  'claim-keys': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `--parameter Key=Value` (repeatable): a template parameter's name (or AWS::StackName, AWS::StackId), then its value. */
export function parseParameters(given: string | boolean | (string | boolean)[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of Array.isArray(given) ? given : given === undefined ? [] : [given]) {
    const text = String(item);
    const eq = text.indexOf('=');
    const key = eq < 0 ? text : text.slice(0, eq);
    if (eq < 0 || !/^(?:[A-Za-z0-9]+|AWS::[A-Za-z]+)$/.test(key))
      throw new UsageError(`--parameter must be Key=Value with a template parameter's name as Key, got '${text}'`);
    if (Object.hasOwn(out, key)) throw new UsageError(`--parameter ${key} is given twice`);
    out[key] = text.slice(eq + 1);
  }
  return out;
}

/** The configuration of --policies with the options (account, region, template parameters); ConfigError with every problem. */
export function loadCommonConfig(common: CommonOptions): Promise<LoadedConfig> {
  return loadConfigFrom(configSourceOf(common), { accountId: common.accountId, region: common.region });
}

/** Where the configuration of --policies comes from, with the template parameters given. */
export function configSourceOf(common: CommonOptions): ConfigSource {
  return { dir: common.policies, ...(common.parameters === undefined ? {} : { parameters: common.parameters }) };
}

export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`--port must be 0..65535, got '${text}'`);
  return Number(text);
}

/** Parse a --claims value: a JSON object, or a clear usage error. */
export function parseClaimsJson(text: string, flag = '--claims'): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${flag} is not valid JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${flag} must be a JSON object`);
  if (nestedDeeperThan(v, MAX_CLAIM_DEPTH))
    throw new UsageError(`${flag} nests objects or arrays more than ${MAX_CLAIM_DEPTH} levels deep; no real token does`);
  return v as Record<string, unknown>;
}
