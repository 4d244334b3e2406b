import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepHeapSmall, YOUNG_GENERATION_BYTES, type HeapControls } from '../../src/cli/heap.js';

const MB = 1024 * 1024;

/** A heap whose young generation is `sizes[i]` after the i-th collection, and what keepHeapSmall did to it. */
function fakeHeap(options: { execArgv?: string[]; nodeOptions?: string; sizes: number[] }) {
  const flags: string[] = [];
  let collections = 0;
  let after: (() => void) | undefined;
  const heap: HeapControls = {
    execArgv: options.execArgv ?? [],
    nodeOptions: options.nodeOptions ?? '',
    setFlags: (f) => void flags.push(f),
    youngBytes: () => options.sizes[Math.min(collections, options.sizes.length - 1)] ?? 0,
    afterEachCollection: (f) => {
      after = f;
      return () => (after = undefined);
    },
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

test('the young generation grows to its size and stops there; the old generation grows by at most 2x', () => {
  const h = fakeHeap({ sizes: [2 * MB, 4 * MB, YOUNG_GENERATION_BYTES, 2 * YOUNG_GENERATION_BYTES] });
  keepHeapSmall(h.heap);
  assert.deepEqual(h.flags, ['--heap-growing-percent=100']);
  assert.equal(h.watching(), true);
  h.collect(); // 4 MB: still growing
  assert.deepEqual(h.flags, ['--heap-growing-percent=100']);
  h.collect(); // reached
  assert.deepEqual(h.flags, ['--heap-growing-percent=100', '--semi-space-growth-factor=1']);
  assert.equal(h.watching(), false, 'no more looking after each collection');
});

test('a young generation already large enough at start stops growing at once, with nothing watched', () => {
  const h = fakeHeap({ sizes: [YOUNG_GENERATION_BYTES] });
  keepHeapSmall(h.heap);
  assert.deepEqual(h.flags, ['--heap-growing-percent=100', '--semi-space-growth-factor=1']);
  assert.equal(h.watching(), false);
});

const given: readonly { name: string; execArgv?: string[]; nodeOptions?: string; flags: string[]; watching: boolean }[] = [
  {
    name: 'a semi-space flag on the command line',
    execArgv: ['--max-semi-space-size=16'],
    flags: ['--heap-growing-percent=100'],
    watching: false,
  },
  {
    name: 'a semi-space flag in NODE_OPTIONS, underscores',
    nodeOptions: '--max_semi_space_size=2',
    flags: ['--heap-growing-percent=100'],
    watching: false,
  },
  { name: 'a heap-growing flag', execArgv: ['--heap-growing-percent=50'], flags: [], watching: true },
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
    assert.deepEqual(h.flags, c.watching ? [...c.flags, '--semi-space-growth-factor=1'] : c.flags);
  });
}
