/**
 * The client tokens a Vault login issues, stateless and sealed like the AWS session tokens and Google's tokens
 * (sts/credentials.ts, gcp/tokens.ts): AES-256-GCM under a key derived from the server key with its own label, so a
 * Vault token never opens as anything else and any server with the same key recognises it. `hvs.` as Vault's service
 * tokens begin (`hvb.` for batch). What a token carries is what `lookup-self` shows; it is not revocable (no state).
 */
import { createSealedJson } from '../identity/sealed-json.js';

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

const MAX_CHARS = 8192;
const PREFIXES = { service: 'hvs.', batch: 'hvb.' } as const;

export function createVaultTokenAuthority(serverKey: Uint8Array, deps: { randomBytes: (n: number) => Uint8Array }): VaultTokenAuthority {
  const box = createSealedJson(serverKey, 'vault token enc v1', deps.randomBytes);
  return {
    seal(token) {
      const { issued, expires, ...rest } = token;
      return PREFIXES[token.type] + box.seal(token.type, { ...rest, t: issued.getTime(), e: expires.getTime() });
    },
    open(text, now) {
      if (typeof text !== 'string' || text.length > MAX_CHARS) return { error: 'not a token of this emulator' };
      const type = text.startsWith(PREFIXES.service) ? 'service' : text.startsWith(PREFIXES.batch) ? 'batch' : undefined;
      if (type === undefined) return { error: 'not a Vault token of this emulator (hvs. or hvb.)' };
      const o = box.open(text.slice(4), type) as (Omit<VaultTokenContent, 'issued' | 'expires'> & { t: number; e: number }) | undefined;
      if (o === undefined) return { error: "not a Vault token of this emulator's server key" };
      const { t, e, ...rest } = o;
      const expires = new Date(e);
      if (!(now.getTime() < expires.getTime())) return { error: `the token expired at ${expires.toISOString()}` };
      return { token: { ...rest, issued: new Date(t), expires } };
    },
  };
}
