/**
 * The IAM wildcard matcher: a table of cases, property tests against a naive reference on small
 * alphabets (including '/', ':', '*', '?' and an astral character in the subject), and pathological
 * patterns that would make a backtracking matcher explode (jwt-attacks.md T1).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileArnPattern, matchArn } from '../../src/policy/arn.js';
import { codePoints, codePointsInto, compileWildcard, matchWildcard, wildcardUnits } from '../../src/policy/wildcard.js';

const like = (pattern: string, subject: string): boolean => matchWildcard(compileWildcard(wildcardUnits(pattern)), subject);

/** Reference: dynamic programming over code points, O(n*m), obviously correct. */
function naive(pattern: string, subject: string): boolean {
  const p = [...pattern];
  const s = [...subject];
  let row = new Array<boolean>(s.length + 1).fill(false);
  row[0] = true;
  for (const pc of p) {
    const next = new Array<boolean>(s.length + 1).fill(false);
    if (pc === '*') {
      next[0] = row[0] as boolean;
      for (let j = 1; j <= s.length; j++) next[j] = (row[j] as boolean) || (next[j - 1] as boolean);
    } else {
      for (let j = 1; j <= s.length; j++) next[j] = (row[j - 1] as boolean) && (pc === '?' || pc === s[j - 1]);
    }
    row = next;
  }
  return row[s.length] as boolean;
}

const cases: readonly [pattern: string, subject: string, expected: boolean][] = [
  ['', '', true],
  ['', 'a', false],
  ['*', '', true],
  ['*', 'anything/at:all', true],
  ['**', 'x', true],
  ['?', '', false],
  ['?', 'a', true],
  ['?', '😀', true],
  ['??', '😀', false],
  ['a*', 'a', true],
  ['*a', 'ba', true],
  ['*a', 'ab', false],
  ['a*b*c', 'abc', true],
  ['a*b*c', 'a/b:c', true],
  ['a*b*c', 'acb', false],
  ['a*bc*bc', 'abcbc', true],
  ['a*bc*bc', 'abc', false],
  ['*ab?d*', 'xxabcabxdyy', true],
  ['*ab?d*', 'xxabcabxyy', false],
  ['repo:acme/*:ref:refs/heads/main', 'repo:acme/api:ref:refs/heads/main', true],
  ['repo:acme/*:ref:refs/heads/main', 'repo:acme/api:ref:refs/heads/main2', false],
  ['repo:acme/*:ref:refs/heads/main', 'repo:acme/api:pull_request:ref:refs/heads/main', true],
  ['a?c', 'a\u0000c', true],
  ['abc', 'ABC', false],
];

for (const [pattern, subject, expected] of cases) {
  test(`wildcard ${JSON.stringify(pattern)} vs ${JSON.stringify(subject)} -> ${expected}`, () => {
    assert.equal(like(pattern, subject), expected);
    assert.equal(naive(pattern, subject), expected, 'the reference agrees');
  });
}

const patternChar = fc.constantFrom('a', 'b', '/', ':', '*', '?', '😀');
const subjectChar = fc.constantFrom('a', 'b', '/', ':', '*', '?', '😀');
const str = (c: fc.Arbitrary<string>, max: number): fc.Arbitrary<string> => fc.array(c, { maxLength: max }).map((xs) => xs.join(''));

test('property: matcher agrees with the naive reference (short patterns)', () => {
  fc.assert(
    fc.property(str(patternChar, 12), str(subjectChar, 16), (p, s) => like(p, s) === naive(p, s)),
    { numRuns: 5000 },
  );
});

test('property: matcher agrees with the reference for segments longer than 32 units (multi-word state)', () => {
  const segment = str(fc.constantFrom('a', 'a', 'a', 'b', '?'), 75);
  const pattern = fc.array(segment, { minLength: 1, maxLength: 4 }).map((segs) => segs.join('*'));
  fc.assert(
    fc.property(pattern, str(fc.constantFrom('a', 'a', 'a', 'b'), 200), (p, s) => like(p, s) === naive(p, s)),
    { numRuns: 1500 },
  );
});

test('property: a subject built from the pattern always matches', () => {
  // Replace each * by a random run and each ? by a random character: the result must match.
  fc.assert(
    fc.property(fc.array(fc.tuple(patternChar, str(subjectChar, 4), subjectChar), { maxLength: 15 }), (parts) => {
      const p = parts.map(([c]) => c).join('');
      const s = parts.map(([c, run, one]) => (c === '*' ? run : c === '?' ? one : c)).join('');
      return like(p, s);
    }),
    { numRuns: 2000 },
  );
});

