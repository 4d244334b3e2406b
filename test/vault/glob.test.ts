/**
 * Vault's glob (bound_claims_type glob): the go-glob column of shared/reference/infisical-vault.md §3.2, every row, and
 * the reference's key counterexamples; then a differential check of src/vault/glob.ts (the linear-time wildcard
 * matcher of policy/) against a line-for-line port of ryanuber/go-glob v1.0.0 glob.go (read at 51a8f68), which
 * stays here as the reference implementation; and hostile patterns that would make a backtracking matcher blow up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { goGlob } from '../../src/vault/index.js';

/** ryanuber/go-glob glob.go, ported line for line (strings.Index, strings.HasPrefix, strings.HasSuffix). */
function goGlobReference(pattern: string, subj: string): boolean {
  if (pattern === '') return subj === pattern;
  if (pattern === '*') return true;
  const parts = pattern.split('*');
  if (parts.length === 1) return subj === pattern;
  const leadingGlob = pattern.startsWith('*');
  const trailingGlob = pattern.endsWith('*');
  const end = parts.length - 1;
  for (let i = 0; i < end; i++) {
    const idx = subj.indexOf(parts[i] as string);
    if (i === 0) {
      if (!leadingGlob && idx !== 0) return false;
    } else if (idx < 0) return false;
    subj = subj.slice(idx + (parts[i] as string).length);
  }
  return trailingGlob || subj.endsWith(parts[end] as string);
}

/** §3.2, the go-glob column (T = match), every row. */
const REFERENCE_TABLE: readonly [pattern: string, subject: string, vault: boolean][] = [
  ['org/*/project/*', 'org/O/project/P/user/U', true],
  ['refs/heads/*', 'refs/heads/feature/x', true],
  ['org/O**', 'org/O/project/P', true],
  ['*', 'a/b', true],
  ['*', '', true],
  ['*', '.hidden', true],
  ['a/*', 'a/', true],
  ['a/*/b', 'a//b', true],
  ['a/**/b', 'a/b', false],
  ['ref?', 'refs', false],
  ['[abc]', 'a', false],
  ['{main,dev}', 'main', false],
  ['@(main|dev)', 'main', false],
  ['!evil', 'anything', false],
  ['a\\*b', 'a*b', false],
  ['#x', '#x', true],
  ['[!a]', 'b', false],
  ['!(evil)', 'evil', false],
  ['*(a)', '', false],
  ['?(x)', '', false],
  ['./a', 'a', false],
  ['a//b', 'a/b', false],
  ['a/../b', 'b', false],
  ['a\\b', 'a\\b', true],
  ['a[/]b', 'a/b', false],
];

/** §2.3 and the key facts: the go-glob rules one by one. */
const RULES: readonly [name: string, pattern: string, subject: string, vault: boolean][] = [
  ['empty pattern matches only the empty value', '', '', true],
  ['empty pattern does not match a value', '', 'x', false],
  ['no star: equality', 'refs/heads/main', 'refs/heads/main', true],
  ['no star: a longer value is not equal', 'refs/heads/main', 'refs/heads/main2', false],
  ['anchored at the start', 'heads/*', 'refs/heads/main', false],
  ['anchored at the end', '*/main', 'refs/heads/main-x', false],
  ['star matches empty in the middle', 'a*b', 'ab', true],
  ['star crosses several slashes', 'org/*/vcs-ref/refs/heads/main', 'org/O/project/P/user/U/vcs-ref/refs/heads/main', true],
  ['parts in order', 'a*b*c', 'acb', false],
  ['prefix and suffix may not overlap', 'ab*ba', 'aba', false],
  ['? is a literal question mark', 'a?c', 'a?c', true],
  ['[ ] are literal', '[abc]', '[abc]', true],
  ['{ } are literal', '{main,dev}', '{main,dev}', true],
  ['! is literal (no negation)', '!evil', '!evil', true],
  ['backslash does not escape the star', 'a\\*', 'a\\anything', true],
  ['case-sensitive', 'Refs/*', 'refs/heads/main', false],
  [
    'CircleCI V2 sub, main branch of any project of the org',
    'org/O/project/*/vcs-ref/refs/heads/main',
    'org/O/project/P/user/U/vcs-origin/github.com/o/r/vcs-ref/refs/heads/main',
    true,
  ],
  [
    'a branch named like main spans with *',
    'org/O/project/P/user/*/vcs-ref/refs/heads/main',
    'org/O/project/P/user/U/vcs-origin/x/vcs-ref/refs/heads/main/vcs-ref/refs/heads/main',
    true,
  ],
];

for (const [pattern, subject, expected] of REFERENCE_TABLE) {
  test(`§3.2 go-glob: ${JSON.stringify(pattern)} vs ${JSON.stringify(subject)} is ${expected ? 'T' : 'F'}`, () => {
    assert.equal(goGlob(pattern, subject), expected);
    assert.equal(goGlobReference(pattern, subject), expected, 'the port of go-glob agrees with the reference table');
  });
}

for (const [name, pattern, subject, expected] of RULES) {
  test(`go-glob: ${name}`, () => {
    assert.equal(goGlob(pattern, subject), expected);
    assert.equal(goGlobReference(pattern, subject), expected);
  });
}

test('goGlob equals the go-glob port on generated patterns and values (small alphabet with every metacharacter)', () => {
  const alphabet = fc.constantFrom('a', 'b', '/', '*', '?', '[', ']', '{', '}', '!', '\\', '.');
  const text = fc.array(alphabet, { maxLength: 12 }).map((a) => a.join(''));
  fc.assert(
    fc.property(text, text, (pattern, value) => goGlob(pattern, value) === goGlobReference(pattern, value)),
    { numRuns: 3000 },
  );
});

test('hostile patterns stay linear: many stars against a long near-miss value', () => {
  const pattern = `${'*a'.repeat(2000)}*b`;
  const value = 'a'.repeat(200_000);
  const started = process.hrtime.bigint();
  assert.equal(goGlob(pattern, value), false);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(ms < 2000, `took ${ms} ms`);
});
