/** README as the tests that run its sections read it: a `## ` section by its heading line, and a fenced block in it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './harness.js';

export const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** The section whose heading line is `heading` (e.g. `## Infisical`), to the next `## `. */
export function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has no section ${heading}`);
  const end = README.indexOf('\n## ', start + heading.length + 1);
  return README.slice(start, end === -1 ? undefined : end);
}

/** The first fenced block of `lang` in `text`. */
export function block(text: string, lang: string): string {
  const code = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(text)?.[1];
  assert.ok(code !== undefined, `the section has a \`\`\`${lang} block`);
  return code;
}
