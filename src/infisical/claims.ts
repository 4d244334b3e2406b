/**
 * Infisical's claim lookup (`getValueByDot`, shared/reference/infisical-vault.md §1.4): the key is split on `.` and
 * walked through nested objects by own properties only; the leaf counts only if it is a string, number, boolean or an
 * array of strings. A key containing a dot is therefore a path, so CircleCI's `oidc.circleci.com/project-id` is looked
 * up as `oidc` → `circleci` → `com/project-id` and never found. Then Infisical's `!value` makes `false`, `0` and `""`
 * missing too.
 */

/** The value Infisical sees for `key`, or undefined. */
export function valueByDot(
  claims: Readonly<Record<string, unknown>>,
  key: string,
): string | number | boolean | readonly string[] | undefined {
  let current: unknown = claims;
  for (const part of key.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  if (typeof current === 'string' || typeof current === 'number' || typeof current === 'boolean') return current;
  if (Array.isArray(current) && current.every((e) => typeof e === 'string')) return current as string[];
  return undefined;
}

/** Infisical's `if (!value)`: missing, false, 0, NaN and "" are all "token has no <key> field". */
export function missing(value: unknown): boolean {
  return !value;
}

/** The comma list of boundAudiences and each boundClaims value: split on ',', each part trimmed (saved joined with ", "). */
export function commaList(stored: string): string[] {
  return stored.split(',').map((s) => s.trim());
}
