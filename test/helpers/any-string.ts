/**
 * Strings of any code point but the surrogate halves: what `fc.string({ unit: 'binary' })` draws, without its
 * start-up cost. To find its slices of "dangerous strings", fast-check maps every one of the unit's 1,112,064 code
 * points back to its index, once per process (~0.9 CPU-s). This unit is the same arbitrary (a nat mapped to the
 * code points 0..D7FF then E000..10FFFF, as fast-check's own mapToConstant does), with the way back by arithmetic;
 * the same seed draws the same strings (test/helpers/any-string.test.ts).
 */
import fc from 'fast-check';

const FIRST_SURROGATE = 0xd800;
const SURROGATES = 0x800;
const CODE_POINTS = 0x110000 - SURROGATES;

/** One code point, surrogate halves excluded. */
export const codePoint: fc.Arbitrary<string> = fc.nat({ max: CODE_POINTS - 1 }).map(
  (i) => String.fromCodePoint(i < FIRST_SURROGATE ? i : i + SURROGATES),
  (value) => {
    const cp = typeof value === 'string' ? value.codePointAt(0) : undefined;
    if (cp === undefined || String.fromCodePoint(cp) !== value || (cp >= FIRST_SURROGATE && cp < FIRST_SURROGATE + SURROGATES)) {
      throw new Error('not one code point');
    }
    return cp < FIRST_SURROGATE ? cp : cp - SURROGATES;
  },
);

/** `fc.string({ unit: 'binary', ...constraints })`. */
export function anyString(constraints: Omit<fc.StringConstraints, 'unit'> = {}): fc.Arbitrary<string> {
  return fc.string({ ...constraints, unit: codePoint });
}
