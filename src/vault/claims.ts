/**
 * Claims as Vault's JWT plugin reads them (claims.go): a key without a leading `/` is a literal top-level claim name
 * (so `oidc.circleci.com/project-id` works as written); a key with one is a JSON Pointer (mitchellh/pointerstructure:
 * `~1` for `/`, `~0` for `~`). A number found this way becomes Go's `json.Number(strconv.Itoa(int(v)))` (1.9 is "1");
 * numbers inside a list stay float64. Values carry their Go type, because string mode compares with Go's `!=` on
 * interfaces: the string "123" is not the number 123, and "true" is not `true`.
 */
import type { VaultBoundValue } from '../config/index.js';

/** A claim value as Go holds it after getClaim. */
export type GoValue =
  | VaultBoundValue
  /** A float64 inside a list (getClaim converts only the value it returns). */
  | { readonly type: 'float'; readonly value: number }
  /** An object, or a list inside a list: never equal to a bound value. */
  | { readonly type: 'other'; readonly value: unknown };

/** Looks a claim up as getClaim does; undefined when absent, null, or the pointer does not resolve. */
export function getClaim(claims: Readonly<Record<string, unknown>>, key: string): unknown {
  let value: unknown;
  if (!key.startsWith('/')) value = Object.hasOwn(claims, key) ? claims[key] : undefined;
  else value = pointer(claims, key);
  if (value === null) return undefined;
  if (typeof value === 'number') return { jsonNumber: goItoa(value) } satisfies JsonNumber;
  return value;
}

/** Go's json.Number, as getClaim makes it from a float64. */
export interface JsonNumber {
  readonly jsonNumber: string;
}

export function isJsonNumber(v: unknown): v is JsonNumber {
  return typeof v === 'object' && v !== null && typeof (v as { jsonNumber?: unknown }).jsonNumber === 'string';
}

/** strconv.Itoa(int(v)): truncation toward zero. */
function goItoa(v: number): string {
  if (!Number.isFinite(v)) return '0';
  return BigInt(Math.trunc(v)).toString();
}

/** RFC 6901 as pointerstructure.Get walks it: maps by key, lists by decimal index; anything else does not resolve. */
function pointer(root: unknown, text: string): unknown {
  let here: unknown = root;
  for (const raw of text.slice(1).split('/')) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(here)) {
      if (!/^(0|[1-9]\d{0,8})$/.test(part)) return undefined;
      const i = Number(part);
      if (i >= here.length) return undefined;
      here = here[i];
    } else if (typeof here === 'object' && here !== null) {
      if (!Object.hasOwn(here, part)) return undefined;
      here = (here as Record<string, unknown>)[part];
    } else return undefined;
  }
  return here;
}

/** normalizeList: a string, bool, json.Number or list as a list of Go values; undefined for anything else. */
export function normalizeList(value: unknown): GoValue[] | undefined {
  if (Array.isArray(value)) return value.map(goValueOf);
  if (typeof value === 'string') return [{ type: 'string', value }];
  if (typeof value === 'boolean') return [{ type: 'bool', value }];
  if (isJsonNumber(value)) return [{ type: 'number', value: value.jsonNumber }];
  return undefined;
}

function goValueOf(v: unknown): GoValue {
  if (typeof v === 'string') return { type: 'string', value: v };
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  if (typeof v === 'number') return { type: 'float', value: v };
  return { type: 'other', value: v };
}

/** Go's `actVal != expVal` on interfaces: same dynamic type and same value. */
export function goEqual(expected: VaultBoundValue, actual: GoValue): boolean {
  return expected.type === actual.type && expected.value === actual.value;
}

/** How a Go value is shown in traces: its JSON, with its Go type when that is what decided. */
export function showGo(v: GoValue | VaultBoundValue): string {
  switch (v.type) {
    case 'string':
      return JSON.stringify(v.value);
    case 'bool':
      return `${String(v.value)} (bool)`;
    case 'number':
      return `${v.value} (json.Number)`;
    case 'float':
      return `${String(v.value)} (float64 in a list)`;
    case 'other':
      return `${JSON.stringify(v.value) ?? 'null'} (not comparable)`;
  }
}
