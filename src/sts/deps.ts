/** What the STS operations need, injected: configuration, verifier, credential authority, clock. */
import type { TokenVerifier } from '../identity/types.js';
import type { RoleIndex } from './roles.js';
import type { ClaimKeyMode } from './request-context.js';
import type { CredentialAuthority } from './credentials.js';

export interface StsDeps {
  readonly accountId: string;
  readonly region: string;
  readonly claimKeys: ClaimKeyMode;
  readonly roles: RoleIndex;
  readonly verifier: TokenVerifier;
  readonly credentials: CredentialAuthority;
  readonly clock: () => Date;
}
