/** Composition root: configuration, verifier, credentials and clock wired into StsDeps. */
import { randomBytes } from 'node:crypto';
import { loadConfig, type LoadedConfig } from '../config/index.js';
import { createTokenVerifier, type TokenVerifierOptions } from '../identity/index.js';
import { createCredentialAuthority, indexRoles, pooledRandomBytes, type StsDeps } from '../sts/index.js';
import type { CommonOptions } from './options.js';

export interface Runtime {
  readonly config: LoadedConfig;
  readonly deps: StsDeps;
}

export async function createRuntime(
  opts: CommonOptions,
  serverKey: Uint8Array = randomBytes(32),
  clock: () => Date = () => new Date(),
  verifierOptions: TokenVerifierOptions = {},
): Promise<Runtime> {
  const config = await loadConfig(opts.policies, { accountId: opts.accountId });
  const verifier = createTokenVerifier(config.providers, verifierOptions);
  const authority = createCredentialAuthority(serverKey, { randomBytes: pooledRandomBytes() });
  const deps: StsDeps = {
    accountId: opts.accountId,
    region: opts.region,
    claimKeys: opts.claimKeys,
    roles: indexRoles(config),
    verifier,
    credentials: authority,
    clock,
  };
  return { config, deps };
}
