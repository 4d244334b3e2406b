/**
 * `startEmulator`: the server `serve` runs, started in-process (on a free port by default), with a handle for test
 * suites: its endpoint, tokens from the built-in issuers, roles and providers changed while it runs, the recent
 * decisions, the in-process decision, and a stop that closes every socket.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, DEMO_POLICIES_DIR, providersWhere, type LoadedConfig } from '../config/index.js';
import type { AdminSurface, AuditLog, AuditRecord, AuditSink, RecordKeeper, ServerTimeouts } from '../server/index.js';
import type { IamLimits } from '../iam/index.js';
import { createCredentialAuthority, pooledRandomBytes, resolveServerKey, type ClaimKeyMode } from '../sts/index.js';
import { createGcpTokenAuthority } from '../gcp/tokens.js';
import { createInfisicalTokenAuthority } from '../infisical/tokens.js';
import { createVaultTokenAuthority } from '../vault/tokens.js';
import { claimsFor, type ClaimsSpec } from './claims-spec.js';
import { decideWith, type DecideCall, type Decision } from './decide.js';
import { createDecisionLog } from './decisions.js';
import { IssuerChoiceError, signFor } from './issuers.js';
import { LiveConfiguration } from './live.js';
import { pageConfig, pageDecision, pageTokenSpec } from './page.js';

/** The demo configuration shipped with the package. */
export const DEFAULT_POLICIES = DEMO_POLICIES_DIR;

export interface EmulatorOptions {
  /**
   * A policies directory (providers/ and roles/, and CloudFormation templates or Terraform JSON directly in it), or one
   * template, `terraform show -json` plan or state. Default: the demo policies, unless providers or roles are given.
   */
  readonly policies?: string;
  /** Template parameters (and AWS::StackName, AWS::StackId) over their defaults, as `--parameter Key=Value` gives them. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Provider documents, in the shape of a providers/*.json file (Url, ClientIDList, Jwks | JwksUri | Emulated ...). */
  readonly providers?: readonly unknown[];
  /** Role documents, in the shape of a roles/*.json file (RoleName, AssumeRolePolicyDocument ...). */
  readonly roles?: readonly unknown[];
  /** Default 123456789012. */
  readonly accountId?: string;
  /** Default us-east-1. */
  readonly region?: string;
  /** 'aws' (default): the condition keys AWS provides; 'all': every top-level claim. */
  readonly claimKeys?: ClaimKeyMode;
  /** The key that seals issued credentials: hex or base64 of 32+ bytes, or the bytes. Default: random. */
  readonly serverKey?: string | Uint8Array;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** The JSON audit log: 'off' (default), '-' for stderr, a file, or a function receiving each record. */
  readonly audit?: string | AuditSink;
  /**
   * How many recent decisions decisions() and GET /_emulator/decisions keep (default 500; 0 keeps none). Each kept
   * decision holds its trace in memory for that long, which a server under load pays for in garbage collection.
   */
  readonly keepDecisions?: number;
  /** More sinks for each record (the CLI's one-line request log). */
  readonly sinks?: readonly AuditSink[];
  /** Reload the policies directory when its files change. Default false. */
  readonly watch?: boolean;
  /** Opens the admin surface (/_emulator/) to clients off the loopback interface that send it as a bearer token. */
  readonly adminToken?: string;
  /** Send the x-sts-emulator-reason header on refusals (default true). */
  readonly reasonHeader?: boolean;
  readonly maxConnections?: number;
  readonly timeouts?: Partial<ServerTimeouts>;
  /** Where reload reports and audit-log failures go (default: nowhere). */
  readonly log?: (text: string) => void;
  /** The emulator's clock (tests that need a fixed time). Default: the system clock. */
  readonly clock?: () => Date;
  /**
   * Write what the IAM API creates, changes and deletes back to `policies` (atomically, as the files a user would
   * write), so a setup script's result can be committed. Needs a policies directory other than the demo's.
   */
  readonly persist?: boolean;
  /** The IAM API's quotas (default AWS's: 1000 roles, 100 providers ...), lowered by tests. */
  readonly iamLimits?: Partial<IamLimits>;
}

