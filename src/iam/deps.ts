/** What the IAM operations need, injected: the clock, the credential authority, the store, the quotas. */
import type { CredentialAuthority } from '../sts/index.js';
import type { IamStore } from './store.js';

/** IAM's quotas the subset enforces (the defaults are AWS's; tests lower them). */
export interface IamLimits {
  /** Roles per account (IAM's default quota RolesPerAccount: 1000). */
  readonly roles: number;
  /** OIDC providers per account (OpenIdConnectProvidersPerAccount: 100). */
  readonly providers: number;
  /** Client IDs per provider (100). */
  readonly clientIds: number;
  /** Thumbprints per provider (5). */
  readonly thumbprints: number;
  /** Tags per role (50). */
  readonly tagsPerRole: number;
  /** Trust policy characters without white space (ACLSizePerRole): the loader's limit, so whatever IAM takes loads. */
  readonly trustPolicyChars: number;
}

export interface IamDeps {
  readonly clock: () => Date;
  readonly credentials: CredentialAuthority;
  readonly store: IamStore;
  readonly limits: IamLimits;
}
