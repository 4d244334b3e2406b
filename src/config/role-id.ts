/**
 * Role unique IDs: `AROA` + 17 characters, as IAM prints them (e.g. AROAUH3H6EGKDE7GWMPWA).
 * Unless a role file gives its RoleId, the ID is derived from account and role name, so it is
 * stable across restarts and machines.
 */
import { createHash } from 'node:crypto';
import { base32 } from '../protocol/aws-ids.js';

/** What a given RoleId must look like. */
export const ROLE_ID_PATTERN = /^AROA[A-Z0-9]{17}$/;

/** 'AROA' + the first 17 characters of base32(sha256(`${accountId}:${roleName}`)) (RFC 4648 alphabet, [A-Z2-7]). */
export function deriveRoleId(accountId: string, roleName: string): string {
  const digest = createHash('sha256').update(`${accountId}:${roleName}`, 'utf8').digest();
  // 11 bytes (88 bits) cover the 17 characters (85 bits).
  return `AROA${base32(digest.subarray(0, 11)).slice(0, 17)}`;
}
