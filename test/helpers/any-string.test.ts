/**
 * test/helpers/any-string.ts draws what fast-check's 'binary' string unit draws, from the same seeds, and shrinks a
 * failure to the same counterexample. (This file pays the unit's start-up once; the files using the helper do not.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { anyString, codePoint } from './any-string.js';

const cases: [string, Omit<fc.StringConstraints, 'unit'>, number][] = [
  ['no constraints', {}, 7],
  ['maxLength 3', { maxLength: 3 }, 99],
  ['maxLength 200', { maxLength: 200 }, 42],
  ['minLength 5, maxLength 80', { minLength: 5, maxLength: 80 }, 1234],
];

for (const [name, constraints, seed] of cases) {
  test(`anyString (${name}) draws what fc.string({ unit: 'binary' }) draws, seed ${seed}`, () => {
    const expected = fc.sample(fc.string({ unit: 'binary', ...constraints }), { seed, numRuns: 5000 });
    assert.deepEqual(fc.sample(anyString(constraints), { seed, numRuns: 5000 }), expected);
  });
}

test('a failure shrinks to the same counterexample', () => {
  const counterexample = (arb: fc.Arbitrary<string>): string | undefined => {
    const r = fc.check(
      fc.property(arb, (s) => !/[\u{10000}-\u{10ffff}].*a/u.test(s)),
      { seed: 5, numRuns: 20_000 },
    );
    return r.counterexample?.[0];
  };
  const expected = counterexample(fc.string({ unit: 'binary', maxLength: 50 }));
  assert.ok(expected !== undefined);
  assert.equal(counterexample(anyString({ maxLength: 50 })), expected);
});

test('codePoint: the ends of both ranges, and no surrogate half', () => {
  const edges = ['\u0000', '\ud7ff', '\ue000', '\u{10ffff}', 'a', '\u{1f600}'];
  for (const s of edges) assert.ok(codePoint.canShrinkWithoutContext(s), JSON.stringify(s));
  for (const s of ['\ud800', '\udfff', '', 'ab', '\u{1f600}a']) assert.ok(!codePoint.canShrinkWithoutContext(s), JSON.stringify(s));
  const drawn = fc.sample(codePoint, { seed: 3, numRuns: 20_000 });
  assert.ok(drawn.every((s) => [...s].length === 1 && !/^[\ud800-\udfff]$/.test(s)));
});