/** Options of a token from a built-in issuer: a preset with its options, claims over it, the issuer, the lifetime. */
export type MintOptions = ClaimsSpec;

export interface Emulator {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  readonly accountId: string;
  readonly region: string;
  /** arn:aws:iam::<account>:role/<name> */
  roleArn(name: string): string;
  /** A token signed by a built-in (emulated) issuer. */
  mintToken(options?: MintOptions): Promise<string>;
  /** Adds a provider; ConfigError (with every problem) when it is invalid. */
  addProvider(doc: unknown): Promise<void>;
  /** Puts a role, replacing one of the same name; ConfigError when it is invalid. */
  putRole(doc: unknown): Promise<void>;
  /** Removes a role; false when there is none of that name. */
  removeRole(name: string): Promise<boolean>;
  /** Back to the starting configuration (every addProvider/putRole/removeRole undone), decisions cleared. */
  reset(): Promise<void>;
  /** The recent decisions (audit records with their traces), oldest first. */
  decisions(): readonly AuditRecord[];
  /** The in-process decision for one call, without HTTP. */
  decide(call: DecideCall): Promise<Decision>;
  /** The configuration in force. */
  config(): LoadedConfig;
  /** Reads the policies directory again (edits kept); false, with the problems reported to `log`, when it is invalid. */
  reload(): Promise<boolean>;
  /** What GET /_emulator/health answers: status, counts, uptime, audit records lost. */
  health(): Record<string, unknown>;
  /**
   * Stops the server and resolves when it has stopped; idempotent. By default every socket is closed at once; with
   * `graceMs` the requests in flight are answered first (for at most that long), and a later call without it cuts them.
   */
  stop(options?: { readonly graceMs?: number }): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const accountId = options.accountId ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const claimKeys = options.claimKeys ?? 'aws';
  checkSettings(accountId, region, claimKeys);
  const decisions = createDecisionLog(options.keepDecisions); // checks keepDecisions before anything is made
  const log = options.log ?? ((): void => undefined);
  const given = options.providers !== undefined || options.roles !== undefined;
  const policies = options.policies ?? (given ? undefined : DEFAULT_POLICIES);
  const clock = options.clock ?? ((): Date => new Date());
  checkPersist(options.persist === true, policies);
  // Loaded here, not by the module: the runners that only decide (test, explain, decide()) never load the server.
  const [{ auditTo, createStsServer, createTurnQueue, openAuditLog, recordTo, stopGracefully }, { DEFAULT_IAM_LIMITS, iamOperations }] =
    await Promise.all([import('../server/index.js'), import('../iam/index.js')]);
  const serverKey = serverKeyOf(options.serverKey);
  const authority = createCredentialAuthority(serverKey, { randomBytes: pooledRandomBytes() });
  const gcpTokens = createGcpTokenAuthority(serverKey, { randomBytes: pooledRandomBytes() });
  const infisicalTokens = createInfisicalTokenAuthority(serverKey, { randomBytes: pooledRandomBytes() });
  const vaultTokens = createVaultTokenAuthority(serverKey, { randomBytes: pooledRandomBytes() });
  const objectKeysDir = await mkdtemp(join(tmpdir(), 'sts-emulator-keys-'));
  const live = await LiveConfiguration.start({
    source: {
      ...(policies === undefined ? {} : { dir: resolve(policies) }),
      ...(options.providers === undefined ? {} : { providers: options.providers }),
      ...(options.roles === undefined ? {} : { roles: options.roles }),
      ...(options.parameters === undefined ? {} : { parameters: options.parameters }),
    },
    accountId,
    region,
    claimKeys,
    authority,
    gcpTokens,
    infisicalTokens,
    vaultTokens,
    clock,
    objectKeysDir,
    persist: options.persist === true,
    // Signature checks of one event-loop turn go to the thread pool together (src/server/turn-batch.ts).
    verifierOptions: { schedule: createTurnQueue() },
    report: log,
  }).catch(async (e: unknown) => {
    await rm(objectKeysDir, { recursive: true, force: true });
    throw e;
  });

  const where = policies === undefined ? 'the providers given' : providersWhere(live.inForce.runtime.config, policies);

