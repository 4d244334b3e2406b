/**
 * Who may call the IAM API: any access key of the emulated account, in a well-formed SigV4 signature for service
 * `iam` (Authorization header or presigned query, within 15 minutes of now). Unsigned requests get AWS's
 * MissingAuthenticationToken (403). The signature itself is verified when the key is one the emulator issued (its
 * session token opens under the server key; an expired one is ExpiredToken); any other key is accepted without
 * its signature checked, since the emulator cannot know its secret (README "Set up with the IAM API").
 */
import { StsError } from '../protocol/errors.js';
import { verifySigV4, type CredentialAuthority, type QueryRequest, type SessionClaims } from '../sts/index.js';

/** The caller, for the audit log: an issued session's ARN, or the access key whose signature was not checked. */
export interface AdminCaller {
  readonly accessKeyId: string;
  readonly session: SessionClaims | undefined;
  readonly signatureChecked: boolean;
}

type KeyLookup = { readonly secretAccessKey: string | undefined; readonly session: SessionClaims | undefined };

export function authenticateAdmin(credentials: CredentialAuthority, req: QueryRequest, now: Date): AdminCaller {
  const lookup = (accessKeyId: string, sessionToken: string | undefined): KeyLookup => {
    if (sessionToken === undefined || sessionToken === '') return { secretAccessKey: undefined, session: undefined };
    try {
      const { session, secretAccessKey } = credentials.authenticate(accessKeyId, sessionToken, now);
      return { secretAccessKey, session };
    } catch (e) {
      // A session token that does not open under the server key belongs to credentials the emulator did not issue.
      if (e instanceof StsError && e.code === 'InvalidClientTokenId') return { secretAccessKey: undefined, session: undefined };
      throw e;
    }
  };
  const verified = verifySigV4(
    { method: req.method, path: req.path, rawQuery: req.rawQuery, headers: req.headers, body: req.body },
    { now, service: 'iam', lookup },
  );
  return { accessKeyId: verified.accessKeyId, session: verified.credentials.session, signatureChecked: verified.signatureChecked };
}
