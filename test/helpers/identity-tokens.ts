/**
 * Test helpers for the identity layer: key pairs, tokens signed over arbitrary header/payload JSON
 * text (so tests can build duplicate keys, 1e400, b64:false ...), providers and assertions.
 */
import assert from 'node:assert/strict';
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  constants,
  type KeyObject,
} from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calculateJwkThumbprint } from 'jose';
import { StsError, type StsErrorCode } from '../../src/protocol/errors.js';
import type { JwkSet, KeySource, OidcProvider } from '../../src/identity/types.js';

export const NOW = new Date('2026-03-01T12:00:00.000Z');
export const NOW_S = Math.floor(NOW.getTime() / 1000);

export type Alg = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512' | 'PS256' | 'EdDSA' | 'HS256' | 'none';

export interface TestKey {
  readonly privateKey: KeyObject;
  /** Public JWK with kid (no alg, so the alg allow-list is what stops PS256 and friends). */
  readonly jwk: Record<string, string>;
  readonly kid: string;
}

/**
 * RSA 2048 keys made in advance (test/fixtures/keys): making one costs ~0.2 s of CPU and a process of shared test files
 * asks for dozens. Each is handed out once in a process; after them, new keys are generated. Every key is distinct.
 */
const RSA_KEYS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'keys');
const rsaPems = readdirSync(RSA_KEYS_DIR)
  .filter((f) => f.startsWith('rsa-2048-'))
  .sort()
  .map((f) => readFileSync(join(RSA_KEYS_DIR, f), 'utf8'));
let rsaHandedOut = 0;
/** The next key made in advance; undefined once they are all handed out. */
const nextRsaPem = (): string | undefined => rsaPems[rsaHandedOut++];

function rsa2048(): { privateKey: KeyObject } {
  const pem = nextRsaPem();
  return pem === undefined ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : { privateKey: createPrivateKey(pem) };
}

/**
 * Puts the next key made in advance at `file` (mode 0600, folders made), where an emulated issuer's key goes: the
 * emulator then loads it instead of making one. Does nothing once they are all handed out.
 */
export async function seedIssuerKey(file: string): Promise<void> {
  const pem = nextRsaPem();
  if (pem === undefined) return;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
}

export async function makeKey(kind: 'rsa' | 'rsa1024' | 'ec256' | 'ec384' | 'ed25519', kid?: string): Promise<TestKey> {
  const { privateKey } =
    kind === 'rsa'
      ? rsa2048()
      : kind === 'rsa1024'
        ? generateKeyPairSync('rsa', { modulusLength: 1024 })
        : kind === 'ec256'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : kind === 'ec384'
            ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
            : generateKeyPairSync('ed25519');
  const pub = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, string>;
  const id = kid ?? (await calculateJwkThumbprint(pub as never));
  return { privateKey, jwk: { ...pub, kid: id }, kid: id };
}

export function b64u(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/** Signs `header.payload` (JSON texts used verbatim) with `alg`. `secret` is the HMAC key for HS256. */
export function signRaw(headerJson: string, payloadJson: string, alg: Alg, key?: KeyObject, secret?: Buffer | string): string {
  const input = `${b64u(headerJson)}.${b64u(payloadJson)}`;
  return `${input}.${signature(input, alg, key, secret)}`;
}

export function signature(input: string, alg: Alg, key?: KeyObject, secret?: Buffer | string): string {
  const data = Buffer.from(input);
  switch (alg) {
    case 'none':
      return '';
    case 'HS256':
      return createHmac('sha256', secret ?? '')
        .update(data)
        .digest('base64url');
    case 'EdDSA':
      return cryptoSign(null, data, need(key)).toString('base64url');
    case 'PS256':
      return cryptoSign('sha256', data, { key: need(key), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString('base64url');
    case 'ES256':
    case 'ES384':
    case 'ES512':
      return cryptoSign(`sha${alg.slice(2)}`, data, { key: need(key), dsaEncoding: 'ieee-p1363' }).toString('base64url');
    default:
      return cryptoSign(`sha${alg.slice(2)}`, data, need(key)).toString('base64url');
  }
}

function need(key: KeyObject | undefined): KeyObject {
  assert.ok(key, 'a key is needed for this alg');
  return key;
}

export interface TokenSpec {
  readonly key: TestKey;
  readonly alg?: Alg;
  /** Header members; `alg` and `kid` default from the key unless given (use undefined to drop kid). */
  readonly header?: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

export function makeToken(spec: TokenSpec): string {
  const alg = spec.alg ?? 'RS256';
  const header: Record<string, unknown> = { alg, kid: spec.key.kid, typ: 'JWT', ...spec.header };
  for (const k of Object.keys(header)) if (header[k] === undefined) delete header[k];
  return signRaw(JSON.stringify(header), JSON.stringify(spec.claims), alg, spec.key.privateKey);
}

export const ISSUER = 'https://oidc.example.com/org/acme';
export const CLIENT_ID = 'sts.amazonaws.com';

export function standardClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    aud: CLIENT_ID,
    sub: 'repo:acme/api:ref:refs/heads/main',
    iat: NOW_S - 60,
    nbf: NOW_S - 60,
    exp: NOW_S + 3600,
    ...overrides,
  };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  return claims;
}

export function makeProvider(url: string, keys: KeySource, clientIdList: readonly string[] = [CLIENT_ID]): OidcProvider {
  const name = url.replace(/^https?:\/\//, '');
  return {
    url,
    name,
    arn: `arn:aws:iam::123456789012:oidc-provider/${name}`,
    clientIdList,
    thumbprintList: [],
    keys,
    file: 'test',
  };
}

export function jwks(...keys: TestKey[]): JwkSet {
  return { keys: keys.map((k) => ({ ...k.jwk })) };
}

/** Asserts that `p` rejects with an StsError of `code` (and `message` when given). */
export async function assertSts(p: Promise<unknown>, code: StsErrorCode, message?: string): Promise<StsError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected ${code}, but it resolved`);
  assert.ok(caught instanceof StsError, `expected an StsError, got ${String(caught)}`);
  assert.equal(caught.code, code, `code (reason: ${caught.reason ?? ''}; message: ${caught.message})`);
  if (message !== undefined) assert.equal(caught.message, message, `message (reason: ${caught.reason ?? ''})`);
  return caught;
}
