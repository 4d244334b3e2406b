/**
 * Who calls a signed operation: SigV4 over the request (sigv4.ts) with credentials this emulator issued. Stateless:
 * the session token carries the session, sealed under the server key.
 */
import type { SessionClaims } from './credentials.js';
import type { StsDeps } from './deps.js';
import type { QueryRequest } from './query-request.js';
import type { Trail } from './outcome.js';
import { assumedRoleArn } from './assume-core.js';
import { verifySigV4 } from './sigv4.js';

/** The calling session, or the StsError AWS answers (MissingAuthenticationToken, SignatureDoesNotMatch, ExpiredToken ...). */
export function authenticateCaller(deps: StsDeps, req: QueryRequest, now: Date, trail: Trail): SessionClaims {
  const verified = verifySigV4(
    { method: req.method, path: req.path, rawQuery: req.rawQuery, headers: req.headers, body: req.body },
    { now, lookup: (akid, token) => deps.credentials.authenticate(akid, token, now) },
  );
  const session = verified.credentials.session;
  trail.sessionName = session.sessionName;
  trail.subject = sessionArn(session);
  return session;
}

/** The assumed-role ARN of a session. */
export function sessionArn(s: SessionClaims): string {
  return assumedRoleArn(s.accountId, s.roleName, s.sessionName);
}
