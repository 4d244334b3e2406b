/**
 * The tokens Google's side issues, stateless and sealed (identity/sealed-json.ts: AES-256-GCM under a key derived
 * from the server key, the kind as associated data), so a federated token never opens as an
 * access token and any server with the same key recognises both. `ya29.` as Google's access tokens begin.
 *   federated: the pool principal (subject, groups, attributes) STS exchanged a subject token for
 *   access:    a service account's access token from generateAccessToken
 */
import { createSealedJson } from '../identity/sealed-json.js';

export interface FederatedPrincipal {
  /** projects/<number>/locations/global/workloadIdentityPools/<pool> */
  readonly pool: string;
  /** The provider's full name. */
  readonly provider: string;
  readonly subject: string;
  readonly groups: readonly string[];
  readonly attributes: Readonly<Record<string, string | readonly string[]>>;
}

export interface AccessGrant {
  readonly email: string;
  readonly scopes: readonly string[];
  /** The principal that was impersonating (principal://...), for tokeninfo. */
  readonly by: string;
}

export type SealedToken =
  | { readonly kind: 'federated'; readonly principal: FederatedPrincipal; readonly expires: Date; readonly issued: Date }
  | { readonly kind: 'access'; readonly grant: AccessGrant; readonly expires: Date; readonly issued: Date };

export interface GcpTokenAuthority {
  seal(token: SealedToken): string;
  /** The token's content, or why it is not one (not ours, another kind, expired): never throws. */
  open(text: string, kind: SealedToken['kind'], now: Date): { readonly token: SealedToken } | { readonly error: string };
}

const PREFIX = 'ya29.';
const MAX_CHARS = 12288;

export function createGcpTokenAuthority(serverKey: Uint8Array, deps: { randomBytes: (n: number) => Uint8Array }): GcpTokenAuthority {
  const box = createSealedJson(serverKey, 'gcp token enc v1', deps.randomBytes);
  return {
    seal(token) {
      const { expires, issued, ...rest } = token;
      return PREFIX + box.seal(token.kind, { ...rest, e: expires.getTime(), t: issued.getTime() });
    },
    open(text, kind, now) {
      if (typeof text !== 'string' || !text.startsWith(PREFIX) || text.length > MAX_CHARS) return { error: 'not a token of this emulator' };
      const o = box.open(text.slice(PREFIX.length), kind) as Record<string, unknown> | undefined;
      if (o === undefined) return { error: `not a ${kind} token of this emulator's server key` };
      const expires = new Date(o['e'] as number);
      const issued = new Date(o['t'] as number);
      if (!(now.getTime() < expires.getTime())) return { error: `the ${kind} token expired at ${expires.toISOString()}` };
      const token: SealedToken =
        kind === 'federated'
          ? { kind, principal: o['principal'] as FederatedPrincipal, expires, issued }
          : { kind, grant: o['grant'] as AccessGrant, expires, issued };
      return { token };
    },
  };
}
