/**
 * V8 heap sizing for the server: the young generation does not grow, and the old generation grows by at most 2x
 * between full collections, which keeps resident memory flat under load at the same throughput (bench/README.md).
 * A semi-space or heap-growing flag the user gave node (command line or NODE_OPTIONS) leaves that factor alone.
 */
import { setFlagsFromString } from 'node:v8';

export function keepHeapSmall(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env['NODE_OPTIONS'] ?? '',
): void {
  const given = (name: string): boolean =>
    [...execArgv, nodeOptions].some((a) => a.includes(name) || a.includes(name.replaceAll('-', '_')));
  if (!given('semi-space')) setFlagsFromString('--semi-space-growth-factor=1');
  if (!given('heap-growing')) setFlagsFromString('--heap-growing-percent=100');
}
