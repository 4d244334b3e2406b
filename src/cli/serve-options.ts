/** The arguments of `sts-emulator serve`, checked, and the ready line it prints. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { DEMO_POLICIES_DIR } from '../config/index.js';
import { DEFAULT_MAX_CONNECTIONS, PAGE_PATH } from '../server/index.js';
import { resolveServerKey, type ResolvedServerKey } from '../sts/index.js';
import { COMMON_ARGS, commonOptions, DEFAULT_PORT, parsePort, str, UsageError, type CommonOptions, type Io } from './options.js';

export const MAX_WORKERS = 64;

/** Everything `serve` was asked for, checked. */
export interface ServeOptions {
  readonly common: CommonOptions;
  readonly port: number;
  readonly host: string;
  readonly workers: number;
  readonly key: ResolvedServerKey;
  readonly auditLog: string;
  readonly reasonHeader: boolean;
  readonly maxConnections: number;
  /** How many recent decisions the admin surface keeps. */
  readonly keepDecisions: number;
  /** Reload the policies directory when its files change. */
  readonly watch: boolean;
  /** Write what the IAM API creates, changes and deletes back to the policies directory. */
  readonly persist: boolean;
  /** Opens the admin surface to clients off the loopback interface that send it. */
  readonly adminToken: string | undefined;
  /** No request log (one line per request on stderr): --quiet or STS_EMULATOR_QUIET=1. */
  readonly quiet: boolean;
  /** The arguments as given, for the workers of a cluster. */
  readonly argv: readonly string[];
}

/** The options, or undefined when --help was asked for. */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv, io: Io): ServeOptions | undefined {
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
      'max-connections': { type: 'string' },
      'keep-decisions': { type: 'string' },
      watch: { type: 'boolean' },
      persist: { type: 'boolean' },
      'admin-token': { type: 'string' },
      quiet: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return undefined;
  const keyFlag = str(values, 'server-key');
  const keyFile = str(values, 'server-key-file') ?? env['STS_EMULATOR_SERVER_KEY_FILE'];
  const common = commonOptions(values, env, io.cwd);
  const persist = values.persist === true || env['STS_EMULATOR_PERSIST'] === '1';
  if (persist && resolve(common.policies) === resolve(DEMO_POLICIES_DIR)) {
    throw new UsageError(`--persist would write into the demo policies (${DEMO_POLICIES_DIR}); give --policies <dir> of your own`);
  }
  return {
    common,
    port: parsePort(str(values, 'port') ?? env['STS_EMULATOR_PORT'] ?? String(DEFAULT_PORT)),
    host: str(values, 'host') ?? env['STS_EMULATOR_HOST'] ?? '127.0.0.1',
    workers: parseWorkers(str(values, 'workers') ?? env['STS_EMULATOR_WORKERS'] ?? '1'),
    key: serverKey(keyFlag, keyFile, env),
    auditLog: str(values, 'audit-log') ?? env['STS_EMULATOR_AUDIT_LOG'] ?? 'off',
    reasonHeader: values['no-reason-header'] !== true,
    maxConnections: parseMaxConnections(
      str(values, 'max-connections') ?? env['STS_EMULATOR_MAX_CONNECTIONS'] ?? String(DEFAULT_MAX_CONNECTIONS),
    ),
    keepDecisions: parseKeepDecisions(str(values, 'keep-decisions') ?? env['STS_EMULATOR_KEEP_DECISIONS'] ?? String(SERVE_KEEP_DECISIONS)),
    watch: values.watch === true || env['STS_EMULATOR_WATCH'] === '1',
    persist,
    adminToken: adminToken(str(values, 'admin-token') ?? env['STS_EMULATOR_ADMIN_TOKEN']),
    quiet: values.quiet === true || quietFromEnv(env['STS_EMULATOR_QUIET']),
    argv,
  };
}

/** STS_EMULATOR_QUIET: 1/true or 0/false (unset or empty: false). */
export function quietFromEnv(text: string | undefined): boolean {
  if (text === undefined || text === '' || text === '0' || text === 'false') return false;
  if (text === '1' || text === 'true') return true;
  throw new UsageError(`STS_EMULATOR_QUIET must be 1 or 0, got '${text}'`);
}

function serverKey(flag: string | undefined, file: string | undefined, env: NodeJS.ProcessEnv): ResolvedServerKey {
  try {
    return resolveServerKey({ ...(flag === undefined ? {} : { flag }), ...(file === undefined ? {} : { file }), env });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function adminToken(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.length < 16) throw new UsageError('--admin-token must be at least 16 characters (e.g. `openssl rand -hex 16`)');
  return text;
}

export function parseMaxConnections(text: string): number {
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1) throw new UsageError(`--max-connections must be a whole number from 1, got '${text}'`);
  return Number(text);
}

/**
 * The server keeps fewer recent decisions than the package API (500): at thousands of requests a second, a decision
 * kept longer than a few milliseconds outlives the young generation, and 500 of them cost ~15% throughput in
 * garbage collection (bench/README.md).
 */
export const SERVE_KEEP_DECISIONS = 50;

export function parseKeepDecisions(text: string): number {
  if (!/^\d{1,6}$/.test(text)) throw new UsageError(`--keep-decisions must be a whole number from 0, got '${text}'`);
  return Number(text);
}

export function parseWorkers(text: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_WORKERS) {
    throw new UsageError(`--workers must be 1..${MAX_WORKERS}, got '${text}'`);
  }
  return Number(text);
}

/** What the ready line says after `server key: generated`: why a restart refuses the credentials aws-cli cached. */
const GENERATED_KEY_HINT = 'credentials end with this process; keep them with --server-key-file';

/** The one line `serve` prints when it listens. */
export function readyLine(
  address: string,
  ipv6: boolean,
  port: number,
  options: ServeOptions,
  config: { roles: readonly unknown[]; providers: readonly unknown[] },
): string {
  const { common, key, workers } = options;
  const shownHost = ipv6 ? `[${address}]` : address;
  const page = `http://${shownHost}:${port}${PAGE_PATH}${options.adminToken === undefined ? '' : '?token=<admin token>'}`;
  return (
    `sts-emulator listening on http://${shownHost}:${port} (account ${common.accountId}, region ${common.region}, ` +
    `${config.roles.length} roles, ${config.providers.length} providers, server key: ${key.source}` +
    `${key.source === 'generated' ? ` (${GENERATED_KEY_HINT})` : ''}` +
    `${workers > 1 ? `, ${workers} workers` : ''}); demo page ${page}\n`
  );
}
