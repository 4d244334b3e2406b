#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner.
// Node 20's `node --test` takes no globs, and its default discovery would also pick up helper modules.
// Extra arguments filter by substring: `npm test -- policy` runs only files whose path contains "policy".
//
// Node's runner starts one process per file, and most files spend more time loading the compiled modules than
// testing them. So the files that test code in-process share a few processes, while the folders that drive real
// clients, browsers and processes, and any file whose header says "Runs in its own process", keep a process each.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
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

// Files that drive real clients, browsers and processes take seconds each, and one process per file.
const OWN_FOLDERS = ['ui/', 'integration/', 'process/', 'faults/'];
const folderRank = (f) => OWN_FOLDERS.findIndex((d) => relative(dir, f).startsWith(d));
const ownProcess = (f) => folderRank(f) !== -1 || /^\s*\* Runs in its own process\b/m.test(readFileSync(f, 'utf8').slice(0, 4000));
const own = [];
const shared = [];
for (const f of selected) (ownProcess(f) ? own : shared).push(f);

/** A whole number from the environment, or its default; anything else stops the run with a message. */
function count(name, fallback, min) {
  const text = process.env[name] ?? String(fallback);
  if (!/^\d+$/.test(text) || Number(text) < min) {
    console.error(`${name} must be a whole number from ${min}, got '${text}'`);
    process.exit(2);
  }
  return Number(text);
}
const concurrency = count('TEST_CONCURRENCY', 3, 1);

// Shared processes: as many as run at once, filled largest file first into the lightest one (file size stands in
// for time). TEST_SHARED_PROCESSES overrides the count; 0 gives every file its own process.
const groupCount = Math.min(shared.length, count('TEST_SHARED_PROCESSES', concurrency, 0));
const bins = Array.from({ length: groupCount }, () => ({ size: 0, files: [] }));
const sized = groupCount === 0 ? [] : shared.map((f) => ({ f, size: statSync(f).size })).sort((a, b) => b.size - a.size);
for (const { f, size } of sized) {
  const bin = bins.reduce((a, b) => (b.size < a.size ? b : a));
  bin.files.push(f);
  bin.size += size;
}

// What each process runs, and in which order: the longest first, by how long each took the last time (written to
// dist/test-times.json after each run; before the first, scripts/test-times.json, the times of a whole run kept with
// the project); one not seen before starts early, the browser and the shared processes first. Node's runner starts the
// files it is given in the order of their names, so each process gets a file in dist/test-run/, named by that order,
// that imports its test files and notes how long the process took.
const timesFile = join(root, 'dist', 'test-times.json');
let times = {};
for (const file of [timesFile, join(root, 'scripts', 'test-times.json')]) {
  try {
    times = JSON.parse(readFileSync(file, 'utf8'));
    break;
  } catch {
    // not written yet (a build from clean), or no such file
  }
}
const NEW = Number.MAX_SAFE_INTEGER;
const entries = [
  ...own.filter((f) => folderRank(f) === 0).map((f) => ({ key: relative(dir, f), files: [f] })),
  ...(groupCount === 0
    ? shared.map((f) => ({ key: relative(dir, f), files: [f] }))
    : bins.sort((a, b) => b.size - a.size).map((b, i) => ({ key: `shared-${i + 1}`, files: b.files.sort() }))),
  ...own
    .filter((f) => folderRank(f) !== 0)
    .sort((a, b) => (folderRank(a) === -1) - (folderRank(b) === -1) || folderRank(a) - folderRank(b) || (a < b ? -1 : 1))
    .map((f) => ({ key: relative(dir, f), files: [f] })),
].sort((a, b) => (times[b.key] ?? NEW) - (times[a.key] ?? NEW));
const runDir = join(root, 'dist', 'test-run');
const timesLog = join(runDir, 'times.jsonl');
rmSync(runDir, { recursive: true, force: true });
mkdirSync(runDir, { recursive: true });
const width = String(entries.length).length;
const ordered = entries.map(({ key, files: imports }, i) => {
  const file = join(runDir, `${String(i).padStart(width, '0')}-${key.replace(/\.test\.js$/, '').replace(/[/\\]/g, '-')}.test.js`);
  writeFileSync(
    file,
    [
      `// Written by scripts/run-tests.js: the test files this process runs.`,
      `import { appendFileSync } from 'node:fs';`,
      `const started = Date.now();`,
      `process.once('exit', () => appendFileSync(${JSON.stringify(timesLog)}, JSON.stringify({ key: ${JSON.stringify(key)}, ms: Date.now() - started }) + '\\n'));`,
      ...imports.map((f) => `await import(${JSON.stringify(`../${relative(join(root, 'dist'), f).split(sep).join('/')}`)});`),
      '',
    ].join('\n'),
  );
  return file;
});

// Three files at a time on two cores: several files spend part of their time waiting on a child process or a
// browser, and a third file uses that time. TEST_CONCURRENCY overrides it.
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...ordered], {
  stdio: 'inherit',
  cwd: root,
});
// Only a whole run's times: a filtered run's shared processes hold other files.
if (filters.length === 0) {
  try {
    for (const line of readFileSync(timesLog, 'utf8').split('\n').filter(Boolean)) {
      const { key, ms } = JSON.parse(line);
      times[key] = ms;
    }
    writeFileSync(timesFile, `${JSON.stringify(times, null, 1)}\n`);
  } catch {
    // no process got as far as noting its time
  }
}
process.exit(r.status ?? 1);
