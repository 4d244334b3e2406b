/**
 * The condition operators as a table of small named objects. Each base operator compiles one policy
 * value (at load) into a CompiledValue; binding it to a request resolves policy variables and yields a
 * BoundValue that tests one context value. Negated operators wrap their positive base (`negated: true`);
 * qualifiers (IfExists, ForAnyValue:, ForAllValues:) are applied in conditions.ts, not here.
 */
import { ARN_FORM, arnValueProblem, compileArnPattern, matchArn } from './arn.js';
import { cidrContains, parseCidr } from './ip.js';
import type { RequestContext } from './types.js';
import { bytesEqual, compareDecimal, foldCase, parseBase64, parseBool, parseDate, parseDecimal, type Decimal } from './values.js';
import { parseTemplate, resolveText, resolveUnits, type Template } from './variables.js';
import { codePoints, compileWildcard, matchWildcard, type PatternUnit } from './wildcard.js';

/** A policy value resolved for one request. */
export interface BoundValue {
  /** The value after variable substitution (for traces). */
  readonly text: string;
  /** Does this context value satisfy the positive operator for this policy value? */
  matches(contextValue: string): boolean;
}

/** A policy value compiled at load. */
export interface CompiledValue {
  readonly raw: string;
  /** null when a policy variable is unresolved: the value then matches nothing. */
  bind(ctx: RequestContext): BoundValue | null;
  /** Why the value as written can never match, when IAM accepts it anyway (lint reports it). */
  readonly defect?: string;
}

export interface BaseOperator {
  readonly name: string;
  /** Whether `${...}` is substituted in this operator's values (string, ARN and Bool operators). */
  readonly variables: boolean;
  /** A compiled value, or the problem message for a value this operator cannot use. */
  compile(raw: string, substitute: boolean): CompiledValue | string;
}

export interface OperatorDef {
  readonly name: string;
  readonly base: BaseOperator;
  /** Negated operators hold only if the context value matches none of the policy values. */
  readonly negated: boolean;
}

function fixed(raw: string, bound: BoundValue): CompiledValue {
  return { raw, bind: () => bound };
}

/** For operators that take variables: compile now when static, else resolve per request. */
function templated(
  raw: string,
  substitute: boolean,
  make: (text: string, t: Template, ctx: RequestContext | undefined) => BoundValue | string,
): CompiledValue | string {
  const t = parseTemplate(raw, substitute);
  if (!t.dynamic) {
    const b = make(resolveText(t, undefined) as string, t, undefined);
    return typeof b === 'string' ? b : fixed(raw, b);
  }
  return {
    raw,
    bind(ctx) {
      const text = resolveText(t, ctx);
      if (text === null) return null;
      const b = make(text, t, ctx);
      return typeof b === 'string' ? null : b;
    },
  };
}

function stringOp(name: string, same: (policy: string, ctx: string) => boolean): BaseOperator {
  return {
    name,
    variables: true,
    compile: (raw, substitute) => templated(raw, substitute, (text) => ({ text, matches: (v) => same(text, v) })),
  };
}

function patternOp(name: string, build: (units: PatternUnit[]) => (subject: string) => boolean): BaseOperator {
  return {
    name,
    variables: true,
    compile: (raw, substitute) =>
      templated(raw, substitute, (text, t, ctx) => {
        const test = build(resolveUnits(t, ctx) as PatternUnit[]);
        return { text, matches: test };
      }),
  };
}

function numericOp(name: string, accept: (cmp: number) => boolean): BaseOperator {
  return {
    name,
    variables: false,
    compile(raw) {
      const policy: Decimal | null = parseDecimal(raw);
      if (policy === null) return `'${raw}' is not a number (${name} takes an integer or decimal)`;
      return fixed(raw, {
        text: raw,
        matches(v) {
          const d = parseDecimal(v);
          return d !== null && accept(compareDecimal(d, policy));
        },
      });
    },
  };
}

function dateOp(name: string, accept: (cmp: number) => boolean): BaseOperator {
  return {
    name,
    variables: false,
    compile(raw) {
      const policy = parseDate(raw);
      if (policy === null) return `'${raw}' is not a date (${name} takes ISO 8601 or epoch seconds)`;
      return fixed(raw, {
        text: raw,
        matches(v) {
          const d = parseDate(v);
          return d !== null && accept(Math.sign(d - policy));
        },
      });
    },
  };
}

const eq = (c: number): boolean => c === 0;
const lt = (c: number): boolean => c < 0;
const le = (c: number): boolean => c <= 0;
const gt = (c: number): boolean => c > 0;
const ge = (c: number): boolean => c >= 0;

const stringEquals = stringOp('StringEquals', (p, v) => p === v);
const stringEqualsIgnoreCase = stringOp('StringEqualsIgnoreCase', (p, v) => foldCase(p) === foldCase(v));
const stringLike = patternOp('StringLike', (units) => {
  const w = compileWildcard(units);
  return (s) => matchWildcard(w, s);
});
/**
 * ArnLike and ArnEquals (the same operator). A static value without the `arn:` prefix is refused, as IAM refuses
 * the policy ("The policy failed legacy parsing"); one with fewer than six parts loads and matches nothing, with a
 * defect for lint. A value with a variable is judged per request: a malformed result matches nothing.
 */
