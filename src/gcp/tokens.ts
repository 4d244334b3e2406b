/**
 * The tokens Google's side issues, stateless and sealed like the AWS session tokens (sts/credentials.ts): AES-256-GCM
 * under a key derived from the server key, the kind as associated data, so a federated token never opens as an
 * access token and any server with the same key recognises both. `ya29.` as Google's access tokens begin.
 *   federated: the pool principal (subject, groups, attributes) STS exchanged a subject token for
 *   access:    a service account's access token from generateAccessToken
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';

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
const IV = 12;
const TAG = 16;
const MAX_CHARS = 12288;

export function createGcpTokenAuthority(serverKey: Uint8Array, deps: { randomBytes: (n: number) => Uint8Array }): GcpTokenAuthority {
  if (serverKey.length < 32) throw new RangeError(`server key is ${serverKey.length} bytes; at least 32 are required`);
  const key = Buffer.from(hkdfSync('sha256', serverKey, 'sts-emulator', 'gcp token enc v1', 32));
  return {
    seal(token) {
      const iv = deps.randomBytes(IV);
      if (iv.length !== IV) throw new RangeError('randomBytes returned too few bytes');
      const { expires, issued, ...rest } = token;
      const body = JSON.stringify({ ...rest, e: expires.getTime(), t: issued.getTime() });
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(token.kind));
      const encrypted = Buffer.concat([cipher.update(body, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([Buffer.from(iv), encrypted, cipher.getAuthTag()]).toString('base64url');
    },
    open(text, kind, now) {
      if (typeof text !== 'string' || !text.startsWith(PREFIX) || text.length > MAX_CHARS) return { error: 'not a token of this emulator' };
      const raw = Buffer.from(text.slice(PREFIX.length), 'base64url');
      if (raw.length < IV + TAG + 2) return { error: 'not a token of this emulator' };
      let plain: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV));
        decipher.setAAD(Buffer.from(kind));
        decipher.setAuthTag(raw.subarray(raw.length - TAG));
        plain = Buffer.concat([decipher.update(raw.subarray(IV, raw.length - TAG)), decipher.final()]).toString('utf8');
      } catch {
        return { error: `not a ${kind} token of this emulator's server key` };
      }
      const o = JSON.parse(plain) as Record<string, unknown>;
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
