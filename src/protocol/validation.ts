/**
 * Validation failures are data; one pure formatter turns them into AWS's text:
 * "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null"
 * Several are counted ("2 validation errors detected: ") and joined with "; ".
 */
import { StsError } from './errors.js';
import type { QueryParams } from './query.js';

/** WebIdentityToken's model length (clientTokenType), in code points. */
export const WEB_IDENTITY_TOKEN_LENGTH = Object.freeze({ min: 4, max: 20000 });

/** How a sensitive member (the token) appears in validation messages: never echoed. */
export const REDACTED = '*** Sensitive Data Redacted ***';

export interface ValidationFailure {
  /** camelCase member name as AWS prints it: roleArn, roleSessionName, webIdentityToken, durationSeconds, policy ... */
  readonly field: string;
  /** The text after "Member must ": "not be null", "have length less than or equal to 64" ... */
  readonly constraint: string;
  /** The offending value, or null when missing. */
  readonly value: string | null;
}

export function formatValidationFailures(failures: readonly ValidationFailure[]): string {
  const n = failures.length;
  const head = `${n} validation error${n === 1 ? '' : 's'} detected: `;
  return (
    head +
    failures
      .map(
        (f) =>
          `Value ${f.value === null ? 'null' : `'${f.value}'`} at '${f.field}' failed to satisfy constraint: Member must ${f.constraint}`,
      )
      .join('; ')
  );
}

export function validationError(failures: readonly ValidationFailure[]): StsError {
  return new StsError('ValidationError', formatValidationFailures(failures));
}

/** Common constraint texts, as in AWS messages. */
export const CONSTRAINT = {
  notNull: 'not be null',
  minLength: (n: number) => `have length greater than or equal to ${n}`,
  maxLength: (n: number) => `have length less than or equal to ${n}`,
  minValue: (n: number) => `have value greater than or equal to ${n}`,
  maxValue: (n: number) => `have value less than or equal to ${n}`,
  pattern: (p: string) => `satisfy regular expression pattern: ${p}`,
} as const;

/**
 * Length in code points, as AWS's model constraints count (a surrogate pair is one; a lone surrogate is one).
 * A charCodeAt loop: iterating the string with for...of allocated one string per character, measurable per request.
 */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Where `s` stands against a model length constraint in code points: -1 below `min`, 1 above `max`, 0 within.
 * A string of L UTF-16 units has between L/2 and L code points, so it is counted only when that range crosses a
 * bound (a 1,000-character token never is).
 */
export function codePointsAgainst(s: string, min: number, max: number): -1 | 0 | 1 {
  if (s.length >= 2 * min && s.length <= max) return 0;
  const n = codePointLength(s);
  return n < min ? -1 : n > max ? 1 : 0;
}

/**
 * Reads query parameters against their model constraints, collecting every failure (in the order the members are
 * read, which callers keep to the model's order) for one ValidationError. A value that fails is returned as undefined.
 */
export class ParamChecker {
  readonly failures: ValidationFailure[] = [];
  constructor(private readonly params: QueryParams) {}

  /** A string member: `name` on the wire, `field` in messages. A pattern ending in `*` accepts the empty string. */
  string(
    name: string,
    field: string,
    opts: { required: boolean; min: number; max: number; pattern?: readonly [RegExp, string]; sensitive?: boolean },
  ): string | undefined {
    return this.value(this.params.get(name), field, opts);
  }

  /** A value read elsewhere (a list member), checked as a string member. */
  value(
    v: string | undefined,
    field: string,
    opts: { required: boolean; min: number; max: number; pattern?: readonly [RegExp, string]; sensitive?: boolean },
  ): string | undefined {
    if (v === undefined) {
      if (opts.required) this.failures.push({ field, constraint: CONSTRAINT.notNull, value: null });
      return undefined;
    }
    const shown = opts.sensitive === true ? REDACTED : v;
    const before = this.failures.length;
    if (opts.pattern !== undefined && !opts.pattern[0].test(v) && !(v === '' && opts.pattern[1].endsWith('*'))) {
      this.failures.push({ field, constraint: CONSTRAINT.pattern(opts.pattern[1]), value: shown });
    }
    const against = codePointsAgainst(v, opts.min, opts.max);
    if (against < 0) this.failures.push({ field, constraint: CONSTRAINT.minLength(opts.min), value: shown });
    if (against > 0) this.failures.push({ field, constraint: CONSTRAINT.maxLength(opts.max), value: shown });
    return this.failures.length === before ? v : undefined;
  }

  /** An integer member within [min, max]; text that is not a whole number fails with `Member must be a whole number`. */
  integer(name: string, field: string, min: number, max: number): number | undefined {
    const v = this.params.get(name);
    if (v === undefined) return undefined;
    if (!/^[+-]?\d{1,15}$/.test(v)) {
      this.failures.push({ field, constraint: 'be a whole number', value: v });
      return undefined;
    }
    const n = Number(v);
    if (n < min) this.failures.push({ field, constraint: CONSTRAINT.minValue(min), value: String(n) });
    else if (n > max) this.failures.push({ field, constraint: CONSTRAINT.maxValue(max), value: String(n) });
    else return n;
    return undefined;
  }

  /** Throws the ValidationError of every failure collected, if any. */
  finish(): void {
    if (this.failures.length > 0) throw validationError(this.failures);
  }
}
