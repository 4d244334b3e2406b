/**
 * IAM wildcard matching: `*` matches any run of code points (including `/` and `:`), `?` exactly one
 * code point (not one UTF-16 unit). Everything else is compared code point by code point, exactly.
 *
 * Never builds a RegExp from policy text. A pattern is split on `*` into segments; the first segment
 * is anchored at the start, the last at the end, and each middle segment is found at its leftmost
 * occurrence after the previous one (greedy leftmost is exact for `*`-only globs). The search is a
 * bit-parallel Shift-And scan, so the text is read once overall: O(n * ceil(m / 32) + m) time for a
 * subject of n code points and a pattern of m units, with no backtracking.
 */

/** A pattern unit: a code point (>= 0), or one of the two wildcards. */
export type PatternUnit = number;
export const STAR: PatternUnit = -1;
export const ANY: PatternUnit = -2;

/** The code points of a string (astral characters are one unit; a lone surrogate is itself, as iteration gives it). */
export function codePoints(text: string): number[] {
  const out = new Int32Array(text.length);
  return Array.from(out.subarray(0, codePointsInto(text, out)));
}

/** How many compiled patterns iamWildcardMatch keeps (policy text: few patterns, asked again on every denial). */
const KEEP_COMPILED = 256;
const compiledPatterns = new Map<string, CompiledWildcard>();

/**
 * Does `text` match the IAM pattern `pattern` (`*` and `?` wildcards, no variables), as StringLike reads it? The
 * pattern is compiled once and kept among the last {@link KEEP_COMPILED} asked (a memo: the answer never depends on it).
 */
export function iamWildcardMatch(pattern: string, text: string): boolean {
  let compiled = compiledPatterns.get(pattern);
  if (compiled === undefined) {
    if (compiledPatterns.size >= KEEP_COMPILED) compiledPatterns.clear();
    compiled = compileWildcard(wildcardUnits(pattern));
    compiledPatterns.set(pattern, compiled);
  }
  return matchWildcard(compiled, text);
}

/** Units for policy text in which `*` and `?` are wildcards. */
export function wildcardUnits(text: string): PatternUnit[] {
  const out: PatternUnit[] = [];
  for (const ch of text) out.push(ch === '*' ? STAR : ch === '?' ? ANY : (ch.codePointAt(0) as number));
  return out;
}

interface Segment {
  readonly units: readonly PatternUnit[];
  readonly words: number;
  /** Bit i set when pattern position i accepts the code point (ANY positions are set in every mask). */
  readonly masks: ReadonlyMap<number, Uint32Array>;
  readonly anyMask: Uint32Array;
}

/** A pattern compiled once; match it with {@link matchWildcard}. */
export interface CompiledWildcard {
  /** The units the pattern was compiled from (for display). */
  readonly units: readonly PatternUnit[];
  readonly hasStar: boolean;
  /** Split on `*` (consecutive stars collapsed); a single segment when there is no star. */
  readonly segments: readonly Segment[];
  readonly minLength: number;
}

function compileSegment(units: readonly PatternUnit[]): Segment {
  const words = Math.max(1, Math.ceil(units.length / 32));
  const anyMask = new Uint32Array(words);
  units.forEach((u, i) => {
    if (u === ANY) anyMask[i >> 5]! |= 1 << (i & 31);
  });
  const masks = new Map<number, Uint32Array>();
  units.forEach((u, i) => {
    if (u < 0) return;
    let m = masks.get(u);
    if (m === undefined) {
      m = Uint32Array.from(anyMask);
      masks.set(u, m);
    }
    m[i >> 5]! |= 1 << (i & 31);
  });
  return { units, words, masks, anyMask };
}

/** Compile pattern units (see {@link wildcardUnits}, {@link codePoints}) into a matcher. */
export function compileWildcard(units: readonly PatternUnit[]): CompiledWildcard {
  const segments: PatternUnit[][] = [[]];
  let hasStar = false;
  let prevStar = false;
  for (const u of units) {
    if (u === STAR) {
      hasStar = true;
      if (!prevStar) segments.push([]);
      prevStar = true;
    } else {
      (segments[segments.length - 1] as PatternUnit[]).push(u);
      prevStar = false;
    }
  }
  const compiled = segments.map(compileSegment);
  const minLength = compiled.reduce((n, s) => n + s.units.length, 0);
  return { units: [...units], hasStar, segments: compiled, minLength };
}

