/**
 * The emulator's own issuer key (issue 4): an RSA PKCS#8 PEM file, generated on first use with mode
 * 0600. Tokens are signed RS256 with a kid equal to the key's RFC 7638 thumbprint; the JWKS and the
 * discovery document publish only the public members.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint } from 'jose/jwk/thumbprint';
import { SignJWT } from 'jose/jwt/sign';
import type { JwkSet } from './types.js';

export interface EmulatedKey {
  readonly privateKey: KeyObject;
  /** The public JWK: kty, n, e, kid, alg, use. */
  readonly publicJwk: Readonly<Record<string, string>>;
  readonly kid: string;
  readonly alg: 'RS256';
}

/** Members a public RSA JWK may carry here; anything else (d, p, q, dp, dq, qi, oth, k ...) is never published. */
const PUBLIC_MEMBERS = ['kty', 'n', 'e', 'kid', 'alg', 'use'] as const;

/**
 * Loads the RSA private key from `privateKeyFile`, creating it (RSA 2048, PKCS#8 PEM, mode 0600,
 * parent directories created) if it does not exist. Concurrent callers and processes agree on one key.
 */
export async function loadOrCreateSigningKey(privateKeyFile: string): Promise<EmulatedKey> {
  let pem: string;
  try {
    pem = await readFile(privateKeyFile, 'utf8');
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
    pem = await createOnce(privateKeyFile);
  }
  return fromPem(pem, privateKeyFile);
}

/** Key files being created by this process: concurrent first loads generate one key, not one each. */
const creating = new Map<string, Promise<string>>();

function createOnce(file: string): Promise<string> {
  let pending = creating.get(file);
  if (pending === undefined) {
    pending = createKeyFile(file).finally(() => creating.delete(file));
    creating.set(file, pending);
  }
  return pending;
}

async function createKeyFile(file: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Write a private temp file, then link it into place: the key file appears complete or not at all,
  // and a key written meanwhile by another process wins (EEXIST) instead of being overwritten.
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, pem, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, file);
    return pem;
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
    return readFile(file, 'utf8');
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

async function fromPem(pem: string, file: string): Promise<EmulatedKey> {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new Error(`${file}: not a PEM private key`, { cause });
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (privateKey.asymmetricKeyType !== 'rsa' || bits < 2048) {
    throw new Error(`${file}: the emulated issuer key must be an RSA key of at least 2048 bits`);
  }
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') throw new Error(`${file}: unexpected public key`);
  const kid = await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'sha256');
  const publicJwk = Object.freeze({ kty: 'RSA', n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' });
  return Object.freeze({ privateKey, publicJwk, kid, alg: 'RS256' as const });
}

/** Signs `claims` as a compact JWT: RS256, header {alg, kid, typ: 'JWT'}. Claims are taken as given (no defaults). */
export async function signToken(key: EmulatedKey, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
}

/** The JWKS to publish: the public key only. Throws if a private member would ever be included. */
export function publicJwks(key: EmulatedKey): JwkSet {
  const out: Record<string, string> = {};
  for (const member of PUBLIC_MEMBERS) {
    const value = key.publicJwk[member];
    if (typeof value === 'string') out[member] = value;
  }
  for (const member of Object.keys(key.publicJwk)) {
    if (!(PUBLIC_MEMBERS as readonly string[]).includes(member)) throw new Error(`refusing to publish JWK member "${member}"`);
  }
  return { keys: [out] };
}

/** The OpenID Provider metadata document for the emulated issuer. */
export function discoveryDocument(issuerUrl: string, jwksUri: string): Record<string, unknown> {
  return {
    issuer: issuerUrl,
    jwks_uri: jwksUri,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'sub'],
  };
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
