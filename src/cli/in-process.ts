/**
 * Calling AssumeRoleWithWebIdentity in-process, without HTTP, through the server's own operation,
 * verifier and evaluator (explain, test). A case given as claims is not signed and re-verified:
 * its claims go through the same claim checks (iss, aud, exp/nbf/iat) as a verified token's,
 * which keeps 10,000 cases well under a second (README "Regression suites"). The runner decides; the
 * credentials of an allowed call are placeholders (nothing is encrypted or signed for them).
 */
import type { OidcProvider, VerifiedToken } from '../identity/types.js';
import { checkClaimDepth, checkClaims, toFrozenRecord } from '../identity/claims.js';
import { refusedBy } from '../identity/refusal.js';
import { epochSeconds } from '../identity/time-claims.js';
import { StsError, toStsError } from '../protocol/errors.js';
import type { StsDeps } from '../sts/deps.js';
import type { StsOutcome } from '../sts/outcome.js';
import { assumeRoleWithWebIdentity } from '../sts/web-identity.js';

export interface InProcessCall {
  /** Role name or ARN. */
  readonly role: string;
  readonly token?: string;
  /** Claims of an emulated issuer, checked as if signed by it. */
  readonly claims?: { readonly provider: OidcProvider; readonly values: Readonly<Record<string, unknown>> };
  readonly sessionName?: string;
  readonly durationSeconds?: number;
  readonly sourceIp?: string;
  readonly policy?: string;
}

const CLAIMS_TOKEN_PREFIX = 'in-process-claims:';

/** Credentials for an allowed in-process call: well-formed, never valid against a server. */
const placeholderCredentials: StsDeps['credentials'] = {
  issue: (session) => ({
    accessKeyId: 'ASIAINPROCESSEXAMPLE',
    secretAccessKey: 'in-process-placeholder-secret-not-usable00',
    sessionToken: 'in-process-placeholder-session-token',
    expiration: session.expiration,
  }),
};

export function roleArnOf(deps: StsDeps, role: string, accountId: string): string {
  return role.startsWith('arn:') ? role : `arn:aws:iam::${accountId}:role/${role}`;
}

export function createInProcess(deps: StsDeps): { call(c: InProcessCall): Promise<StsOutcome> } {
  const pending = new Map<string, { provider: OidcProvider; values: Readonly<Record<string, unknown>> }>();
  let counter = 0;
  const verifier = {
    async verify(token: string, now: Date): Promise<VerifiedToken> {
      const entry = pending.get(token);
      if (entry === undefined) return deps.verifier.verify(token, now);
      checkClaimDepth(entry.values);
      const claims = toFrozenRecord(entry.values);
      // Same rule order as the verifier after a valid signature: the issuer must be this provider.
      if (claims['iss'] !== entry.provider.url) {
        const iss = claims['iss'];
        throw new StsError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${typeof iss === 'string' ? iss : JSON.stringify(iss)}`, {
          reason: `the iss claim is not ${entry.provider.url}, the emulated issuer chosen to sign these claims`,
        });
      }
      let audience: string;
      try {
        audience = checkClaims(claims, entry.provider, epochSeconds(now));
      } catch (err) {
        throw refusedBy(toStsError(err), entry.provider); // as the verifier says which provider refused
      }
      return { provider: entry.provider, claims, header: { alg: 'RS256', typ: 'JWT' }, audience };
    },
  };
  const local: StsDeps = { ...deps, verifier, credentials: placeholderCredentials };
  return {
    async call(c: InProcessCall): Promise<StsOutcome> {
      const params = new Map<string, string>();
      params.set('RoleArn', roleArnOf(deps, c.role, deps.accountId));
      params.set('RoleSessionName', c.sessionName ?? 'sts-emulator-case');
      let key: string | undefined;
      if (c.claims !== undefined) {
        key = `${CLAIMS_TOKEN_PREFIX}${++counter}`;
        pending.set(key, c.claims);
        params.set('WebIdentityToken', key);
      } else if (c.token !== undefined) {
        params.set('WebIdentityToken', c.token);
      }
      if (c.durationSeconds !== undefined) params.set('DurationSeconds', String(c.durationSeconds));
      if (c.policy !== undefined) params.set('Policy', c.policy);
      try {
        return await assumeRoleWithWebIdentity(local, params, { sourceIp: c.sourceIp });
      } finally {
        if (key !== undefined) pending.delete(key);
      }
    },
  };
}
