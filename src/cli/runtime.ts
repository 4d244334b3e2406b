/** The runtime the one-shot commands (explain, test) decide with: the configuration of --policies and the options. */
import { randomBytes } from 'node:crypto';
import { loadRuntime, type Runtime } from '../api/index.js';
import type { TokenVerifierOptions } from '../identity/index.js';
import { createCredentialAuthority, pooledRandomBytes } from '../sts/index.js';
import type { CommonOptions } from './options.js';

export type { Runtime } from '../api/index.js';

export function createRuntime(
  opts: CommonOptions,
  serverKey: Uint8Array = randomBytes(32),
  clock: () => Date = () => new Date(),
  verifierOptions: TokenVerifierOptions = {},
): Promise<Runtime> {
  return loadRuntime(
    { dir: opts.policies },
    {
      accountId: opts.accountId,
      region: opts.region,
      claimKeys: opts.claimKeys,
      authority: createCredentialAuthority(serverKey, { randomBytes: pooledRandomBytes() }),
      clock,
      verifierOptions,
    },
  );
}