test('property: a literal pattern (no wildcard units) matches exactly the identical string', () => {
  fc.assert(
    fc.property(str(subjectChar, 10), str(subjectChar, 10), (a, b) => {
      const w = compileWildcard(codePoints(a));
      return matchWildcard(w, b) === (a === b);
    }),
    { numRuns: 2000 },
  );
});

test('property: codePointsInto and codePoints give what iterating the string gives, lone surrogates included', () => {
  const unit = fc.constantFrom('a', '/', '\ud83d', '\ude00', '😀', '\u0000', '\uffff', '\udbff\udfff');
  fc.assert(
    fc.property(str(unit, 40), (text) => {
      const iterated = [...text].map((ch) => ch.codePointAt(0) as number);
      const out = new Int32Array(text.length);
      const n = codePointsInto(text, out);
      assert.deepEqual([...out.subarray(0, n)], iterated);
      assert.deepEqual(codePoints(text), iterated);
      return true;
    }),
    { numRuns: 3000 },
  );
});

test('property: a string subject and its code points match alike, whatever was matched before (reused buffer)', () => {
  const unit = fc.constantFrom('a', 'b', '/', '\ud83d', '\ude00', '😀');
  const pattern = str(fc.constantFrom('a', 'b', '*', '?', '😀', '\ud83d'), 10);
  fc.assert(
    fc.property(fc.array(fc.tuple(pattern, str(unit, 30)), { minLength: 1, maxLength: 6 }), (pairs) => {
      for (const [p, subject] of pairs) {
        const w = compileWildcard(wildcardUnits(p));
        assert.equal(matchWildcard(w, subject), matchWildcard(w, codePoints(subject)), `${p} vs ${subject}`);
        assert.equal(matchWildcard(w, subject), naive(p, subject), `${p} vs ${subject} (reference)`);
      }
      return true;
    }),
    { numRuns: 2000 },
  );
});

test('subjects longer than the reused buffer (65,536 code points) match the same', () => {
  const long = `${'a'.repeat(70_000)}😀b`;
  assert.equal(like('a*😀?', long), true);
  assert.equal(like('a*😀', long), false);
  assert.equal(like('*', 'x'.repeat(100_000)), true);
  assert.equal(like('?b', 'ab'), true); // and a short one after them still reads only its own code points
  assert.equal(like('ab', 'a'), false);
});

test('property: ArnLike equals component-wise reference matching', () => {
  const comp = (c: fc.Arbitrary<string>): fc.Arbitrary<string> => str(c, 4);
  const arnChar = fc.constantFrom('a', 'b', '/', ':', '*', '?');
  const arnSubject = fc.constantFrom('a', 'b', '/', ':');
  fc.assert(
    fc.property(
      fc.array(comp(arnChar), { minLength: 4, maxLength: 8 }),
      fc.array(comp(arnSubject), { minLength: 4, maxLength: 8 }),
      (pp, ss) => {
        const pattern = pp.join(':');
        const subject = ss.join(':');
        const split = (t: string): string[] | null => {
          const parts = t.split(':');
          return parts.length < 6 ? null : [...parts.slice(0, 5), parts.slice(5).join(':')];
        };
        const a = split(pattern);
        const b = split(subject);
        const expected = a !== null && b !== null && a.every((x, i) => naive(x, b[i] as string));
        return matchArn(compileArnPattern(wildcardUnits(pattern)), codePoints(subject)) === expected;
      },
    ),
    { numRuns: 3000 },
  );
});

test('pathological: *a*a*a*a*a*a*a*b against 20000 a (no b) completes and is false', () => {
  const subject = 'a'.repeat(20000);
  assert.equal(like('*a*a*a*a*a*a*a*b', subject), false);
  assert.equal(like('*a*a*a*a*a*a*a*b', `${subject}b`), true);
});

test('pathological: long ?-segments and many stars against long input complete and answer correctly', () => {
  const subject = 'a'.repeat(20000);
  const seg = `a${'?'.repeat(40)}b`;
  assert.equal(like(`*${seg}*`, subject), false);
  assert.equal(like(`*${seg}*`, `${subject}b`), true);
  const many = `${'*a'.repeat(500)}*b`;
  assert.equal(like(many, subject), false);
  assert.equal(like(many, `${subject}b`), true);
  assert.equal(like(`${'a'.repeat(19999)}?`, subject), true);
});
