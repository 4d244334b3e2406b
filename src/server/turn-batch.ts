import { processFailureLog, type FailureLog } from './failure-log.js';

/**
 * Work written or started together at the end of the event loop's turn, after the loop has handled every request
 * that was ready in that turn. On loopback each write that finds its reader asleep costs a wake-up of that reader,
 * and each task handed to libuv's thread pool alone wakes a pool thread: batched, a turn pays for one. A lone
 * request waits for nothing: setImmediate runs in the same turn, right after the I/O that completed it.
 *
 * A write that throws does not stop the others: it is handed to `onError` with its own context (and if onError
 * throws in turn, the batch still goes on).
 */
export interface TurnBatch<C> {
  /** Queues `write(context)` for the end of this turn. */
  add(context: C, write: (context: C) => void): void;
}

export function createTurnBatch<C>(onError: (context: C, err: unknown) => void): TurnBatch<C> {
  let queue: { context: C; write: (context: C) => void }[] = [];

  function flush(): void {
    const batch = queue;
    queue = [];
    for (const { context, write } of batch) {
      try {
        write(context);
      } catch (err) {
        try {
          onError(context, err);
        } catch {
          // onError failed too (it reports before it writes): the rest of the batch is still written.
        }
      }
    }
  }

  return {
    add(context, write) {
      queue.push({ context, write });
      if (queue.length === 1) setImmediate(flush);
    },
  };
}

/**
 * Tasks run at the end of this turn, together with the others queued in it: for work handed on elsewhere, such as the
 * verifier's signature checks (its `schedule` option). Tasks must not throw; one that does is reported to the failure
 * log and the others still run.
 */
export function createTurnQueue(failureLog: FailureLog = processFailureLog): (task: () => void) => void {
  const batch = createTurnBatch<() => void>((_task, err) => failureLog(err, 'a queued task threw'));
  return (task) => batch.add(task, (t) => t());
}
