/**
 * CEL as Google's workload identity federation evaluates it: `@bufbuild/cel` (pinned) with Google's `extract()`
 * method added. Expressions are compiled once (at load) into programs; evaluating never throws: an error of the
 * expression (a missing claim, a type mismatch) comes back as a value with CEL's text.
 */
import { createRequire } from 'node:module';

type CelLib = typeof import('@bufbuild/cel');

/**
 * `'a/users/b'.extract('/users/{x}')` is `'b'`: the text after the template's prefix, up to its suffix (to the end
 * when the suffix is empty). Without the prefix, or the suffix after it, the result is '' (behaviour-choices.md).
 */
export function extract(value: string, template: string): string {
  const open = template.indexOf('{');
  const close = template.indexOf('}', open + 1);
  if (open < 0 || close < 0) return '';
  const prefix = template.slice(0, open);
  const suffix = template.slice(close + 1);
  const start = value.indexOf(prefix);
  if (start < 0) return '';
  const from = start + prefix.length;
  if (suffix === '') return value.slice(from);
  const end = value.indexOf(suffix, from);
  return end < 0 ? '' : value.slice(from, end);
}

/**
 * `@bufbuild/cel` and the environment with Google's `extract()`, loaded by the first expression compiled: a
 * configuration without gcp/ files never loads the library (about 110 ms of CPU and 130 modules at start).
 */
let loaded: { readonly lib: CelLib; readonly env: ReturnType<CelLib['celEnv']> } | undefined;
function cel(): { readonly lib: CelLib; readonly env: ReturnType<CelLib['celEnv']> } {
  if (loaded === undefined) {
    const lib = createRequire(import.meta.url)('@bufbuild/cel') as CelLib;
    const { CelScalar } = lib;
    const env = lib.celEnv({
      funcs: [
        lib.celMethod('extract', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (this: string, template: string) {
          return extract(this, template);
        }),
      ],
    });
    loaded = { lib, env };
  }
  return loaded;
}

/** A JSON-like value a CEL expression produced, or the error it evaluated to. */
export type CelOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export interface CelProgram {
  /** The expression as written. */
  readonly text: string;
  /** Evaluates against the variables (plain JSON-like objects); never throws. */
  run(vars: Readonly<Record<string, unknown>>): CelOutcome;
  /** The conjuncts of a top-level `a && b && ...` (one program per operand, in order); [] for any other expression. */
  readonly conjuncts: readonly CelProgram[];
}

export type CompileResult = { readonly ok: true; readonly program: CelProgram } | { readonly ok: false; readonly message: string };

type Expr = ReturnType<CelLib['parse']>['expr'];

/** Parses and plans an expression; a syntax error is a message (`<input>:1:3: ...`), never a throw. */
export function compileCel(text: string): CompileResult {
  let parsed: ReturnType<CelLib['parse']>;
  try {
    parsed = cel().lib.parse(text);
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  try {
    return { ok: true, program: programOf(text, parsed, true) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

function programOf(text: string, expr: Parameters<CelLib['plan']>[1], split: boolean): CelProgram {
  const evaluate = cel().lib.plan(cel().env, expr) as (ctx: Record<string, unknown>) => unknown;
  const root = (expr as { expr?: Expr }).expr ?? (expr as Expr);
  const conjuncts = split ? andOperands(root).map((e) => programOf(cel().lib.unparse(e), e, false)) : [];
  return {
    text,
    conjuncts: conjuncts.length > 1 ? conjuncts : [],
    run(vars) {
      let result: unknown;
      try {
        result = evaluate({ ...vars });
      } catch (e) {
        return { ok: false, error: e instanceof Error ? e.message : String(e) };
      }
      if (cel().lib.isCelError(result)) return { ok: false, error: result.message };
      return { ok: true, value: toJs(result) };
    },
  };
}

/** The operands of a chain of `_&&_` calls, left to right; the expression itself otherwise. */
function andOperands(expr: Expr): Expr[] {
  const kind = expr.exprKind;
  if (kind.case === 'callExpr' && kind.value.function === '_&&_' && kind.value.args.length === 2) {
    return kind.value.args.flatMap((a) => andOperands(a));
  }
  return [expr];
}

/** CEL values back to JSON-like values: lists to arrays, maps to objects, bigints to numbers when safe. */
function toJs(value: unknown): unknown {
  if (cel().lib.isCelList(value)) return [...(value as unknown as Iterable<unknown>)].map(toJs);
  if (cel().lib.isCelMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value as unknown as Iterable<[unknown, unknown]>) out[String(k)] = toJs(v);
    return out;
  }
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}
