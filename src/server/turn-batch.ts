/**
 * Answers written together at the end of the event loop's turn. The fast path queues each finished answer here and
 * one setImmediate writes them all, after the loop has handled every request that was ready in that turn, instead of
 * one write (one wake-up of the peer by the kernel) interleaved with the parsing and checking of the next request.
 *
 * Why: on loopback each write that finds its reader asleep costs a wake-up, and on the 2-core virtual machine of
 * bench/ a response's write measured ~39 µs of CPU inside the emulator against ~13 µs in the baseline server, whose
 * reader never sleeps. Written in a batch, only the first write of a turn wakes the reader (alternating A/B, same
 * token at 8 connections: ~7,000 -> ~11,000 requests/s, ~145 -> ~90 µs of CPU per request; README "Performance").
 * A lone request waits for nothing: setImmediate runs in the same turn, right after the I/O that completed it.
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
 * verifier's signature checks (its `schedule` option). Tasks must not throw; one that does is reported on stderr as an
 * internal failure and the others still run.
 */
export function createTurnQueue(): (task: () => void) => void {
  const batch = createTurnBatch<() => void>((_task, err) => {
    process.stderr.write(`sts-emulator: internal failure: a queued task threw: ${String((err as Error)?.stack ?? err)}\n`);
  });
  return (task) => batch.add(task, (t) => t());
}
