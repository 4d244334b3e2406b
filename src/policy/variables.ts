/**
 * Policy variables in condition values (Version 2012-10-17 only; in 2008-10-17 `${...}` is literal text).
 *
 * - `${key}` takes the request's value for a single-valued key (names are case-insensitive).
 * - `${key, 'default'}` uses the default when the key is absent.
 * - `${*}` `${?}` `${$}` are a literal `*`, `?`, `$`.
 * - A substituted value or escape is always literal: it is never a wildcard.
 * - An absent key without default leaves the value unresolved: it matches nothing (IAM: "effectively null").
 * - A multivalued key cannot be a variable: it resolves like an absent key.
 * - Text that does not parse as a variable (`${`, `${}`, `${a b}`) stays literal text.
 *
 * Templates are parsed once, at policy load.
 */
import type { RequestContext } from './types.js';
import { codePoints, wildcardUnits, type PatternUnit } from './wildcard.js';

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'escape'; readonly char: '*' | '?' | '$' }
  | { readonly kind: 'variable'; readonly source: string; readonly key: string; readonly fallback: string | undefined };

export interface Template {
  readonly raw: string;
  readonly parts: readonly TemplatePart[];
  /** True when any part depends on the request (a variable, not an escape). */
  readonly dynamic: boolean;
}

function parseVariableBody(body: string, source: string): TemplatePart | undefined {
  if (body === '*' || body === '?' || body === '$') return { kind: 'escape', char: body };
  const comma = body.indexOf(',');
  const name = (comma < 0 ? body : body.slice(0, comma)).trim();
  if (name === '' || /[\s'"{}$]/.test(name)) return undefined;
  let fallback: string | undefined;
  if (comma >= 0) {
    const rest = body.slice(comma + 1).trim();
    if (rest.length < 2 || !rest.startsWith("'") || !rest.endsWith("'")) return undefined;
    fallback = rest.slice(1, -1);
    if (fallback.includes("'")) return undefined;
  }
  return { kind: 'variable', source, key: name.toLowerCase(), fallback };
}

/** Parse a condition value into a template; with `substitute` false the whole value is literal text. */
export function parseTemplate(raw: string, substitute: boolean): Template {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (substitute && i < raw.length) {
    const open = raw.indexOf('${', i);
    if (open < 0) break;
    const close = raw.indexOf('}', open + 2);
    if (close < 0) break;
    const source = raw.slice(open, close + 1);
    const part = parseVariableBody(raw.slice(open + 2, close), source);
    if (part === undefined) {
      text += raw.slice(i, open + 2);
      i = open + 2;
      continue;
    }
    text += raw.slice(i, open);
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
    parts.push(part);
    i = close + 1;
  }
  text += raw.slice(i);
  if (text !== '') parts.push({ kind: 'text', text });
  return { raw, parts, dynamic: parts.some((p) => p.kind === 'variable') };
}

/** The value a variable takes in this request, or null when it is unresolved. */
export function variableValue(part: Extract<TemplatePart, { kind: 'variable' }>, ctx: RequestContext | undefined): string | null {
  const values = ctx === undefined || ctx.multiValued.has(part.key) ? undefined : ctx.values.get(part.key);
  const first = values?.[0];
  if (first !== undefined) return first;
  return part.fallback ?? null;
}

/** The template as a plain string, or null when a variable is unresolved. */
export function resolveText(t: Template, ctx: RequestContext | undefined): string | null {
  let out = '';
  for (const p of t.parts) {
    if (p.kind === 'text') out += p.text;
    else if (p.kind === 'escape') out += p.char;
    else {
      const v = variableValue(p, ctx);
      if (v === null) return null;
      out += v;
    }
  }
  return out;
}

/** The template as wildcard pattern units: `*`/`?` in policy text are wildcards, everything substituted is literal. */
export function resolveUnits(t: Template, ctx: RequestContext | undefined): PatternUnit[] | null {
  const out: PatternUnit[] = [];
  for (const p of t.parts) {
    if (p.kind === 'text') out.push(...wildcardUnits(p.text));
    else if (p.kind === 'escape') out.push(p.char.codePointAt(0) as number);
    else {
      const v = variableValue(p, ctx);
      if (v === null) return null;
      out.push(...codePoints(v));
    }
  }
  return out;
}
