#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from node --cpu-prof): top functions by self time, and by total time
// (self + callees, each function counted once per sample). Usage: node bench/cpuprofile-top.js <file.cpuprofile> [n]
import { readFileSync } from 'node:fs';

const [file, nText = '30'] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node bench/cpuprofile-top.js <file.cpuprofile> [n]\n');
  process.exit(2);
}
const n = Number(nText);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of prof.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const label = (node) => {
  const f = node.callFrame;
  const url = f.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|dist)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${url}${url ? `:${f.lineNumber + 1}` : ''}`;
};
const self = new Map();
const total = new Map();
const counts = new Map();
for (const id of prof.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
let all = 0;
for (const [id, c] of counts) {
  all += c;
  const node = byId.get(id);
  self.set(label(node), (self.get(label(node)) ?? 0) + c);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur));
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + c);
  }
}
const show = (title, m) => {
  process.stdout.write(`\n${title} (of ${all} samples)\n`);
  for (const [l, c] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n))
    process.stdout.write(`${((100 * c) / all).toFixed(1).padStart(6)}%  ${l}\n`);
};
show('self time', self);
show('total time', total);
