/**
 * Small shared pieces of config validation: JSON paths, shape checks, unknown-field detection
 * (with a "did you mean" hint for typos such as `ClientIdList`), and IAM tag lists.
 */
import type { RoleTag } from './types.js';

/** Records one problem at a dotted JSON path within the file being validated. */
export type Report = (path: string, message: string) => void;

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** Extends a dotted JSON path: `at('Role', 'Tags')` -> `Role.Tags`, `at('Tags', 0)` -> `Tags[0]`. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!PLAIN_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Joins a prefix and a path that may itself start with an index (`[0].Effect`). */
export function joinPath(prefix: string, path: string): string {
  if (path === '') return prefix;
  if (prefix === '' || path.startsWith('[')) return prefix + path;
  return `${prefix}.${path}`;
}

/** The documents of a file that holds one or an array of them: each with its place (`''` or `[i]`) and a reporter of paths inside it. */
export function documentsOf(value: unknown, report: Report): { readonly value: unknown; readonly base: string; readonly report: Report }[] {
  const docs = Array.isArray(value) ? value.map((v: unknown, i) => ({ v, base: `[${i}]` })) : [{ v: value, base: '' }];
  return docs.map(({ v, base }) => ({ value: v, base, report: (path: string, message: string) => report(joinPath(base, path), message) }));
}

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 'a string', 'an array', 'null' ... for "must be X, got Y" messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

/** Own enumerable value of a JSON object, never from the prototype chain. */
export function field(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Reports every key of `obj` that is not in `allowed`, suggesting the closest allowed name. */
export function checkUnknownFields(obj: Record<string, unknown>, allowed: readonly string[], path: string, report: Report): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    const hint = suggest(key, allowed);
    report(at(path, key), `unknown field${hint ? ` (did you mean '${hint}'?)` : ''}`);
  }
}

function suggest(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = allowed.find((a) => a.toLowerCase() === lower);
  if (sameCase) return sameCase;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** Checks a string's type and length (in UTF-16 code units, as IAM's model counts). */
export function checkString(
  value: unknown,
  path: string,
  report: Report,
  limits: { readonly min: number; readonly max: number },
): value is string {
  if (typeof value !== 'string') {
    report(path, `must be a string, got ${describe(value)}`);
    return false;
  }
  if (value.length < limits.min) {
    report(path, limits.min === 1 ? 'must not be empty' : `must be at least ${limits.min} characters long`);
    return false;
  }
  if (value.length > limits.max) {
    report(path, `must be at most ${limits.max} characters long, got ${value.length}`);
    return false;
  }
  return true;
}

/** IAM tag limits: 50 tags, key 1..128, value 0..256, letters/digits/spaces and _ . : / = + - @. */
export const MAX_TAGS = 50;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Validates an IAM `Tags` list ([{Key, Value}]); returns the valid tags. */
export function validateTags(value: unknown, path: string, report: Report): RoleTag[] {
  if (!Array.isArray(value)) {
    report(path, `must be an array of {"Key": ..., "Value": ...}, got ${describe(value)}`);
    return [];
  }
  if (value.length > MAX_TAGS) report(path, `must have at most ${MAX_TAGS} tags, got ${value.length}`);
  const tags: RoleTag[] = [];
  const seen = new Set<string>();
  value.forEach((tag, i) => {
    const p = at(path, i);
    if (!isObject(tag)) {
      report(p, `must be an object {"Key": ..., "Value": ...}, got ${describe(tag)}`);
      return;
    }
    checkUnknownFields(tag, ['Key', 'Value'], p, report);
    const key = field(tag, 'Key');
    const val = field(tag, 'Value');
    let ok = true;
    if (key === undefined) {
      report(at(p, 'Key'), 'is required');
      ok = false;
    } else if (!checkString(key, at(p, 'Key'), report, { min: 1, max: 128 })) ok = false;
    else if (!TAG_TEXT.test(key)) {
      report(at(p, 'Key'), 'may contain only letters, digits, spaces and _ . : / = + - @');
      ok = false;
    } else if (seen.has(key)) {
      report(at(p, 'Key'), `duplicates tag key '${key}'`);
      ok = false;
    }
    if (val === undefined) {
      report(at(p, 'Value'), 'is required');
      ok = false;
    } else if (!checkString(val, at(p, 'Value'), report, { min: 0, max: 256 })) ok = false;
    else if (!TAG_TEXT.test(val)) {
      report(at(p, 'Value'), 'may contain only letters, digits, spaces and _ . : / = + - @');
      ok = false;
    }
    if (ok && typeof key === 'string' && typeof val === 'string') {
      seen.add(key);
      tags.push({ Key: key, Value: val });
    }
  });
  return tags;
}
