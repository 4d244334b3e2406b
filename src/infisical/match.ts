/**
 * Infisical's matcher for a bound value against one claim value (shared/reference/infisical-vault.md §1.4;
 * Infisical/infisical `identity-oidc-auth-fns.ts` @6465583f): exact equality first, else picomatch with no options,
 * the major Infisical pins (^3): `*` and `?` stop at `/`, `**` spans whole segments, `!`, `[]`, `{}` and extglobs are
 * live. A boolean claim equals `pattern === "true"`; a number claim equals `parseInt(pattern, 10)`; an array matches
 * when any element does. Where Infisical's code throws (picomatch given a value that is not a string), the outcome says
 * so: Infisical answers that login with its 500. The only importer of picomatch; loaded on first use.
 */
import { createRequire } from 'node:module';

type Picomatch = typeof import('picomatch');
let loaded: Picomatch | undefined;
/**
 * picomatch, required on first use: in the CLI's bundle a static import would either load it with every `serve` (left
 * external) or fail on its first use (bundled, its CommonJS `require('os')` cannot run in an ES module bundle).
 */
function picomatch(): Picomatch {
  return (loaded ??= createRequire(import.meta.url)('picomatch') as Picomatch);
}

/** Which rule decided a comparison: the words explain and the trace show. */
export const MATCH_RULES = {
  equal: 'exact equality',
  glob: 'picomatch (no options: * and ? stop at /)',
  boolean: 'boolean claim: equal to (pattern === "true")',
  number: 'number claim: equal to parseInt(pattern, 10)',
  throws: "Infisical's matcher throws (picomatch: Expected input to be a string)",
} as const;

export type MatchRule = keyof typeof MATCH_RULES;

export interface MatchOutcome {
  readonly matched: boolean;
  readonly rule: MatchRule;
  /** For an array claim: the element that matched (or, when none did, undefined). */
  readonly element?: string;
}

/**
 * `doesFieldValueMatchOidcPolicy` (subject and bound claims) or, with `audience`, `doesAudValueMatchOidcPolicy`
 * (which has no boolean or number branch). Never throws: an input Infisical's matcher throws on gives rule `throws`.
 */
export function matchValue(value: unknown, pattern: string, audience = false): MatchOutcome {
  if (!audience && typeof value === 'boolean') return { matched: value === (pattern === 'true'), rule: 'boolean' };
  if (!audience && typeof value === 'number') return { matched: value === parseInt(pattern, 10), rule: 'number' };
  if (Array.isArray(value)) {
    for (const entry of value as unknown[]) {
      if (entry === pattern) return { matched: true, rule: 'equal', element: pattern };
      const one = stringMatch(entry, pattern);
      if (one.rule === 'throws') return one;
      if (one.matched) return { matched: true, rule: 'glob', element: entry as string };
    }
    return { matched: false, rule: 'glob' };
  }
  if (value === pattern) return { matched: true, rule: 'equal' };
  return stringMatch(value, pattern);
}

function stringMatch(value: unknown, pattern: string): MatchOutcome {
  if (typeof value !== 'string' || pattern === '') return { matched: false, rule: 'throws' };
  return { matched: picomatch().isMatch(value, pattern), rule: 'glob' };
}

/** Whether picomatch alone (no equality shortcut) matches: for lint's examples. */
export function globMatches(value: string, pattern: string): boolean {
  return pattern !== '' && picomatch().isMatch(value, pattern);
}
