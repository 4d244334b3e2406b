/**
 * Stateless temporary credentials. Everything a later signed call needs travels in the session token, sealed
 * with keys derived from the server key, so any server holding the same key recognises the token without state:
 *
 *   token  = base64( version(2) | iv(12) | AES-256-GCM(secret(30) | payload) | gcmTag(16) )
 *   secret = base64( 30 random bytes )   -> 40 characters, AWS's alphabet
 *
 * The payload (JSON) binds the access key ID, the session and its expiry; the secret travels encrypted beside it.
 * GCM authenticates the whole token (the version byte as associated data) before anything in it is used, and
 * its tag check is constant-time. One cipher and no HMAC: GCM already authenticates the token and keeps the
 * secret confidential, so an extra MAC or a derived secret would add cost and no property.
 * `authenticate` throws nothing but StsError.
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { base32 } from '../protocol/aws-ids.js';
import { MESSAGES, StsError } from '../protocol/errors.js';

export interface SessionClaims {
  readonly accountId: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly roleId: string;
  readonly sessionName: string;
  readonly expiration: Date;
  readonly sourceIdentity?: string;
  readonly chained: boolean;
  readonly issuedAt: Date;
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

export interface CredentialAuthority {
  issue(session: SessionClaims): IssuedCredentials;
  /** The session and secret behind a key and token; InvalidClientTokenId or ExpiredToken otherwise. */
  authenticate(accessKeyId: string, sessionToken: string | undefined, now: Date): { session: SessionClaims; secretAccessKey: string };
}

const VERSION = 2;
const IV = 12;
const TAG = 16;
const SECRET = 30;
const MAX_TOKEN_CHARS = 16384;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** ASIA + 16 characters of [A-Z2-7] from 10 random bytes (80 bits). */
function accessKeyIdFrom(bytes: Uint8Array): string {
  return `ASIA${base32(bytes)}`;
}

function take(randomBytes: (n: number) => Uint8Array, n: number): Uint8Array {
  const b = randomBytes(n);
  if (b.length !== n) throw new RangeError(`randomBytes(${n}) returned ${b.length} bytes`);
  return b;
}

const invalid = (reason: string, cause?: unknown): StsError =>
  new StsError('InvalidClientTokenId', MESSAGES.invalidClientTokenId, { reason, cause });

type Payload = { a: string; c: string; r: string; n: string; i: string; s: string; e: number; t: number; ch: boolean; si?: string };

function toPayload(accessKeyId: string, s: SessionClaims): Payload {
  const e = s.expiration.getTime();
  const t = s.issuedAt.getTime();
  if (!Number.isSafeInteger(e) || !Number.isSafeInteger(t)) throw new RangeError('session dates must be valid');
  const p: Payload = { a: accessKeyId, c: s.accountId, r: s.roleArn, n: s.roleName, i: s.roleId, s: s.sessionName, e, t, ch: s.chained };
  if (s.sourceIdentity !== undefined) p.si = s.sourceIdentity;
  return p;
}

function fromPayload(v: unknown): Payload | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const strings = ['a', 'c', 'r', 'n', 'i', 's'].every((k) => typeof o[k] === 'string');
  const ok =
    strings &&
    Number.isSafeInteger(o['e']) &&
    Number.isSafeInteger(o['t']) &&
    typeof o['ch'] === 'boolean' &&
    (o['si'] === undefined || typeof o['si'] === 'string');
  return ok ? (o as Payload) : undefined;
}

function toSession(p: Payload): SessionClaims {
  const base = {
    accountId: p.c,
    roleArn: p.r,
    roleName: p.n,
    roleId: p.i,
    sessionName: p.s,
    expiration: new Date(p.e),
    issuedAt: new Date(p.t),
    chained: p.ch,
  };
  return p.si === undefined ? base : { ...base, sourceIdentity: p.si };
}

