/**
 * The stateless tokens the emulator issues for other services (Google's federated and access tokens, Vault's client
 * tokens, Infisical's access tokens): a JSON body sealed with AES-256-GCM under a key derived from the server key with
 * the service's own label, the token's kind as associated data. A token of one service or kind never opens as another,
 * and any server with the same key opens it. (The AWS session token, with its own binary layout, is sts/credentials.ts.)
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';

const IV = 12;
const TAG = 16;

export interface SealedJson {
  /** base64url of IV, ciphertext and tag. */
  seal(kind: string, body: unknown): string;
  /** The body, or undefined for anything this key did not seal as this kind (never throws). */
  open(sealed: string, kind: string): unknown;
}

export function createSealedJson(serverKey: Uint8Array, label: string, randomBytes: (n: number) => Uint8Array): SealedJson {
  if (serverKey.length < 32) throw new RangeError(`server key is ${serverKey.length} bytes; at least 32 are required`);
  const key = Buffer.from(hkdfSync('sha256', serverKey, 'sts-emulator', label, 32));
  return {
    seal(kind, body) {
      const iv = randomBytes(IV);
      if (iv.length !== IV) throw new RangeError('randomBytes returned too few bytes');
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(kind));
      const encrypted = Buffer.concat([cipher.update(JSON.stringify(body), 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from(iv), encrypted, cipher.getAuthTag()]).toString('base64url');
    },
    open(sealed, kind) {
      const raw = Buffer.from(sealed, 'base64url');
      if (raw.length < IV + TAG + 2) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV));
        decipher.setAAD(Buffer.from(kind));
        decipher.setAuthTag(raw.subarray(raw.length - TAG));
        return JSON.parse(
          Buffer.concat([decipher.update(raw.subarray(IV, raw.length - TAG)), decipher.final()]).toString('utf8'),
        ) as unknown;
      } catch {
        return undefined;
      }
    },
  };
}