function arnOp(name: string): BaseOperator {
  return {
    name,
    variables: true,
    compile(raw, substitute) {
      let defect: string | undefined;
      const compiled = templated(raw, substitute, (text, t, ctx) => {
        if (!t.dynamic) {
          const problem = arnValueProblem(text);
          if (problem?.kind === 'notArn') return `'${raw}' is not an ARN (${name} takes ${ARN_FORM})`;
          if (problem?.kind === 'parts') defect = `has ${problem.parts} of the 6 parts of an ARN (${ARN_FORM})`;
        }
        const p = compileArnPattern(resolveUnits(t, ctx) as PatternUnit[]);
        return { text, matches: (s) => matchArn(p, codePoints(s)) };
      });
      return typeof compiled === 'string' || defect === undefined ? compiled : { ...compiled, defect };
    },
  };
}
const arnLike = arnOp('ArnLike');
const arnEquals = arnOp('ArnEquals');
const numericEquals = numericOp('NumericEquals', eq);
const dateEquals = dateOp('DateEquals', eq);

const bool: BaseOperator = {
  name: 'Bool',
  variables: true,
  compile: (raw, substitute) =>
    templated(raw, substitute, (text) => {
      const b = parseBool(text);
      if (b === null) return `'${raw}' is not a boolean (Bool takes 'true' or 'false')`;
      return { text, matches: (v) => parseBool(v) === b };
    }),
};

const binaryEquals: BaseOperator = {
  name: 'BinaryEquals',
  variables: false,
  compile(raw) {
    const bytes = parseBase64(raw);
    if (bytes === null) return `'${raw}' is not base64 (BinaryEquals takes base64)`;
    return fixed(raw, {
      text: raw,
      matches(v) {
        const got = parseBase64(v);
        return got !== null && bytesEqual(got, bytes);
      },
    });
  },
};

const ipAddress: BaseOperator = {
  name: 'IpAddress',
  variables: false,
  compile(raw) {
    const block = parseCidr(raw);
    if (block === null) return `'${raw}' is not an IP address or CIDR block`;
    return fixed(raw, { text: raw, matches: (v) => cidrContains(block, v) });
  },
};

/** Null compiles like Bool but is evaluated on key presence (see conditions.ts). */
export const nullBase: BaseOperator = {
  name: 'Null',
  variables: false,
  compile(raw) {
    const b = parseBool(raw);
    if (b === null) return `'${raw}' is not a boolean (Null takes 'true' or 'false')`;
    return fixed(raw, { text: raw, matches: (v) => parseBool(v) === b });
  },
};

function def(name: string, base: BaseOperator, negated = false): OperatorDef {
  return { name, base, negated };
}

/** Every operator IAM knows, by its exact name. */
export const OPERATORS: ReadonlyMap<string, OperatorDef> = new Map(
  [
    def('StringEquals', stringEquals),
    def('StringNotEquals', stringEquals, true),
    def('StringEqualsIgnoreCase', stringEqualsIgnoreCase),
    def('StringNotEqualsIgnoreCase', stringEqualsIgnoreCase, true),
    def('StringLike', stringLike),
    def('StringNotLike', stringLike, true),
    def('NumericEquals', numericEquals),
    def('NumericNotEquals', numericEquals, true),
    def('NumericLessThan', numericOp('NumericLessThan', lt)),
    def('NumericLessThanEquals', numericOp('NumericLessThanEquals', le)),
    def('NumericGreaterThan', numericOp('NumericGreaterThan', gt)),
    def('NumericGreaterThanEquals', numericOp('NumericGreaterThanEquals', ge)),
    def('DateEquals', dateEquals),
    def('DateNotEquals', dateEquals, true),
    def('DateLessThan', dateOp('DateLessThan', lt)),
    def('DateLessThanEquals', dateOp('DateLessThanEquals', le)),
    def('DateGreaterThan', dateOp('DateGreaterThan', gt)),
    def('DateGreaterThanEquals', dateOp('DateGreaterThanEquals', ge)),
    def('Bool', bool),
    def('BinaryEquals', binaryEquals),
    def('IpAddress', ipAddress),
    def('NotIpAddress', ipAddress, true),
    def('ArnEquals', arnEquals),
    def('ArnLike', arnLike),
    def('ArnNotEquals', arnEquals, true),
    def('ArnNotLike', arnLike, true),
    def('Null', nullBase),
  ].map((d) => [d.name, d] as const),
);

export type Qualifier = 'ForAnyValue' | 'ForAllValues';

/** A parsed operator name: `[ForAnyValue:|ForAllValues:]<Operator>[IfExists]`. */
export interface OperatorName {
  readonly text: string;
  readonly def: OperatorDef;
  readonly qualifier: Qualifier | null;
  readonly ifExists: boolean;
}

/** Parse an operator name as written in a policy; a string is the problem message. */
export function parseOperatorName(text: string): OperatorName | string {
  let rest = text;
  let qualifier: Qualifier | null = null;
  for (const q of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(`${q}:`)) {
      qualifier = q;
      rest = rest.slice(q.length + 1);
    }
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const d = OPERATORS.get(rest);
  if (d === undefined) return `Unknown condition operator '${text}'`;
  if (ifExists && d.name === 'Null') return `'NullIfExists' is not a condition operator (Null takes no IfExists)`;
  return { text, def: d, qualifier, ifExists };
}
