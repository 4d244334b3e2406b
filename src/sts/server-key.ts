/**
 * The server key that seals issued credentials. First match wins: `--server-key`, STS_EMULATOR_SERVER_KEY,
 * `--server-key-file` (created with mode 0600 when missing, so restarts agree), else random for this start only.
 * A key is hex (64+ digits, optional 0x) or base64/base64url (44+ characters) of at least 32 bytes; an all-hex
 * string is read as hex. Error messages name the source but never echo key material.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const SERVER_KEY_ENV = 'STS_EMULATOR_SERVER_KEY';
export const MIN_SERVER_KEY_BYTES = 32;

export type ServerKeySource = 'flag' | 'env' | 'file' | 'generated';

export interface ResolvedServerKey {
  readonly key: Uint8Array;
  readonly source: ServerKeySource;
  /** Set when `--server-key-file` did not exist and was written with a new key. */
  readonly created?: boolean;
}

export interface ServerKeyOptions {
  readonly flag?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly file?: string;
  readonly randomBytes?: (n: number) => Uint8Array;
}

/** A bad key or key file; the message is meant for the user as is. */
export class ServerKeyError extends Error {
  override readonly name = 'ServerKeyError';
}

const HINT = `expected at least ${MIN_SERVER_KEY_BYTES} bytes as hex or base64 (e.g. \`openssl rand -hex 32\`)`;

/** Decodes a key; `origin` names where it came from in messages (e.g. `--server-key`). */
export function parseServerKey(text: string, origin: string): Uint8Array {
  const s = text.trim();
  if (s === '') throw new ServerKeyError(`${origin}: the key is empty; ${HINT}`);
  let key: Buffer;
  const hex = /^(?:0x)?([0-9a-fA-F]+)$/.exec(s);
  if (hex !== null) {
    const digits = hex[1] as string;
    if (digits.length % 2 !== 0) throw new ServerKeyError(`${origin}: odd number of hex digits (${digits.length}); ${HINT}`);
    key = Buffer.from(digits, 'hex');
  } else if (/^[A-Za-z0-9+/]+={0,2}$/.test(s) || /^[A-Za-z0-9_-]+={0,2}$/.test(s)) {
    const url = /[-_]/.test(s);
    key = Buffer.from(s, url ? 'base64url' : 'base64');
    const again = key.toString(url ? 'base64url' : 'base64').replace(/=+$/, '');
    if (again !== s.replace(/=+$/, '')) throw new ServerKeyError(`${origin}: not valid base64 (bad length or padding); ${HINT}`);
  } else {
    throw new ServerKeyError(`${origin}: not hex or base64; ${HINT}`);
  }
  if (key.length < MIN_SERVER_KEY_BYTES) {
    throw new ServerKeyError(`${origin}: the key is ${key.length} bytes, too short; ${HINT}`);
  }
  return new Uint8Array(key);
}

function errnoCode(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'error';
}

function fromFile(path: string, random: (n: number) => Uint8Array): ResolvedServerKey {
  const origin = `--server-key-file ${path}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return { key: parseServerKey(readFileSync(path, 'utf8'), origin), source: 'file' };
    } catch (e) {
      if (e instanceof ServerKeyError) throw e;
      if (errnoCode(e) !== 'ENOENT') throw new ServerKeyError(`${origin}: cannot read the file (${errnoCode(e)})`);
    }
    const key = random(MIN_SERVER_KEY_BYTES);
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // 'wx': never overwrite a key another process has just written; read that one instead.
      writeFileSync(path, Buffer.from(key).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
      return { key, source: 'file', created: true };
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw new ServerKeyError(`${origin}: cannot create the file (${errnoCode(e)})`);
    }
  }
  throw new ServerKeyError(`${origin}: the file keeps appearing and disappearing`);
}

export function resolveServerKey(opts: ServerKeyOptions): ResolvedServerKey {
  const random = opts.randomBytes ?? ((n: number) => new Uint8Array(cryptoRandomBytes(n)));
  if (opts.flag !== undefined) return { key: parseServerKey(opts.flag, '--server-key'), source: 'flag' };
  const env = opts.env[SERVER_KEY_ENV];
  if (env !== undefined && env !== '') return { key: parseServerKey(env, SERVER_KEY_ENV), source: 'env' };
  if (opts.file !== undefined) return fromFile(opts.file, random);
  const key = random(MIN_SERVER_KEY_BYTES);
  if (key.length < MIN_SERVER_KEY_BYTES) throw new RangeError('randomBytes returned too few bytes');
  return { key, source: 'generated' };
}
