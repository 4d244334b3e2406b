/**
 * Parsers for typed condition values: decimals (exact, no float rounding), dates (ISO 8601 or epoch
 * seconds), booleans and base64. Each returns null for text that is not a value of its type.
 */

/** An exact decimal: (-1)^neg * digits * 10^exp, digits without leading/trailing zeros ('' is zero). */
export interface Decimal {
  readonly neg: boolean;
  readonly digits: string;
  readonly exp: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,9}))?$/;

/** Parse an integer or decimal (optionally with exponent), e.g. `42`, `-0.5`, `1e3`. */
export function parseDecimal(text: string): Decimal | null {
  const m = DECIMAL.exec(text);
  if (m === null) return null;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  let digits = (int + frac).replace(/^0+/, '');
  let exp = Number(m[4] ?? '0') - frac.length;
  const trimmed = digits.replace(/0+$/, '');
  exp += digits.length - trimmed.length;
  digits = trimmed;
  if (digits === '') return { neg: false, digits: '', exp: 0 };
  return { neg: m[1] === '-', digits, exp };
}

function compareMagnitude(a: Decimal, b: Decimal): number {
  if (a.digits === '' || b.digits === '') return (a.digits === '' ? 0 : 1) - (b.digits === '' ? 0 : 1);
  const ma = a.digits.length + a.exp;
  const mb = b.digits.length + b.exp;
  if (ma !== mb) return ma < mb ? -1 : 1;
  const width = Math.max(a.digits.length, b.digits.length);
  const da = a.digits.padEnd(width, '0');
  const db = b.digits.padEnd(width, '0');
  return da === db ? 0 : da < db ? -1 : 1;
}

/** -1, 0 or 1. */
export function compareDecimal(a: Decimal, b: Decimal): number {
  const sa = a.digits === '' ? 0 : a.neg ? -1 : 1;
  const sb = b.digits === '' ? 0 : b.neg ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  const c = compareMagnitude(a, b);
  return sa < 0 ? -c : c;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const EPOCH = /^-?\d{1,15}(?:\.\d{1,9})?$/;

/**
 * Parse a W3C ISO 8601 date (`2024-01-31`, `2024-01-31T12:00:00Z`, `...T12:00:00.5+02:00`; no zone = UTC)
 * or epoch seconds (`1706702400`) to epoch milliseconds.
 */
export function parseDate(text: string): number | null {
  if (EPOCH.test(text)) return Math.floor(Number(text) * 1000);
  const m = ISO_DATE.exec(text);
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((v) => Number(v ?? '0')) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  let offset = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(-2));
    if (zh > 23 || zm > 59) return null;
    offset = (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm) * 60_000;
  }
  return date.getTime() - offset;
}

/** 'true' / 'false' in any case. */
export function parseBool(text: string): boolean | null {
  const t = text.toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : null;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (padded) to bytes. */
export function parseBase64(text: string): Uint8Array | null {
  return BASE64.test(text) ? new Uint8Array(Buffer.from(text, 'base64')) : null;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Case-folded form for the IgnoreCase operators (upper then lower, so that e.g. `ß` and `SS` agree). */
export function foldCase(text: string): string {
  return text.toUpperCase().toLowerCase();
}
