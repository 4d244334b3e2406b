/**
 * Stateless temporary credentials. Everything a later signed call needs travels in the session token, sealed
 * with keys derived from the server key, so any server holding the same key recognises the token without state:
 *
 *   token  = base64( version(1) | iv(12) | AES-256-GCM(payload) | gcmTag(16) | HMAC-SHA256(macKey, all before)(32) )
 *   secret = base64( HMAC-SHA256(secretKey, 'secret' + accessKeyId)[0..30] )   -> 40 characters, AWS's alphabet
 *
 * The payload (JSON) binds the access key ID, the session and its expiry. The MAC is checked first, in constant
 * time; GCM then authenticates again while decrypting. `authenticate` throws nothing but StsError.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
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

const VERSION = 1;
const IV = 12;
const TAG = 16;
const MAC = 32;
const MAX_TOKEN_CHARS = 16384;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** ASIA + 16 characters of [A-Z2-7] from 10 random bytes (80 bits). */
function accessKeyIdFrom(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = 'ASIA';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

function take(randomBytes: (n: number) => Uint8Array, n: number): Uint8Array {
  const b = randomBytes(n);
  if (b.length !== n) throw new RangeError(`randomBytes(${n}) returned ${b.length} bytes`);
  return b;
}

const invalid = (reason: string): StsError => new StsError('InvalidClientTokenId', MESSAGES.invalidClientTokenId, { reason });

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
  const ok = strings && Number.isSafeInteger(o['e']) && Number.isSafeInteger(o['t']) && typeof o['ch'] === 'boolean' &&
    (o['si'] === undefined || typeof o['si'] === 'string');
  return ok ? (o as Payload) : undefined;
}

function toSession(p: Payload): SessionClaims {
  const base = {
    accountId: p.c, roleArn: p.r, roleName: p.n, roleId: p.i, sessionName: p.s,
    expiration: new Date(p.e), issuedAt: new Date(p.t), chained: p.ch,
  };
  return p.si === undefined ? base : { ...base, sourceIdentity: p.si };
}

/** `serverKey` must be at least 32 bytes (see server-key.ts); the same key yields the same secrets and accepts the same tokens. */
export function createCredentialAuthority(serverKey: Uint8Array, deps: { randomBytes: (n: number) => Uint8Array }): CredentialAuthority {
  if (serverKey.length < 32) throw new RangeError(`server key is ${serverKey.length} bytes; at least 32 are required`);
  const derive = (label: string): Buffer => Buffer.from(hkdfSync('sha256', serverKey, 'sts-emulator', label, 32));
  const macKey = derive('session-token mac v1');
  const encKey = derive('session-token enc v1');
  const secretKey = derive('secret-access-key v1');
  const header = Buffer.from([VERSION]);

  const secretFor = (accessKeyId: string): string =>
    createHmac('sha256', secretKey).update('secret' + accessKeyId, 'utf8').digest().subarray(0, 30).toString('base64');
  const macOf = (data: Uint8Array): Buffer => createHmac('sha256', macKey).update(data).digest();

  function seal(payload: Payload): string {
    const iv = take(deps.randomBytes, IV);
    const cipher = createCipheriv('aes-256-gcm', encKey, iv);
    cipher.setAAD(header);
    const ct = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    const body = Buffer.concat([header, iv, ct, cipher.getAuthTag()]);
    return Buffer.concat([body, macOf(body)]).toString('base64');
  }

  function open(token: string): Payload {
    if (token.length > MAX_TOKEN_CHARS || token.length % 4 !== 0 || !BASE64.test(token)) throw invalid('token is not base64');
    const raw = Buffer.from(token, 'base64');
    if (raw.toString('base64') !== token) throw invalid('token is not canonical base64');
    if (raw.length < 1 + IV + 1 + TAG + MAC || raw[0] !== VERSION) throw invalid('token has an unknown version or length');
    const body = raw.subarray(0, raw.length - MAC);
    if (!timingSafeEqual(macOf(body), raw.subarray(raw.length - MAC))) throw invalid('token MAC does not match this server key');
    const decipher = createDecipheriv('aes-256-gcm', encKey, body.subarray(1, 1 + IV));
    decipher.setAAD(header);
    decipher.setAuthTag(body.subarray(body.length - TAG));
    const json = Buffer.concat([decipher.update(body.subarray(1 + IV, body.length - TAG)), decipher.final()]).toString('utf8');
    const payload = fromPayload(JSON.parse(json));
    if (payload === undefined) throw invalid('token payload has an unknown shape');
    return payload;
  }

  return {
    issue(session) {
      const accessKeyId = accessKeyIdFrom(take(deps.randomBytes, 10));
      return {
        accessKeyId,
        secretAccessKey: secretFor(accessKeyId),
        sessionToken: seal(toPayload(accessKeyId, session)),
        expiration: session.expiration,
      };
    },
    authenticate(accessKeyId, sessionToken, now) {
      try {
        if (sessionToken === undefined || sessionToken === '') throw invalid('no session token with a temporary key');
        const p = open(sessionToken);
        if (p.a !== accessKeyId) throw invalid('session token belongs to another access key');
        if (!(now.getTime() < p.e)) {
          throw new StsError('ExpiredToken', MESSAGES.expiredToken, { reason: `credentials expired at ${new Date(p.e).toISOString()}` });
        }
        return { session: toSession(p), secretAccessKey: secretFor(accessKeyId) };
      } catch (e) {
        if (e instanceof StsError) throw e;
        throw new StsError('InvalidClientTokenId', MESSAGES.invalidClientTokenId, { cause: e, reason: 'session token could not be opened' });
      }
    },
  };
}
