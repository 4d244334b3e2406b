/**
 * Vault's endpoints as a JSON service of the server (src/protocol/json-service.ts): the paths under `/v1/auth/` and
 * `/v1/sys/health`. Small on purpose: the operations, the verifier and jose load with the first Vault request.
 */
import type { VaultConfig } from '../config/index.js';
import type { JsonAnswer, JsonService } from '../protocol/json-service.js';
import type { VaultOperations } from './operations.js';
import type { VaultTokenAuthority } from './tokens.js';

export interface VaultDeps {
  readonly config: VaultConfig | undefined;
  readonly tokens: VaultTokenAuthority;
  readonly clock: () => Date;
  readonly randomBytes: (n: number) => Uint8Array;
  /** For JWKS and discovery of mounts that are not the emulator's own issuers. */
  readonly fetch?: typeof fetch;
}

/** Whether a path is Vault's (any method). */
export function isVaultPath(path: string): boolean {
  return path.startsWith('/v1/auth/') || path === '/v1/sys/health' || path === '/v1/sys/health/';
}

const INTERNAL: JsonAnswer = { status: 500, body: { errors: ['internal error'] } };

export function vaultService(deps: VaultDeps): JsonService {
  let loaded: Promise<VaultOperations> | undefined;
  const operations = (): Promise<VaultOperations> => (loaded ??= import('./operations.js').then((m) => m.vaultOperations(deps)));
  return {
    label: 'a Vault endpoint',
    owns: isVaultPath,
    internalError: INTERNAL,
    bodyError: (status, message) => ({ status, body: { errors: [message] }, reason: 'the body could not be read' }),
    async answer(request) {
      return (await operations()).answer(request);
    },
  };
}
