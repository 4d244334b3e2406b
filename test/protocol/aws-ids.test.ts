/** The one base32 encoder behind access key IDs and role IDs: RFC 4648's vectors, and Node's hex as a reference. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { base32 } from '../../src/protocol/aws-ids.js';

// RFC 4648 §10, padding removed.
const vectors: readonly [string, string][] = [
  ['', ''],
  ['f', 'MY'],
  ['fo', 'MZXQ'],
  ['foo', 'MZXW6'],
  ['foob', 'MZXW6YQ'],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI'],
];
for (const [text, want] of vectors) {
  test(`base32(${JSON.stringify(text)}) = ${want}`, () => {
    assert.equal(base32(Buffer.from(text, 'latin1')), want);
  });
}

/** Reference: every 5 bits of the input as a binary string, zero-padded at the end. */
function reference(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bin = '';
  for (const b of bytes) bin += b.toString(2).padStart(8, '0');
  while (bin.length % 5 !== 0) bin += '0';
  let out = '';
  for (let i = 0; i < bin.length; i += 5) out += alphabet[parseInt(bin.slice(i, i + 5), 2)];
  return out;
}

test('base32 equals the bit-string reference on random bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      assert.equal(base32(bytes), reference(bytes));
    }),
    { numRuns: 2000 },
  );
});

test('10 bytes give 16 characters (an access key ID after ASIA), all [A-Z2-7]', () => {
  assert.match(base32(new Uint8Array(10).fill(0xff)), /^7{16}$/);
  assert.match(base32(new Uint8Array(10)), /^A{16}$/);
});
