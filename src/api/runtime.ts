/**
 * Composition root: a loaded configuration wired into the STS operations with a verifier for its providers, the
 * credential authority of the server key and the clock. A runtime is immutable; a new configuration makes a new one
 * (live.ts), and a request keeps the runtime it started with.
 */
import { loadConfigFrom, type ConfigSource, type LoadedConfig, type NamedDocument } from '../config/index.js';
import { randomBytes } from 'node:crypto';
import type { GcpDeps } from '../gcp/operations.js';
import { gcpService } from '../gcp/service.js';
import { createGcpTokenAuthority, type GcpTokenAuthority } from '../gcp/tokens.js';
import type { JsonService } from '../protocol/index.js';
import { createGcpTokenVerifier, createInfisicalTokenVerifier, createTokenVerifier, type TokenVerifierOptions } from '../identity/index.js';
import { infisicalService, type InfisicalServiceDeps } from '../infisical/service.js';
import { createInfisicalTokenAuthority, type InfisicalTokenAuthority } from '../infisical/tokens.js';
import { vaultService, type VaultDeps } from '../vault/service.js';
import { createVaultTokenAuthority, type VaultTokenAuthority } from '../vault/tokens.js';
import type { IssuerRoutes } from '../server/index.js';
import { indexRoles, stsOperations, type ClaimKeyMode, type CredentialAuthority, type Operations, type StsDeps } from '../sts/index.js';

export interface RuntimeSettings {
  readonly accountId: string;
  readonly region: string;
  readonly claimKeys: ClaimKeyMode;
  readonly authority: CredentialAuthority;
  readonly clock: () => Date;
  readonly verifierOptions?: TokenVerifierOptions;
  /** Where the keys of emulated providers given as objects are kept. */
  readonly objectKeysDir?: string;
  /** Roles put or removed on top of the source (live.ts). */
  readonly roleEdits?: ReadonlyMap<string, unknown>;
  /** Providers put or removed on top of the source by the IAM API, by Url (live.ts). */
  readonly providerEdits?: ReadonlyMap<string, NamedDocument | null>;
  /** Seals Google's federated and access tokens (from the server key); default: a random key for this runtime. */
  readonly gcpTokens?: GcpTokenAuthority;
  /** Seals Infisical's access tokens and keeps their uses (from the server key); default: a random key for this runtime. */
  readonly infisicalTokens?: InfisicalTokenAuthority;
  /** Seals Vault's client tokens (from the server key); default: a random key for this runtime. */
  readonly vaultTokens?: VaultTokenAuthority;
}

export interface Runtime {
  readonly config: LoadedConfig;
  readonly deps: StsDeps;
  readonly operations: Operations;
  /** The JSON services, by path: Google's endpoints over the gcp/ configuration (issue 19), Infisical's (issue 20). */
  readonly services: readonly JsonService[];
  /** What Google's endpoints run on (explain --gcp and gcp: test cases run the same exchange). */
  readonly gcpDeps: GcpDeps;
  /** Infisical's endpoints (explain --target infisical and target: infisical cases run the same login). */
  readonly infisical: ReturnType<typeof infisicalService>;
  /** What Vault's endpoints run on (explain --target vault and vault: test cases run the same login). */
  readonly vaultDeps: VaultDeps;
}

/** The runtime of one configuration. */
export function createRuntime(config: LoadedConfig, settings: RuntimeSettings): Runtime {
  const deps: StsDeps = {
    accountId: settings.accountId,
    region: settings.region,
    claimKeys: settings.claimKeys,
    roles: indexRoles(config),
    verifier: createTokenVerifier(config.providers, settings.verifierOptions ?? {}),
    credentials: settings.authority,
    clock: settings.clock,
  };
  const gcpDeps: GcpDeps = {
    config: config.gcp,
    verifier: createGcpTokenVerifier(settings.verifierOptions?.fetch === undefined ? {} : { fetch: settings.verifierOptions.fetch }),
    tokens: settings.gcpTokens ?? createGcpTokenAuthority(randomBytes(32), { randomBytes: (n) => randomBytes(n) }),
    clock: settings.clock,
  };
  const infisicalDeps: InfisicalServiceDeps = {
    config: config.infisical,
    verifier: createInfisicalTokenVerifier(settings.verifierOptions?.fetch === undefined ? {} : { fetch: settings.verifierOptions.fetch }),
    tokens: settings.infisicalTokens ?? createInfisicalTokenAuthority(randomBytes(32), { randomBytes: (n) => randomBytes(n) }),
    clock: settings.clock,
  };
  const infisical = infisicalService(infisicalDeps);
  const vaultDeps: VaultDeps = {
    config: config.vault,
    tokens: settings.vaultTokens ?? createVaultTokenAuthority(randomBytes(32), { randomBytes: (n) => randomBytes(n) }),
    clock: settings.clock,
    randomBytes: (n) => randomBytes(n),
    ...(settings.verifierOptions?.fetch === undefined ? {} : { fetch: settings.verifierOptions.fetch }),
  };
  return {
    config,
    deps,
    operations: stsOperations(deps),
    services: [gcpService(gcpDeps), infisical, vaultService(vaultDeps)],
    gcpDeps,
    infisical,
    vaultDeps,
  };
}

/** Loads a configuration source (ConfigError with every problem) and builds its runtime. */
export async function loadRuntime(source: ConfigSource, settings: RuntimeSettings): Promise<Runtime> {
  const config = await loadConfigFrom(source, {
    accountId: settings.accountId,
    region: settings.region,
    ...(settings.objectKeysDir === undefined ? {} : { objectKeysDir: settings.objectKeysDir }),
    ...(settings.roleEdits === undefined ? {} : { roleEdits: settings.roleEdits }),
    ...(settings.providerEdits === undefined ? {} : { providerEdits: settings.providerEdits }),
  });
  return createRuntime(config, settings);
}

/** The emulated issuers' discovery and JWKS routes of a runtime (reads or creates their keys). */
export async function issuerRoutesOf(runtime: Runtime): Promise<IssuerRoutes> {
  // The server is loaded by what serves (startEmulator), not by the runners that only decide (test, explain, decide()).
  const { createIssuerRoutes } = await import('../server/index.js');
  return createIssuerRoutes(runtime.config.providers);
}
