// What `npm run build` reads from the project, one line per file (path, size, modification time): the TypeScript files
// of the sources, the tests and the demo page's scripts (all tsc reads from those folders; fixtures are not inputs),
// the tsconfigs, package.json and its lock (the installed types), and the build scripts. scripts/build.js skips a
// build whose inputs are what the last one saw (dist/build-inputs.txt).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const FOLDERS = ['src', 'test', join('ui', 'src')];
const FILES = [
  'tsconfig.json',
  join('ui', 'tsconfig.json'),
  'package.json',
  'package-lock.json',
  join('scripts', 'build.js'),
  join('scripts', 'build-inputs.js'),
  join('scripts', 'bundle-cli.js'),
];

/** @param {string} root the project root @returns {string} */
export function buildInputs(root) {
  const paths = [];
  for (const folder of FOLDERS) {
    if (!existsSync(join(root, folder))) continue;
    for (const e of readdirSync(join(root, folder), { withFileTypes: true, recursive: true }))
      if (e.isFile() && e.name.endsWith('.ts')) paths.push(join(e.parentPath ?? e.path, e.name));
  }
  for (const f of FILES) if (existsSync(join(root, f))) paths.push(join(root, f));
  return paths
    .map((p) => {
      const s = statSync(p);
      return `${relative(root, p)} ${s.size} ${s.mtimeMs}`;
    })
    .sort()
    .join('\n');
}
