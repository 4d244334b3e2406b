/** `decide` without a running emulator: the configuration is loaded for the call (a one-off assertion in a test). */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { providersWhere } from '../config/index.js';
import { createCredentialAuthority, pooledRandomBytes } from '../sts/index.js';
import { decideWith, type DecideCall, type Decision } from './decide.js';
import { DEFAULT_POLICIES, type EmulatorOptions } from './emulator.js';
import { loadRuntime } from './runtime.js';

/** The configuration options of startEmulator that a decision depends on (policies: a directory, template or plan). */
export type StandaloneOptions = Pick<
  EmulatorOptions,
  'policies' | 'parameters' | 'providers' | 'roles' | 'accountId' | 'region' | 'claimKeys'
>;

/** The decision for one call against a configuration (default: the demo policies); ConfigError when it is invalid. */
export async function decide(call: DecideCall & StandaloneOptions): Promise<Decision> {
  const given = call.providers !== undefined || call.roles !== undefined;
  const policies = call.policies ?? (given ? undefined : DEFAULT_POLICIES);
  const runtime = await loadRuntime(
    {
      ...(policies === undefined ? {} : { dir: resolve(policies) }),
      ...(call.providers === undefined ? {} : { providers: call.providers }),
      ...(call.roles === undefined ? {} : { roles: call.roles }),
      ...(call.parameters === undefined ? {} : { parameters: call.parameters }),
    },
    {
      accountId: call.accountId ?? '123456789012',
      region: call.region ?? 'us-east-1',
      claimKeys: call.claimKeys ?? 'aws',
      authority: createCredentialAuthority(randomBytes(32), { randomBytes: pooledRandomBytes() }),
      clock: () => new Date(),
      objectKeysDir: join(tmpdir(), 'sts-emulator-keys'),
    },
  );
  return decideWith(runtime, policies === undefined ? 'the providers given' : providersWhere(runtime.config, policies), call);
}
