/**
 * The validation message formatter (src/protocol/validation.ts): AWS's "N validation error(s) detected: ..."
 * texts, as quoted in sts.md §2.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CONSTRAINT,
  codePointLength,
  codePointsAgainst,
  formatValidationFailures,
  validationError,
  type ValidationFailure,
} from '../../src/protocol/validation.js';

const vectors: readonly { name: string; failures: ValidationFailure[]; text: string }[] = [
  {
    name: 'sts.md: session name pattern (dependabot[bot])',
    failures: [{ field: 'roleSessionName', constraint: CONSTRAINT.pattern('[\\w+=,.@-]*'), value: 'dependabot[bot]' }],
    text: "1 validation error detected: Value 'dependabot[bot]' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
  },
  {
    name: 'sts.md: session name length',
    failures: [{ field: 'roleSessionName', constraint: CONSTRAINT.maxLength(64), value: 'x' }],
    text: "1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64",
  },
  {
    name: 'sts.md: null member',
    failures: [{ field: 'roleSessionName', constraint: CONSTRAINT.notNull, value: null }],
    text: "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
  },
  {
    name: 'sts.md: two errors joined with "; "',
    failures: [
      {
        field: 'roleArn',
        constraint: CONSTRAINT.pattern('[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+'),
        value: '',
      },
      { field: 'roleArn', constraint: CONSTRAINT.minLength(20), value: '' },
    ],
    text:
      "2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+; " +
      "Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
  },
  {
    name: 'value bounds (UNVERIFIED wording)',
    failures: [
      { field: 'durationSeconds', constraint: CONSTRAINT.minValue(900), value: '1' },
      { field: 'durationSeconds', constraint: CONSTRAINT.maxValue(43200), value: '99999' },
    ],
    text:
      "2 validation errors detected: Value '1' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900; " +
      "Value '99999' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
  },
  {
    name: 'a value with quotes is quoted as it is',
    failures: [{ field: 'roleSessionName', constraint: CONSTRAINT.pattern('p'), value: "it's" }],
    text: "1 validation error detected: Value 'it's' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: p",
  },
];

for (const v of vectors) {
  test(`formatValidationFailures: ${v.name}`, () => {
    assert.equal(formatValidationFailures(v.failures), v.text);
    const e = validationError(v.failures);
    assert.equal(e.code, 'ValidationError');
    assert.equal(e.status, 400);
    assert.equal(e.message, v.text);
  });
}

test('three or more errors are counted', () => {
  const f: ValidationFailure = { field: 'a', constraint: CONSTRAINT.notNull, value: null };
  assert.match(formatValidationFailures([f, f, f]), /^3 validation errors detected: /);
  assert.equal(formatValidationFailures([f, f, f]).split('; ').length, 3);
});

const lengths: readonly [string, string, number][] = [
  ['empty', '', 0],
  ['ASCII', 'abc', 3],
  ['a surrogate pair is one code point', 'a\u{1F600}b', 3],
  ['two pairs in a row', '\u{1F600}\u{1F601}', 2],
  ['a lone high surrogate counts one', 'a\ud800', 2],
  ['a lone high surrogate before ASCII', '\ud800a', 2],
  ['a lone low surrogate counts one', '\udc00a', 2],
  ['low then high is two', '\udc00\ud800', 2],
  ['high, high, low: one lone + one pair', '\ud800\ud800\udc00', 2],
  ['BMP non-ASCII', '\u00e9\u4e2d', 2],
];
for (const [name, text, n] of lengths) {
  test(`codePointLength: ${name}`, () => {
    assert.equal(codePointLength(text), n);
    assert.equal(codePointLength(text), [...text].length, 'as for...of counts');
  });
}

const pair = '\u{1F600}';
const against: readonly [string, string, number, number, -1 | 0 | 1][] = [
  ['ASCII within', 'abcd', 2, 64, 0],
  ['ASCII below', 'a', 2, 64, -1],
  ['ASCII above', 'a'.repeat(65), 2, 64, 1],
  ['two pairs are 2 code points: within min 2', pair + pair, 2, 64, 0],
  ['one pair is 1 code point: below min 2 although 2 units long', pair, 2, 64, -1],
  ['64 pairs (128 units) are within max 64', pair.repeat(64), 2, 64, 0],
  ['65 pairs are above max 64', pair.repeat(65), 2, 64, 1],
  ['lone surrogates count one each', '\ud800\ud800', 2, 2, 0],
  ['empty below min 1', '', 1, 10, -1],
  ['empty within min 0', '', 0, 10, 0],
];
for (const [name, text, min, max, want] of against) {
  test(`codePointsAgainst: ${name}`, () => {
    assert.equal(codePointsAgainst(text, min, max), want);
    const n = [...text].length;
    assert.equal(want, n < min ? -1 : n > max ? 1 : 0, 'as counting every code point says');
  });
}
