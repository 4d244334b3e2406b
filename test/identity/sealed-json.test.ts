/**
 * Sealed JSON tokens (identity/sealed-json.ts): what one key seals as one kind opens only with that key, that label
 * and that kind; anything else, tampered or cut, is undefined, never an exception.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createSealedJson } from '../../src/identity/index.js';

const key = randomBytes(32);
const box = createSealedJson(key, 'test label v1', randomBytes);
const sealed = box.seal('access', { who: 'me', n: 3 });

const vectors: readonly { name: string; open: () => unknown; want: unknown }[] = [
  { name: 'the same key, label and kind', open: () => box.open(sealed, 'access'), want: { who: 'me', n: 3 } },
  { name: 'another kind', open: () => box.open(sealed, 'federated'), want: undefined },
  { name: 'another label', open: () => createSealedJson(key, 'other v1', randomBytes).open(sealed, 'access'), want: undefined },
  {
    name: 'another key',
    open: () => createSealedJson(randomBytes(32), 'test label v1', randomBytes).open(sealed, 'access'),
    want: undefined,
  },
  {
    name: 'one character changed',
    open: () => box.open(`${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}`, 'access'),
    want: undefined,
  },
  { name: 'cut short', open: () => box.open(sealed.slice(0, 30), 'access'), want: undefined },
  { name: 'empty', open: () => box.open('', 'access'), want: undefined },
  { name: 'not base64url', open: () => box.open('%%%%'.repeat(20), 'access'), want: undefined },
];
for (const v of vectors) test(`sealed JSON: ${v.name}`, () => assert.deepEqual(v.open(), v.want));

test('sealed JSON: two seals of one body differ (a fresh IV each); a short server key is refused', () => {
  assert.notEqual(box.seal('k', { a: 1 }), box.seal('k', { a: 1 }));
  assert.throws(() => createSealedJson(randomBytes(16), 'x', randomBytes), RangeError);
  assert.throws(() => createSealedJson(key, 'x', () => new Uint8Array(4)).seal('k', {}), RangeError);
});
