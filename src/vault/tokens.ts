/**
 * The client tokens a Vault login issues, stateless and sealed like the AWS session tokens and Google's tokens
 * (sts/credentials.ts, gcp/tokens.ts): AES-256-GCM under a key derived from the server key with its own label, so a
 * Vault token never opens as anything else and any server with the same key recognises it. `hvs.` as Vault's service
 * tokens begin (`hvb.` for batch). What a token carries is what `lookup-self` shows; it is not revocable (no state).
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';

export interface VaultTokenContent {
  readonly mount: string;
  readonly role: string;
  readonly displayName: string;
  readonly policies: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly entityId: string;
  readonly accessor: string;
  readonly type: 'service' | 'batch';
  readonly renewable: boolean;
  readonly numUses: number;
  readonly explicitMaxTtl: number;
  /** The TTL granted at login, in seconds. */
  readonly ttl: number;
  readonly issued: Date;
  readonly expires: Date;
}

export interface VaultTokenAuthority {
  seal(token: VaultTokenContent): string;
  /** The token's content, or why it is not one (not ours, expired): never throws. */
  open(text: string, now: Date): { readonly token: VaultTokenContent } | { readonly error: string };
}

const IV = 12;
const TAG = 16;
const MAX_CHARS = 8192;
const PREFIXES = { service: 'hvs.', batch: 'hvb.' } as const;

export function createVaultTokenAuthority(serverKey: Uint8Array, deps: { randomBytes: (n: number) => Uint8Array }): VaultTokenAuthority {
  if (serverKey.length < 32) throw new RangeError(`server key is ${serverKey.length} bytes; at least 32 are required`);
  const key = Buffer.from(hkdfSync('sha256', serverKey, 'sts-emulator', 'vault token enc v1', 32));
  return {
    seal(token) {
      const iv = deps.randomBytes(IV);
      if (iv.length !== IV) throw new RangeError('randomBytes returned too few bytes');
      const { issued, expires, ...rest } = token;
      const body = JSON.stringify({ ...rest, t: issued.getTime(), e: expires.getTime() });
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(token.type));
      const encrypted = Buffer.concat([cipher.update(body, 'utf8'), cipher.final()]);
      return PREFIXES[token.type] + Buffer.concat([Buffer.from(iv), encrypted, cipher.getAuthTag()]).toString('base64url');
    },
    open(text, now) {
      if (typeof text !== 'string' || text.length > MAX_CHARS) return { error: 'not a token of this emulator' };
      const type = text.startsWith(PREFIXES.service) ? 'service' : text.startsWith(PREFIXES.batch) ? 'batch' : undefined;
      if (type === undefined) return { error: 'not a Vault token of this emulator (hvs. or hvb.)' };
      const raw = Buffer.from(text.slice(4), 'base64url');
      if (raw.length < IV + TAG + 2) return { error: 'not a token of this emulator' };
      let plain: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV));
        decipher.setAAD(Buffer.from(type));
        decipher.setAuthTag(raw.subarray(raw.length - TAG));
        plain = Buffer.concat([decipher.update(raw.subarray(IV, raw.length - TAG)), decipher.final()]).toString('utf8');
      } catch {
        return { error: "not a Vault token of this emulator's server key" };
      }
      const o = JSON.parse(plain) as Omit<VaultTokenContent, 'issued' | 'expires'> & { t: number; e: number };
      const { t, e, ...rest } = o;
      const expires = new Date(e);
      if (!(now.getTime() < expires.getTime())) return { error: `the token expired at ${expires.toISOString()}` };
      return { token: { ...rest, issued: new Date(t), expires } };
    },
  };
}
