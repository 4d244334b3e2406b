#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner.
// Node 20's `node --test` takes no globs, and its default discovery would also pick up helper modules.
// Extra arguments filter by substring: `npm test -- policy` runs only files whose path contains "policy".
//
// Node's runner starts one process per file, and most files spend more time loading the compiled modules than
// testing them. So the files that test code in-process share a few processes (dist/test-groups/shared-N.test.js,
// each importing its share of the files), while the folders that drive real clients, browsers and processes, and any
// file whose header says "Runs in its own process", keep a process each.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const dir = join(root, 'dist', 'test');
const files = [];
(function walk(d) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.js')) files.push(p);
  }
})(dir);
const filters = process.argv.slice(2);
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x))).sort();
if (selected.length === 0) {
  console.error('no test files selected');
  process.exit(1);
}

// Files that drive real clients, browsers and processes take seconds each; they start first so that the last
// seconds are not one of them running alone.
const OWN_FOLDERS = ['integration/', 'ui/', 'process/', 'faults/'];
const folderRank = (f) => OWN_FOLDERS.findIndex((d) => relative(dir, f).startsWith(d));
const ownProcess = (f) => folderRank(f) !== -1 || /^\s*\* Runs in its own process\b/m.test(readFileSync(f, 'utf8').slice(0, 4000));
const own = selected.filter(ownProcess).sort((a, b) => folderRank(a) - folderRank(b) || (a < b ? -1 : 1));
const shared = selected.filter((f) => !own.includes(f));

// Shared processes: as many as run at once, filled largest file first into the lightest one (file size stands in
// for time). TEST_SHARED_PROCESSES overrides the count; 0 gives every file its own process.
const concurrency = Number(process.env['TEST_CONCURRENCY'] ?? '3');
const groupCount = Math.min(shared.length, Number(process.env['TEST_SHARED_PROCESSES'] ?? String(concurrency)));
const groupsDir = join(root, 'dist', 'test-groups');
rmSync(groupsDir, { recursive: true, force: true });
const groups = [];
if (groupCount > 0) {
  const bins = Array.from({ length: groupCount }, () => ({ size: 0, files: [] }));
  for (const f of [...shared].sort((a, b) => statSync(b).size - statSync(a).size)) {
    const bin = bins.reduce((a, b) => (b.size < a.size ? b : a));
    bin.files.push(f);
    bin.size += statSync(f).size;
  }
  mkdirSync(groupsDir, { recursive: true });
  bins.forEach((bin, i) => {
    const file = join(groupsDir, `shared-${i + 1}.test.js`);
    const imports = bin.files.sort().map((f) => `await import(${JSON.stringify(`../${relative(join(root, 'dist'), f)}`)});`);
    writeFileSync(file, [`// Written by scripts/run-tests.js: these test files share one process.`, ...imports, ''].join('\n'));
    groups.push(file);
  });
}
const ordered = groupCount > 0 ? [...groups, ...own] : [...own, ...shared];

// Three files at a time on two cores: several files spend part of their time waiting on a child process or a
// browser, and a third file uses that time. TEST_CONCURRENCY overrides it.
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...ordered], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
