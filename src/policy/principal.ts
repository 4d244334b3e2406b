/**
 * The Principal element of a trust policy: `"*"`, or Federated / AWS / Service values.
 * - Federated: exact, case-sensitive compare with the caller's provider ARN (or built-in IdP name).
 * - AWS: `*` matches anyone; a 12-digit account id or `arn:aws:iam::<acct>:root` matches any principal
 *   ARN of that account; any other ARN must be equal.
 * - Service: never matches an AssumeRoleWithWebIdentity caller (kept so such policies still load).
 */
import type { CallerPrincipal } from './types.js';

export interface PrincipalSpec {
  readonly any: boolean;
  readonly federated: readonly string[];
  readonly aws: readonly string[];
  readonly service: readonly string[];
}

const ACCOUNT = /^\d{12}$/;
const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

function accountOf(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' ? parts[4] : undefined;
}

function awsMatches(value: string, caller: readonly string[]): boolean {
  if (value === '*') return true;
  const account = ACCOUNT.test(value) ? value : ROOT.exec(value)?.[1];
  if (account !== undefined) return caller.some((arn) => arn === value || accountOf(arn) === account);
  return caller.includes(value);
}

export function principalMatches(spec: PrincipalSpec, caller: CallerPrincipal): boolean {
  if (spec.any || spec.aws.includes('*')) return true;
  if (caller.federated !== undefined && spec.federated.includes(caller.federated)) return true;
  const aws = caller.aws ?? [];
  return spec.aws.some((v) => awsMatches(v, aws));
}
