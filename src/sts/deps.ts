/** What the STS operations need, injected: configuration, verifier, credential authority, clock. */
import type { VerifiedToken } from '../identity/types.js';
import type { RoleIndex } from './roles.js';
import type { ClaimKeyMode } from './request-context.js';
import type { CredentialsView } from './credentials-xml.js';

export interface SessionSpec {
  readonly accountId: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly roleId: string;
  readonly sessionName: string;
  readonly expiration: Date;
  readonly issuedAt: Date;
  readonly sourceIdentity?: string;
  readonly chained: boolean;
}

export interface StsDeps {
  readonly accountId: string;
  readonly region: string;
  readonly claimKeys: ClaimKeyMode;
  readonly roles: RoleIndex;
  readonly verifier: { verify(token: string, now: Date): Promise<VerifiedToken> };
  readonly credentials: { issue(session: SessionSpec): CredentialsView };
  readonly clock: () => Date;
}