/** `serverKey` must be at least 32 bytes (see server-key.ts); the same key yields the same secrets and accepts the same tokens. */
export function createCredentialAuthority(serverKey: Uint8Array, deps: { randomBytes: (n: number) => Uint8Array }): CredentialAuthority {
  if (serverKey.length < 32) throw new RangeError(`server key is ${serverKey.length} bytes; at least 32 are required`);
  const encKey = Buffer.from(hkdfSync('sha256', serverKey, 'sts-emulator', 'session-token enc v2', 32));
  const header = Buffer.from([VERSION]);

  function seal(secret: Uint8Array, payload: Payload): string {
    const iv = take(deps.randomBytes, IV);
    // The token laid out in one buffer, the plaintext (secret | payload) encrypted with one update (each cipher
    // call costs more in node's JavaScript than AES-GCM does on a few hundred bytes).
    const json = JSON.stringify(payload);
    const plainEnd = 1 + IV + SECRET + Buffer.byteLength(json, 'utf8');
    const out = Buffer.allocUnsafe(plainEnd + TAG);
    out[0] = VERSION;
    out.set(iv, 1);
    out.set(secret, 1 + IV);
    out.write(json, 1 + IV + SECRET, 'utf8');
    const cipher = createCipheriv('aes-256-gcm', encKey, iv);
    cipher.setAAD(header);
    const encrypted = cipher.update(out.subarray(1 + IV, plainEnd));
    cipher.final();
    if (encrypted.length !== plainEnd - 1 - IV) throw new RangeError('AES-GCM returned an unexpected length');
    encrypted.copy(out, 1 + IV);
    cipher.getAuthTag().copy(out, plainEnd);
    return out.toString('base64');
  }

  function open(token: string): { payload: Payload; secret: string } {
    if (token.length > MAX_TOKEN_CHARS || token.length % 4 !== 0 || !BASE64.test(token)) throw invalid('token is not base64');
    const raw = Buffer.from(token, 'base64');
    if (raw.toString('base64') !== token) throw invalid('token is not canonical base64');
    if (raw.length < 1 + IV + SECRET + 1 + TAG || raw[0] !== VERSION) throw invalid('token has an unknown version or length');
    const decipher = createDecipheriv('aes-256-gcm', encKey, raw.subarray(1, 1 + IV));
    decipher.setAAD(header);
    decipher.setAuthTag(raw.subarray(raw.length - TAG));
    const plain = decipher.update(raw.subarray(1 + IV, raw.length - TAG));
    try {
      decipher.final(); // authenticates: nothing decrypted is used before this
    } catch (e) {
      throw invalid('token does not authenticate under this server key', e);
    }
    const payload = fromPayload(JSON.parse(plain.subarray(SECRET).toString('utf8')));
    if (payload === undefined) throw invalid('token payload has an unknown shape');
    return { payload, secret: plain.subarray(0, SECRET).toString('base64') };
  }

  return {
    issue(session) {
      const accessKeyId = accessKeyIdFrom(take(deps.randomBytes, 10));
      const secret = take(deps.randomBytes, SECRET);
      return {
        accessKeyId,
        secretAccessKey: Buffer.from(secret).toString('base64'),
        sessionToken: seal(secret, toPayload(accessKeyId, session)),
        expiration: session.expiration,
      };
    },
    authenticate(accessKeyId, sessionToken, now) {
      try {
        if (sessionToken === undefined || sessionToken === '') throw invalid('no session token with a temporary key');
        const { payload: p, secret } = open(sessionToken);
        if (p.a !== accessKeyId) throw invalid('session token belongs to another access key');
        if (!(now.getTime() < p.e)) {
          throw new StsError('ExpiredToken', MESSAGES.expiredToken, { reason: `credentials expired at ${new Date(p.e).toISOString()}` });
        }
        return { session: toSession(p), secretAccessKey: secret };
      } catch (e) {
        if (e instanceof StsError) throw e;
        throw new StsError('InvalidClientTokenId', MESSAGES.invalidClientTokenId, {
          cause: e,
          reason: 'session token could not be opened',
        });
      }
    },
  };
}
