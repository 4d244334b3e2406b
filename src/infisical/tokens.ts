/**
 * Infisical's machine identity access tokens, stateless and sealed by the one sealer of the other services' tokens
 * (identity/sealed-json.ts: AES-256-GCM under a key derived from the server key), so any server with the same key
 * recognises them. The token carries what Infisical keeps in its access-token row: the identity, when it
 * was created, the TTL, max TTL, uses limit and trusted IPs copied from the identity at login, and the metadata
 * claims. What cannot be stateless (uses counted, revocation, renewal time) is kept in a small ledger by token id:
 * bounded (MAX_TRACKED entries; entries past their max TTL go first, then the oldest), in memory, per process.
 */
import type { InfisicalTrustedIp } from '../config/index.js';
import { createSealedJson } from '../identity/sealed-json.js';

export interface AccessGrant {
  /** The token's id (Infisical's identityAccessTokenId). */
  readonly id: string;
  readonly identityId: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** The last renewal, epoch milliseconds. */
  readonly renewedAt?: number;
  readonly ttl: number;
  readonly maxTtl: number;
  readonly usesLimit: number;
  readonly trustedIps: readonly InfisicalTrustedIp[];
  /** claimMetadataMapping's values (identityAuth.oidc.claims). */
  readonly claims: Readonly<Record<string, string>>;
}

interface LedgerEntry {
  uses: number;
  revoked: boolean;
  renewedAt?: number;
  /** After this (epoch ms) the entry may be forgotten: the token can no longer be used anyway. */
  forgetAfter: number;
}

export interface InfisicalTokenAuthority {
  seal(grant: AccessGrant): string;
  /** The grant, with the ledger's renewal applied; undefined for a token this server key did not seal. */
  open(text: string): AccessGrant | undefined;
  uses(id: string): number;
  revoked(id: string): boolean;
  /** Counts one use. */
  use(grant: AccessGrant, now: number): void;
  revoke(grant: AccessGrant, now: number): void;
  renew(grant: AccessGrant, now: number): AccessGrant;
  /** Deletes a token (Infisical deletes the row when its uses, TTL or max TTL run out): refused from then on. */
  forget(grant: AccessGrant, now: number): void;
}

/** Tokens whose state (uses, revocation, renewal) is kept at once. */
export const MAX_TRACKED = 10_000;
const PREFIX = 'ist.';
const KIND = 'infisical-access';
const MAX_CHARS = 8192;

export function createInfisicalTokenAuthority(
  serverKey: Uint8Array,
  deps: { readonly randomBytes: (n: number) => Uint8Array; readonly maxTracked?: number },
): InfisicalTokenAuthority {
  const box = createSealedJson(serverKey, 'infisical access token enc v1', deps.randomBytes);
  const limit = deps.maxTracked ?? MAX_TRACKED;
  const ledger = new Map<string, LedgerEntry>();
  const entry = (grant: AccessGrant, now: number): LedgerEntry => {
    let e = ledger.get(grant.id);
    if (e === undefined) {
      if (ledger.size >= limit) evict(now);
      const horizon = grant.maxTtl > 0 ? grant.createdAt + grant.maxTtl * 1000 : Number.POSITIVE_INFINITY;
      e = { uses: 0, revoked: false, forgetAfter: horizon };
      ledger.set(grant.id, e);
    }
    return e;
  };
  const evict = (now: number): void => {
    for (const [id, e] of ledger) if (e.forgetAfter < now) ledger.delete(id);
    while (ledger.size >= limit) {
      const oldest = ledger.keys().next();
      if (oldest.done === true) break;
      ledger.delete(oldest.value);
    }
  };
  return {
    seal(grant) {
      return PREFIX + box.seal(KIND, grant);
    },
    open(text) {
      if (typeof text !== 'string' || !text.startsWith(PREFIX) || text.length > MAX_CHARS) return undefined;
      const grant = box.open(text.slice(PREFIX.length), KIND) as AccessGrant | undefined;
      if (grant === undefined) return undefined;
      const renewedAt = ledger.get(grant.id)?.renewedAt;
      return renewedAt !== undefined && (grant.renewedAt === undefined || renewedAt > grant.renewedAt) ? { ...grant, renewedAt } : grant;
    },
    uses: (id) => ledger.get(id)?.uses ?? 0,
    revoked: (id) => ledger.get(id)?.revoked === true,
    use(grant, now) {
      // Only a token with a uses limit needs its uses counted.
      if (grant.usesLimit > 0) entry(grant, now).uses++;
    },
    revoke(grant, now) {
      entry(grant, now).revoked = true;
    },
    renew(grant, now) {
      entry(grant, now).renewedAt = now;
      return { ...grant, renewedAt: now };
    },
    forget(grant, now) {
      entry(grant, now).revoked = true;
    },
  };
}
