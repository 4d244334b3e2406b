import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepHeapSmall, workerExecArgv, YOUNG_GENERATION_BYTES, type HeapControls } from '../../src/cli/heap.js';

const MB = 1024 * 1024;
const HEAP_GROWING = '--heap-growing-percent=100';
const GROW = '--semi-space-growth-factor=2';
const STOP = '--semi-space-growth-factor=1';

/** A heap whose young generation is `sizes[i]` after the i-th collection, and the flags keepHeapSmall set on it. */
function fakeHeap(options: { execArgv?: string[]; nodeOptions?: string; sizes: number[] }) {
  const flags: string[] = [];
  let collections = 0;
  let after: (() => void) | undefined;
  const heap: HeapControls = {
    execArgv: options.execArgv ?? [],
    nodeOptions: options.nodeOptions ?? '',
    setFlags: (f) => void flags.push(f),
    youngBytes: () => options.sizes[Math.min(collections, options.sizes.length - 1)] ?? 0,
    afterEachCollection: (f) => void (after = f),
  };
  return {
    heap,
    flags,
    watching: () => after !== undefined,
    collect: () => {
      collections++;
      after?.();
    },
  };
}

test('the young generation grows to its size and stops there; after an idle spell shrank it, it grows back', () => {
  const sizes = [2 * MB, 4 * MB, YOUNG_GENERATION_BYTES, YOUNG_GENERATION_BYTES, MB, 2 * MB, YOUNG_GENERATION_BYTES];
  const h = fakeHeap({ sizes });
  keepHeapSmall(h.heap);
  assert.deepEqual(h.flags, [HEAP_GROWING, GROW]);
  const after = [[], [STOP], [], [GROW], [], [STOP]]; // the flags each later collection adds
  for (const [i, added] of after.entries()) {
    const before = h.flags.length;
    h.collect();
    assert.deepEqual(h.flags.slice(before), added, `collection ${i + 1}: young generation ${sizes[i + 1]! / MB} MB`);
  }
});

test('a young generation already at its size stops growing at once', () => {
  const h = fakeHeap({ sizes: [YOUNG_GENERATION_BYTES] });
  keepHeapSmall(h.heap);
  assert.deepEqual(h.flags, [HEAP_GROWING, STOP]);
  h.collect();
  assert.deepEqual(h.flags, [HEAP_GROWING, STOP], 'a flag is set only when it changes');
});

const given: readonly { name: string; execArgv?: string[]; nodeOptions?: string; flags: string[]; watching: boolean }[] = [
  { name: 'a semi-space flag on the command line', execArgv: ['--max-semi-space-size=16'], flags: [HEAP_GROWING], watching: false },
  {
    name: 'a semi-space flag in NODE_OPTIONS, underscores',
    nodeOptions: '--max_semi_space_size=2',
    flags: [HEAP_GROWING],
    watching: false,
  },
  { name: 'a heap-growing flag', execArgv: ['--heap-growing-percent=50'], flags: [GROW], watching: true },
  { name: 'both', nodeOptions: '--semi-space-growth-factor=3 --heap-growing-percent=50', flags: [], watching: false },
];
for (const c of given) {
  test(`flags the user gave node are left alone: ${c.name}`, () => {
    const h = fakeHeap({
      sizes: [MB, YOUNG_GENERATION_BYTES],
      ...(c.execArgv ? { execArgv: c.execArgv } : {}),
      ...(c.nodeOptions ? { nodeOptions: c.nodeOptions } : {}),
    });
    keepHeapSmall(h.heap);
    assert.equal(h.watching(), c.watching);
    h.collect();
    assert.deepEqual(h.flags, c.watching ? [...c.flags, STOP] : c.flags);
  });
}

const workerFlags: readonly { name: string; execArgv: string[]; nodeOptions?: string; expect: string[] }[] = [
  {
    name: 'nothing given: node flags kept, single-threaded GC added',
    execArgv: ['--enable-source-maps'],
    expect: ['--enable-source-maps', '--single-threaded-gc'],
  },
  { name: 'single-threaded GC already given', execArgv: ['--single-threaded-gc'], expect: ['--single-threaded-gc'] },
  { name: 'a GC threading flag on the command line', execArgv: ['--no-parallel-scavenge'], expect: ['--no-parallel-scavenge'] },
  { name: 'a GC threading flag in NODE_OPTIONS, underscores', execArgv: [], nodeOptions: '--no_concurrent_marking', expect: [] },
];
for (const c of workerFlags) {
  test(`serve --workers: the workers' node flags: ${c.name}`, () => {
    assert.deepEqual(workerExecArgv(c.execArgv, c.nodeOptions ?? ''), c.expect);
  });
}
