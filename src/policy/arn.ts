/**
 * ArnEquals / ArnLike: both sides are split on ':' into the six ARN components
 * (arn:partition:service:region:account:resource; the resource keeps any further ':'), and each
 * component is matched separately with IAM wildcards, so a `*` never crosses a component ':'.
 * A side with fewer than six components is malformed and matches nothing.
 */
import { compileWildcard, matchWildcard, type CompiledWildcard, type PatternUnit } from './wildcard.js';

const COLON = 0x3a;

/** Split units (pattern or subject) at the first five ':'; null when there are fewer than six parts. */
export function splitArnUnits<T extends number>(units: readonly T[]): T[][] | null {
  const parts: T[][] = [[]];
  for (const u of units) {
    if (u === COLON && parts.length < 6) parts.push([]);
    else (parts[parts.length - 1] as T[]).push(u);
  }
  return parts.length === 6 ? parts : null;
}

/** An ARN pattern compiled component-wise; null when the pattern is not a six-part ARN. */
export function compileArnPattern(units: readonly PatternUnit[]): readonly CompiledWildcard[] | null {
  const parts = splitArnUnits(units);
  return parts === null ? null : parts.map(compileWildcard);
}

/** Does the request ARN (code points) match the component-wise pattern? */
export function matchArn(pattern: readonly CompiledWildcard[] | null, subject: readonly number[]): boolean {
  if (pattern === null) return false;
  const parts = splitArnUnits(subject);
  if (parts === null) return false;
  return pattern.every((p, i) => matchWildcard(p, parts[i] as number[]));
}
