#!/usr/bin/env node
// Fails (exit 1, one line per breach: `file:line: rule: specifier`) when an import in src/**/*.ts crosses a wall:
//   leaf            a file in src/policy/ or src/protocol/ imports from outside its own folder (`import type` too)
//   jose            jose (or jose/...) imported outside src/identity/
//   express         express (or express/...) imported outside src/server/
//   cli-entry       a file in src/cli/ imports another src folder other than through its src/<folder>/index.ts
//   iam             a file in src/iam/ imports from server/, api/, cli/ or lint/ (the IAM API sits beside the
//                   operations, under the package API that composes it), or a folder other than api/ imports iam/
// Reads static `import`/`export ... from`, `import '...'` and `import('...')` with a string literal.
// Usage: node scripts/check-walls.js [root]   (root holds src/; default: this repository). `breaches(root)` is the same
// check for a test to call in-process.
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const LEAVES = new Set(['policy', 'protocol']);
const PACKAGE_HOMES = { jose: 'identity', express: 'server' };
/** What src/iam/ may import, and who may import it. */
const IAM_IMPORTS = new Set(['iam', 'protocol', 'policy', 'config', 'identity', 'sts']);
const IAM_IMPORTERS = new Set(['iam', 'api']);
const IMPORTS =
  /(?:^|[;}])\s*(?:import|export)\b[^'"`;]*?\bfrom\s*(['"])(.*?)\1|(?:^|[;}])\s*import\s*(['"])(.*?)\3|\bimport\s*\(\s*(['"])(.*?)\5\s*\)/gm;

/** The text with comments blanked (newlines kept) and a mask of the positions inside string or template literals. */
function scan(text) {
  const out = text.split('');
  const quoted = new Uint8Array(text.length);
  let prev = ''; // last significant character, to tell a regex literal from a division
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') out[i++] = ' ';
      i--;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) if (text[i] !== '\n') out[i] = ' ';
      i--;
    } else if (c === '"' || c === "'" || c === '`' || (c === '/' && (prev === '' || '(,=:[!&|?{};+-*%<>~^'.includes(prev)))) {
      let inClass = false;
      for (i++; i < text.length && (text[i] !== c || inClass); i++) {
        quoted[i] = 1;
        if (text[i] === '\\') quoted[++i] = 1;
        else if (c === '/' && (text[i] === '[' || text[i] === ']')) inClass = text[i] === '[';
      }
      prev = c;
    } else if (!/\s/.test(c)) prev = c;
  }
  return { code: out.join(''), quoted };
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The breach an import makes, if any. `folder` is the importing file's top folder under src/. */
function breach(src, file, folder, specifier) {
  const pkg = specifier.split('/')[0];
  if (Object.hasOwn(PACKAGE_HOMES, pkg) && folder !== PACKAGE_HOMES[pkg]) return pkg;
  if (!specifier.startsWith('.')) return undefined;
  const target = relative(src, resolve(dirname(file), specifier)).split(sep);
  if (LEAVES.has(folder) && target[0] !== folder) return 'leaf';
  if (folder === 'iam' && target.length > 1 && !IAM_IMPORTS.has(target[0])) return 'iam';
  if (target[0] === 'iam' && target.length > 1 && !IAM_IMPORTERS.has(folder)) return 'iam';
  const entry = target.length === 2 && /^index\.[jt]s$/.test(target[1]);
  if (folder === 'cli' && target[0] !== 'cli' && target[0] !== '..' && target.length > 1 && !entry) return 'cli-entry';
  return undefined;
}

/** One line per breach in root/src/**\/*.ts, `file:line: rule: specifier`, in file order. */
export function breaches(root) {
  const src = join(root, 'src');
  const lines = [];
  for (const file of walk(src).sort()) {
    const folder = relative(src, file).split(sep)[0];
    const text = readFileSync(file, 'utf8');
    const { code, quoted } = scan(text);
    for (const m of code.matchAll(IMPORTS)) {
      const at = m.index + m[0].search(/import|export/);
      if (quoted[at]) continue;
      const specifier = m[2] ?? m[4] ?? m[6];
      const rule = breach(src, file, folder, specifier);
      if (rule !== undefined) lines.push(`${relative(root, file)}:${text.slice(0, at).split('\n').length}: ${rule}: ${specifier}`);
    }
  }
  return lines;
}

// Run as a script (node resolves its own path through symlinks, so argv[1] is compared the same way).
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const lines = breaches(resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..')));
  if (lines.length > 0) {
    console.log(lines.join('\n'));
    process.exitCode = 1;
  }
}
