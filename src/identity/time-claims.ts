/**
 * exp, nbf and iat, as AWS checks them: integer NumericDates ("Timestamps in the token must be
 * formatted as either an integer or a long integer", sts.md §5.4), `exp` required, and a five-minute
 * window for clock skew. An expired token is ExpiredTokenException with AWS's text; everything else
 * here is InvalidIdentityToken.
 */
import { MESSAGES, StsError } from '../protocol/errors.js';
import { invalidToken } from './jose-errors.js';

/** "IAM provides a five-minute window beyond the expiration time ... to account for clock skew." */
export const CLOCK_SKEW_SECONDS = 300;

/** Whole seconds since the epoch, rounded down (as jose computes `currentDate`). */
export function epochSeconds(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;

/** Throws unless the time claims are acceptable at `nowSeconds`. Reads own properties only. */
export function checkTimeClaims(claims: Readonly<Record<string, unknown>>, nowSeconds: number): void {
  for (const name of TIME_CLAIMS) {
    if (!Object.hasOwn(claims, name)) continue;
    const value = claims[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw invalidToken(`"${name}" claim must be an integer NumericDate, got ${describe(value)}`);
    }
  }
  if (!Object.hasOwn(claims, 'exp')) throw invalidToken('missing required "exp" claim');
  const exp = claims['exp'] as number;
  if (exp <= nowSeconds - CLOCK_SKEW_SECONDS) {
    throw new StsError('ExpiredTokenException', MESSAGES.tokenExpired(nowSeconds, exp), {
      reason: `exp ${exp} is more than ${CLOCK_SKEW_SECONDS}s before now ${nowSeconds}`,
    });
  }
  if (Object.hasOwn(claims, 'nbf')) {
    const nbf = claims['nbf'] as number;
    if (nbf > nowSeconds + CLOCK_SKEW_SECONDS) throw invalidToken(`nbf ${nbf} is more than ${CLOCK_SKEW_SECONDS}s after now ${nowSeconds}`);
  }
  if (Object.hasOwn(claims, 'iat')) {
    const iat = claims['iat'] as number;
    if (iat > nowSeconds + CLOCK_SKEW_SECONDS) throw invalidToken(`iat ${iat} is more than ${CLOCK_SKEW_SECONDS}s after now ${nowSeconds}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `a string`;
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
