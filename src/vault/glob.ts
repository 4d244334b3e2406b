/**
 * Vault's glob for `bound_claims_type: glob` (ryanuber/go-glob v1.0.0, which vault-plugin-auth-jwt calls as
 * `glob.Glob(pattern, value)`): `*` is the only metacharacter; it matches any run of characters, `/` and the empty
 * run included; the match is anchored at both ends; `?`, `[`, `]`, `{`, `}`, `!` and `\` are themselves, and nothing
 * escapes a `*`. An empty pattern matches only the empty value.
 *
 * The same `*`-only model as IAM's StringLike, so the one linear-time wildcard matcher of policy/ decides, with `?`
 * read as a literal (test/vault/glob.test.ts checks it against a line-for-line port of go-glob).
 */
import { compileWildcard, matchWildcard, STAR, type CompiledWildcard, type PatternUnit } from '../policy/index.js';

const KEEP = 256;
const compiled = new Map<string, CompiledWildcard>();

/** The pattern's units: `*` is the wildcard, every other code point is itself. */
function goGlobUnits(pattern: string): PatternUnit[] {
  const out: PatternUnit[] = [];
  for (const ch of pattern) out.push(ch === '*' ? STAR : (ch.codePointAt(0) as number));
  return out;
}

/** Does `value` match the go-glob `pattern`? Linear in the lengths of both; never builds a RegExp. */
export function goGlob(pattern: string, value: string): boolean {
  let c = compiled.get(pattern);
  if (c === undefined) {
    if (compiled.size >= KEEP) compiled.clear();
    c = compileWildcard(goGlobUnits(pattern));
    compiled.set(pattern, c);
  }
  return matchWildcard(c, value);
}

/** Characters other glob dialects treat as special that go-glob takes literally (for lint and explain). */
export const LITERAL_IN_GO_GLOB: readonly string[] = ['?', '[', ']', '{', '}', '!', '\\'];
