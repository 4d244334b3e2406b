/** Types of the identity layer: registered OIDC providers and verified tokens. Only identity/ imports jose. */
import type { PresetName } from './presets/schema.js';

/** A JWK Set as it appears in JSON (RFC 7517). */
export interface JwkSet {
  readonly keys: readonly Record<string, unknown>[];
}

/** Where a provider's signing keys come from. */
export type KeySource =
  /** `Jwks` inline, or `JwksFile` (config reads the file, relative to the provider file, into this form). */
  | { readonly kind: 'inline'; readonly jwks: JwkSet }
  | { readonly kind: 'uri'; readonly uri: string }
  /** `<Url>/.well-known/openid-configuration`, then its `jwks_uri`. */
  | { readonly kind: 'discovery' }
  /**
   * The emulator holds the signing key (issue 4). `privateKeyFile` is absolute; the key is a PKCS#8 PEM
   * (RSA 2048+ for RS256). A missing file is generated on first use with mode 0600. `preset` (the provider file's
   * "Preset") names the claim set it mints when its Url does not say (a GHES host, a self-managed GitLab).
   */
  | { readonly kind: 'emulated'; readonly privateKeyFile: string; readonly preset?: PresetName };

/** A registered IAM OIDC provider (the fields of `aws iam get-open-id-connect-provider`, plus key source). */
export interface OidcProvider {
  /** The exact registered Url, e.g. https://oidc.circleci.com/org/<org-id>. Compared to `iss` byte for byte. */
  readonly url: string;
  /** The Url without `https://`: the provider ARN's resource name and the condition-key prefix. */
  readonly name: string;
  /** arn:aws:iam::<account>:oidc-provider/<name> */
  readonly arn: string;
  readonly clientIdList: readonly string[];
  readonly thumbprintList: readonly string[];
  readonly keys: KeySource;
  /** Source file, for messages. */
  readonly file: string;
  /** The document's CreateDate and Tags, as written (the IAM API reports them). */
  readonly createDate?: string;
  readonly tags?: readonly { readonly Key: string; readonly Value: string }[];
  /** The document as written, so an edit through the IAM API keeps every field it does not change (key source included). */
  readonly document?: Readonly<Record<string, unknown>>;
}

/** What a verified token gives the STS layer. Claims are own properties only (null-prototype object). */
export interface VerifiedToken {
  readonly provider: OidcProvider;
  readonly claims: Readonly<Record<string, unknown>>;
  /** The protected header as jose parsed it. */
  readonly header: Readonly<Record<string, unknown>>;
  /** The `aud` value that matched the provider's ClientIDList (echoed as <Audience>). */
  readonly audience: string;
}

/** Verifies web identity tokens against the registered providers. */
export interface TokenVerifier {
  /**
   * Verifies `token` as AWS STS would at time `now`. Resolves with the verified token; rejects only
   * with an StsError (ValidationError, InvalidIdentityToken, ExpiredTokenException or InternalFailure).
   */
  verify(token: string, now: Date): Promise<VerifiedToken>;
}
