/**
 * forEachPair (src/protocol/query.ts) against the definition it replaces: `new URLSearchParams(text)`, pair for pair,
 * on fixed vectors and on generated text over the characters that matter to form decoding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { forEachPair } from '../../src/protocol/query.js';

const pairsOf = (text: string): [string, string][] => {
  const out: [string, string][] = [];
  forEachPair(text, (n, v) => out.push([n, v]));
  return out;
};
const reference = (text: string): [string, string][] => [...new URLSearchParams(text)];

const vectors: readonly string[] = [
  '',
  '?',
  '??a=1',
  '?a=1&?b=2&?c=%41',
  '&&&',
  'a',
  'a=',
  '=b',
  '=',
  'a==b=c',
  'a=1&a=2',
  'Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy-main&WebIdentityToken=eyJ.eyJ.sig-_',
  'a+b=c+d',
  '%ZZ=1&%=2&%4=3&%41%42=%e2%82%ac',
  '%F0%9F%98%80=%ED%A0%80',
  'x=%c3%28',
  'name=\u00e9\u4e2d',
  'lone=\ud800&other=\udc00x',
  'pair=\ud83d\ude00',
  'a=%00&b=%0A',
  'k=v&',
  '&k=v',
  '?&k=v',
];

for (const text of vectors) {
  test(`forEachPair equals URLSearchParams: ${JSON.stringify(text)}`, () => {
    assert.deepEqual(pairsOf(text), reference(text));
  });
}

test('forEachPair equals URLSearchParams on generated text', () => {
  const ch = fc.constantFrom(
    'a',
    'B',
    '0',
    '9',
    'f',
    'F',
    '=',
    '&',
    '?',
    '%',
    '+',
    ' ',
    '.',
    '-',
    '_',
    '~',
    '\u00e9',
    '\u4e2d',
    '\ud800',
    '\udc00',
    '\ud83d\ude00',
    '%2',
    '%41',
    '%e2%82',
    '%ac',
    '%C3',
    '%28',
    '%zz',
  );
  fc.assert(
    fc.property(fc.array(ch, { maxLength: 40 }), (parts) => {
      const text = parts.join('');
      assert.deepEqual(pairsOf(text), reference(text));
    }),
    { numRuns: 5000 },
  );
});

test('an exception from the callback stops the walk (limits are enforced as pairs arrive)', () => {
  const seen: string[] = [];
  assert.throws(() =>
    forEachPair('a=1&b=2&c=3', (n) => {
      seen.push(n);
      if (n === 'b') throw new Error('stop');
    }),
  );
  assert.deepEqual(seen, ['a', 'b']);
});
