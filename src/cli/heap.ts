/**
 * V8 heap sizing for the server: the young generation is held near YOUNG_GENERATION_BYTES, and the old generation grows
 * by at most 2x between full collections, which keeps resident memory flat under load (bench/README.md).
 * The young generation must hold the requests in flight: smaller, they outlive two collections and are promoted, to die
 * in the old generation; left to V8, it grows to 32 MB under load, and an idle spell shrinks it to 1 MB. Only a flag
 * given at start-up caps it, so it is let grow while it is below that size and stopped at it (looked at after each
 * collection). A semi-space or heap-growing flag the user gave node (command line or NODE_OPTIONS) leaves that alone.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The young generation (V8's new space, both halves) the server grows to under load: 4 MB semi-spaces. */
export const YOUNG_GENERATION_BYTES = 8 * 1024 * 1024;

/** V8's own growth factor of the young generation (its default), while it is below that size. */
const GROWTH_FACTOR = 2;

export interface HeapControls {
  readonly execArgv: readonly string[];
  readonly nodeOptions: string;
  readonly setFlags: (flags: string) => void;
  /** The young generation's size now. */
  readonly youngBytes: () => number;
  /** Calls `after` after every garbage collection, for as long as the process lives. */
  readonly afterEachCollection: (after: () => void) => void;
}

const processHeap = (): HeapControls => ({
  execArgv: process.execArgv,
  nodeOptions: process.env['NODE_OPTIONS'] ?? '',
  setFlags: setFlagsFromString,
  youngBytes: () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0,
  afterEachCollection: (after) => new PerformanceObserver(after).observe({ entryTypes: ['gc'] }),
});

export function keepHeapSmall(heap: HeapControls = processHeap()): void {
  const given = (name: string): boolean => flagGiven(heap.execArgv, heap.nodeOptions, name);
  if (!given('heap-growing')) heap.setFlags('--heap-growing-percent=100');
  if (given('semi-space')) return;
  let growing: boolean | undefined;
  const adjust = (): void => {
    const grow = heap.youngBytes() < YOUNG_GENERATION_BYTES;
    if (grow === growing) return;
    growing = grow;
    heap.setFlags(`--semi-space-growth-factor=${grow ? GROWTH_FACTOR : 1}`);
  };
  adjust();
  heap.afterEachCollection(adjust);
}

/** Flags that say how many threads V8's collector uses: given by the user, they are left alone. */
const GC_THREAD_FLAGS = ['single-threaded', 'parallel-scavenge', 'concurrent-marking', 'parallel-marking'];

/**
 * The node flags `serve --workers n` starts its workers with: its own (node:cluster's default), plus
 * `--single-threaded-gc`. Two or more busy workers on a small machine leave V8's collector threads waiting for a core,
 * and a scavenge that waits holds the requests in flight (bench/README.md). V8 takes the flag only at start-up.
 */
export function workerExecArgv(execArgv: readonly string[], nodeOptions: string): string[] {
  const given = GC_THREAD_FLAGS.some((name) => flagGiven(execArgv, nodeOptions, name));
  return given ? [...execArgv] : [...execArgv, '--single-threaded-gc'];
}

/** Whether a node or V8 flag whose name contains `name` (dashes or underscores) was given on node's command line or in NODE_OPTIONS. */
function flagGiven(execArgv: readonly string[], nodeOptions: string, name: string): boolean {
  return [...execArgv, nodeOptions].some((a) => a.includes(name) || a.includes(name.replaceAll('-', '_')));
}
