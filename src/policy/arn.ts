/**
 * ArnEquals / ArnLike: both sides are split on ':' into the six ARN components
 * (arn:partition:service:region:account:resource; the resource keeps any further ':'), and each
 * component is matched separately with IAM wildcards, so a `*` never crosses a component ':'.
 * A request ARN with fewer than six components matches nothing. A policy value as written must begin with
 * `arn:` (IAM refuses the policy otherwise, so the loader does); one with `arn:` but fewer than six components is
 * loaded and matches nothing, and lint reports it (README "Behaviour choices").
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

/** The ARN form, as messages name it. */
export const ARN_FORM = 'arn:partition:service:region:account:resource';

/**
 * What is wrong with a static policy value of an ARN operator: `notArn` (no `arn:` prefix: IAM refuses the
 * policy), `parts` (fewer than six components: it matches nothing), or undefined for a six-part ARN.
 */
export function arnValueProblem(
  text: string,
): { readonly kind: 'notArn' } | { readonly kind: 'parts'; readonly parts: number } | undefined {
  if (!text.startsWith('arn:')) return { kind: 'notArn' };
  const parts = Math.min(6, text.split(':').length);
  return parts === 6 ? undefined : { kind: 'parts', parts };
}
