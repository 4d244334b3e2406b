/** The runtime the one-shot commands (explain, test) decide with: the configuration of --policies and the options. */
import { randomBytes } from 'node:crypto';
import { loadRuntime, type Runtime } from '../api/index.js';
import type { TokenVerifierOptions } from '../identity/index.js';
import { createCredentialAuthority, pooledRandomBytes } from '../sts/index.js';
import type { SkippedResource } from '../config/index.js';
import { configSourceOf, type CommonOptions } from './options.js';

export type { Runtime } from '../api/index.js';

export function createRuntime(
  opts: CommonOptions,
  serverKey: Uint8Array = randomBytes(32),
  clock: () => Date = () => new Date(),
  verifierOptions: TokenVerifierOptions = {},
): Promise<Runtime> {
  return loadRuntime(configSourceOf(opts), {
    accountId: opts.accountId,
    region: opts.region,
    claimKeys: opts.claimKeys,
    authority: createCredentialAuthority(serverKey, { randomBytes: pooledRandomBytes() }),
    clock,
    verifierOptions,
  });
}

/**
 * The role of a template or plan that the case names but the loader skipped (a value known only when deployed): a case or
 * an explanation for it says so rather than reporting a plain denial. Matched by role name (or ARN), logical id or Terraform address.
 */
export function skippedRoleOf(runtime: Runtime, role: string): SkippedResource | undefined {
  const name = (role.startsWith('arn:') ? role.slice(role.lastIndexOf('/') + 1) : role).toLowerCase();
  if (runtime.config.roles.some((r) => r.roleName.toLowerCase() === name)) return undefined;
  return runtime.config.skipped.find(
    (s) => s.kind === 'role' && (s.roleName?.toLowerCase() === name || s.resource.toLowerCase() === role.toLowerCase()),
  );
}