  let audit: AuditLog | undefined;
  const userAudit = options.audit;
  try {
    if (typeof userAudit === 'string') audit = openAuditLog(userAudit, log);
  } catch (e) {
    await rm(objectKeysDir, { recursive: true, force: true });
    throw e;
  }
  const sinks: (AuditSink | RecordKeeper)[] = [...(options.sinks ?? [])];
  if (decisions.keeper !== undefined) sinks.push(decisions.keeper);
  if (audit?.sink !== undefined) sinks.push(audit.sink);
  if (typeof userAudit === 'function') sinks.push(userAudit);
  const started = Date.now();
  const admin: AdminSurface = {
    ...(options.adminToken === undefined ? {} : { token: options.adminToken }),
    health: () => {
      const { config } = live.inForce.runtime;
      return {
        status: 'ok',
        roles: config.roles.length,
        providers: config.providers.length,
        uptimeSeconds: Math.floor((Date.now() - started) / 1000),
        auditRecordsLost: audit?.lost() ?? 0,
      };
    },
    config: () => configView(live.inForce.runtime.config),
    putRole: async (name, doc) => {
      const role = (doc as { Role?: unknown } | null)?.Role ?? doc;
      const given = (role as { RoleName?: unknown } | null)?.RoleName;
      if (given !== undefined && given !== name)
        throw new ConfigError([
          { file: `roles[${JSON.stringify(name)}]`, path: 'RoleName', message: `is '${String(given)}', but the path names '${name}'` },
        ]);
      await live.putRole(given === undefined && typeof role === 'object' && role !== null ? { ...role, RoleName: name } : doc);
      return configView(live.inForce.runtime.config).roles.find((r) => r.RoleName.toLowerCase() === name.toLowerCase());
    },
    removeRole: (name) => live.removeRole(name),
    reset: async () => {
      await live.reset();
      decisions.clear();
    },
    decisions: () => decisions.list(),
    decision: (requestId) => {
      const kept = decisions.find(requestId);
      return kept === undefined ? undefined : pageDecision(kept);
    },
    watchDecisions: (stream) => decisions.watch(stream),
    page: () => pageConfig(live.inForce.runtime.config, region),
    mintForPage: async (body) => {
      try {
        return await mint(pageTokenSpec(body));
      } catch (e) {
        if (e instanceof IssuerChoiceError) throw Object.assign(new Error(e.message), { status: 400 });
        throw e;
      }
    },
  };
  /** A token from a built-in issuer, with the claims it carries and the issuer that signed it. */
  const mint = async (spec: ClaimsSpec): Promise<{ token: string; issuer: string; claims: Record<string, unknown> }> => {
    const { config } = live.inForce.runtime;
    const { provider, values } = claimsFor(config, where, spec, clock());
    return { token: await signFor(provider, values), issuer: provider.url, claims: values };
  };
  const iam = iamOperations({
    clock,
    credentials: authority,
    store: live.iamStore(),
    limits: { ...DEFAULT_IAM_LIMITS, ...options.iamLimits },
  });
  const server = createStsServer({
    operations: () => live.inForce.runtime.operations,
    iam,
    issuers: () => live.inForce.issuers,
    services: () => live.inForce.runtime.services,
    clock,
    // Each answer's record is built once for every sink; with no sink, none is built.
    ...(sinks.length === 0
      ? {}
      : {
          answered: auditTo(...sinks),
          recorded: recordTo(...sinks),
        }),
    admin,
    ...(options.reasonHeader === undefined ? {} : { reasonHeader: options.reasonHeader }),
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
  });
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
  } catch (e) {
    audit?.close();
    await rm(objectKeysDir, { recursive: true, force: true });
    throw e;
  }
  const unwatch = options.watch === true ? live.watch() : (): void => undefined;
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let stopping: Promise<void> | undefined;

  return {
    endpoint: `http://${shownHost}:${address.port}`,
    port: address.port,
    accountId,
    region,
    roleArn: (name) => `arn:aws:iam::${accountId}:role/${name}`,
    mintToken: async (spec = {}) => {
      const given =
        spec.preset === undefined && spec.claims === undefined && spec.issuer === undefined
          ? { ...spec, preset: 'circleci' as const }
          : spec;
      return (await mint(given)).token;
    },
    addProvider: (doc) => live.addProvider(doc),
    putRole: (doc) => live.putRole(doc),
    removeRole: (name) => live.removeRole(name),
    reset: () => admin.reset(),
    decisions: () => decisions.list(),
    decide: (call) => decideWith(live.inForce.runtime, where, call),
    config: () => live.inForce.runtime.config,
    reload: () => live.reload(),
    health: () => admin.health(),
    stop: (how = {}) => {
      const graceMs = how.graceMs ?? 0;
      if (stopping !== undefined) {
        if (graceMs === 0) server.closeAllConnections();
        return stopping;
      }
      stopping = (async () => {
        unwatch();
        decisions.close(); // the page's decision streams end, so they do not hold the stop for its grace
        await stopGracefully(server, graceMs);
        audit?.close();
        await rm(objectKeysDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

function checkSettings(accountId: string, region: string, claimKeys: string): void {
  const problems = [];
  if (!/^\d{12}$/.test(accountId)) problems.push({ file: 'options', path: 'accountId', message: `must be 12 digits, got '${accountId}'` });
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
    problems.push({ file: 'options', path: 'region', message: `must look like us-east-1, got '${region}'` });
  if (claimKeys !== 'aws' && claimKeys !== 'all')
    problems.push({ file: 'options', path: 'claimKeys', message: `must be 'aws' or 'all', got '${claimKeys}'` });
  if (problems.length > 0) throw new ConfigError(problems);
}

/** `persist` writes into the policies directory: one must be given, and not the package's demo. */
function checkPersist(persist: boolean, policies: string | undefined): void {
  if (!persist) return;
  if (policies === undefined) {
    throw new ConfigError([{ file: 'options', path: 'persist', message: 'needs a policies directory to write to (policies)' }]);
  }
  if (resolve(policies) === resolve(DEFAULT_POLICIES)) {
    throw new ConfigError([
      {
        file: 'options',
        path: 'persist',
        message: `would write into the demo policies (${DEFAULT_POLICIES}); give a policies directory of your own`,
      },
    ]);
  }
}

function serverKeyOf(key: string | Uint8Array | undefined): Uint8Array {
  if (key === undefined) return new Uint8Array(randomBytes(32));
  if (typeof key !== 'string') {
    if (key.length < 32)
      throw new ConfigError([{ file: 'options', path: 'serverKey', message: `is ${key.length} bytes; at least 32 are required` }]);
    return key;
  }
  try {
    return resolveServerKey({ flag: key, env: {} }).key;
  } catch (e) {
    throw new ConfigError([{ file: 'options', path: 'serverKey', message: (e as Error).message.replace(/^--server-key: /, '') }]);
  }
}

/** Providers and roles in the shapes IAM prints them (the admin surface's GET /_emulator/config). */
export function configView(config: LoadedConfig): {
  providers: Record<string, unknown>[];
  roles: ({ RoleName: string } & Record<string, unknown>)[];
} {
  return {
    providers: config.providers.map((p) => ({
      Url: p.url,
      Arn: p.arn,
      ClientIDList: [...p.clientIdList],
      ThumbprintList: [...p.thumbprintList],
      Keys:
        p.keys.kind === 'uri'
          ? { JwksUri: p.keys.uri }
          : p.keys.kind === 'emulated'
            ? { Emulated: true, ...(p.keys.preset === undefined ? {} : { Preset: p.keys.preset }) }
            : p.keys.kind === 'inline'
              ? { Jwks: 'inline' }
              : { Discovery: true },
      Source: p.file,
    })),
    roles: config.roles.map((r) => ({
      RoleName: r.roleName,
      Path: r.path,
      Arn: r.arn,
      RoleId: r.roleId,
      MaxSessionDuration: r.maxSessionDuration,
      ...(r.description === undefined ? {} : { Description: r.description }),
      Tags: [...r.tags],
      AssumeRolePolicyDocument: JSON.parse(r.trustPolicyJson) as unknown,
      Source: r.file,
    })),
  };
}
