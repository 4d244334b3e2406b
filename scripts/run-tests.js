#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner.
// Node 20's `node --test` takes no globs, and its default discovery would also pick up helper modules.
// Extra arguments filter by substring: `npm test -- policy` runs only files whose path contains "policy".
import { readdirSync } from 'node:fs';
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
// Files that drive real clients, browsers and processes take seconds each; they start first so that the last
// seconds are not one of them running alone.
const SLOW_FIRST = ['integration/', 'ui/', 'cli/', 'process/', 'faults/'];
const rank = (f) => {
  const i = SLOW_FIRST.findIndex((d) => relative(dir, f).startsWith(d));
  return i === -1 ? SLOW_FIRST.length : i;
};
const selected = files
  .filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)))
  .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
if (selected.length === 0) {
  console.error('no test files selected');
  process.exit(1);
}
const reporter = 'spec';
// Three files at a time on two cores: several files spend part of their time waiting on a child process or a
// browser, and a third file uses that time. TEST_CONCURRENCY overrides it.
const concurrency = process.env['TEST_CONCURRENCY'] ?? '3';
const r = spawnSync(process.execPath, ['--test', `--test-reporter=${reporter}`, `--test-concurrency=${concurrency}`, ...selected], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
