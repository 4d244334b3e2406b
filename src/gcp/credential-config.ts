/**
 * The `external_account` credential configuration `gcloud iam workload-identity-pools create-cred-config` writes for
 * an OIDC token in a file, with token_url and service_account_impersonation_url pointing at the emulator (current
 * client libraries accept any URL there: shared/reference/gcp-wif.md §3.2). `universe_domain` stays Google's: it only
 * changes the default URLs, which the file replaces.
 */

export interface CredentialConfigOptions {
  /** The provider's full name (projects/<n>/locations/global/workloadIdentityPools/<pool>/providers/<provider>). */
  readonly provider: string;
  /** The emulator, e.g. http://127.0.0.1:8733 (no trailing slash needed). */
  readonly endpoint: string;
  /** The file the CI job writes its OIDC token to. */
  readonly tokenFile: string;
  /** Impersonate this service account; without it the federated token is used directly. */
  readonly serviceAccount?: string;
  /** `service_account_impersonation.token_lifetime_seconds`. */
  readonly lifetimeSeconds?: number;
}

export function credentialConfig(o: CredentialConfigOptions): Record<string, unknown> {
  const base = o.endpoint.replace(/\/+$/, '');
  return {
    universe_domain: 'googleapis.com',
    type: 'external_account',
    audience: `//iam.googleapis.com/${o.provider}`,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${base}/v1/token`,
    credential_source: { file: o.tokenFile, format: { type: 'text' } },
    ...(o.serviceAccount === undefined
      ? {}
      : {
          service_account_impersonation_url: `${base}/v1/projects/-/serviceAccounts/${o.serviceAccount}:generateAccessToken`,
          ...(o.lifetimeSeconds === undefined ? {} : { service_account_impersonation: { token_lifetime_seconds: o.lifetimeSeconds } }),
        }),
  };
}