/** Code points are read from an array or typed array (the scratch buffer of matchWildcard), `n` of them. */
type Subject = ArrayLike<number>;

function matchesAt(seg: Segment, s: Subject, at: number): boolean {
  const u = seg.units;
  for (let i = 0; i < u.length; i++) {
    const p = u[i] as number;
    if (p !== ANY && p !== s[at + i]) return false;
  }
  return true;
}

/** Leftmost start index >= from such that seg occupies [start, start+len) within [from, end); -1 if none. */
function findSegment(seg: Segment, s: Subject, from: number, end: number): number {
  const len = seg.units.length;
  const words = seg.words;
  const top = (len - 1) >> 5;
  const topBit = 1 << ((len - 1) & 31);
  const state = new Uint32Array(words);
  for (let i = from; i < end; i++) {
    const mask = seg.masks.get(s[i] as number) ?? seg.anyMask;
    let carry = 1;
    for (let w = 0; w < words; w++) {
      const v = state[w] as number;
      state[w] = ((v << 1) | carry) & (mask[w] as number);
      carry = v >>> 31;
    }
    if (((state[top] as number) & topBit) !== 0) return i - len + 1;
  }
  return -1;
}

/**
 * Does the whole subject match the pattern? `subject` is a string or its code points. A string's code points are
 * written into a reused buffer rather than a new array (a trust policy's StringLike runs on every request; the
 * array was a visible share of a request's allocations, bench/). Matching is synchronous, so one buffer serves.
 */
export function matchWildcard(pattern: CompiledWildcard, subject: string | readonly number[]): boolean {
  if (typeof subject !== 'string') return matchUnits(pattern, subject, subject.length);
  const buffer = subject.length <= SCRATCH_MAX ? scratchFor(subject.length) : new Int32Array(subject.length);
  return matchUnits(pattern, buffer, codePointsInto(subject, buffer));
}

/** The largest reused buffer, in code points; longer subjects get their own. */
const SCRATCH_MAX = 1 << 16;
let scratch = new Int32Array(256);

function scratchFor(length: number): Int32Array {
  if (scratch.length < length) scratch = new Int32Array(Math.min(SCRATCH_MAX, Math.max(length, scratch.length * 2)));
  return scratch;
}

/**
 * Writes the code points of `text` into `out` (which has room for text.length) and returns how many: a surrogate
 * pair is one code point, a lone surrogate is itself, as iterating the string gives them.
 */
export function codePointsInto(text: string, out: Int32Array): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out[n++] = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        i++;
        continue;
      }
    }
    out[n++] = c;
  }
  return n;
}

/** matchWildcard on the first `n` code points of `s`. */
function matchUnits(pattern: CompiledWildcard, s: Subject, n: number): boolean {
  const segs = pattern.segments;
  const first = segs[0] as Segment;
  if (!pattern.hasStar) return n === first.units.length && matchesAt(first, s, 0);
  if (n < pattern.minLength) return false;
  const last = segs[segs.length - 1] as Segment;
  const end = n - last.units.length;
  if (!matchesAt(first, s, 0) || !matchesAt(last, s, end)) return false;
  let pos = first.units.length;
  for (let k = 1; k < segs.length - 1; k++) {
    const seg = segs[k] as Segment;
    const at = findSegment(seg, s, pos, end);
    if (at < 0) return false;
    pos = at + seg.units.length;
  }
  return true;
}

/** Render units back to text, `*`/`?` for wildcards (display only: literal `*` and STAR look alike). */
export function unitsToText(units: readonly PatternUnit[]): string {
  let out = '';
  for (const u of units) out += u === STAR ? '*' : u === ANY ? '?' : String.fromCodePoint(u);
  return out;
}
