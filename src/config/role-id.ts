/**
 * Role unique IDs: `AROA` + 17 characters, as IAM prints them (e.g. AROAUH3H6EGKDE7GWMPWA).
 * Unless a role file gives its RoleId, the ID is derived from account and role name, so it is
 * stable across restarts and machines.
 */
import { createHash } from 'node:crypto';

/** What a given RoleId must look like. */
export const ROLE_ID_PATTERN = /^AROA[A-Z0-9]{17}$/;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 'AROA' + the first 17 characters of base32(sha256(`${accountId}:${roleName}`)) (RFC 4648 alphabet, [A-Z2-7]). */
export function deriveRoleId(accountId: string, roleName: string): string {
  const digest = createHash('sha256').update(`${accountId}:${roleName}`, 'utf8').digest();
  let out = 'AROA';
  let bits = 0;
  let buffer = 0;
  for (const byte of digest) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < 21) {
      bits -= 5;
      out += BASE32[(buffer >> bits) & 31];
    }
    if (out.length === 21) break;
  }
  return out;
}
