/**
 * Internal failures (bugs: InternalFailure answers, a write that threw) on stderr: the stack of each, at most once a
 * minute per distinct stack, so a failure on every request cannot flood the log. The answer never carries the detail.
 */
export type FailureLog = (err: unknown, context?: string) => void;

export function createFailureLog(write: (text: string) => void, clock: () => number = Date.now, windowMs = 60_000): FailureLog {
  const lastWritten = new Map<string, number>();
  return (err, context) => {
    const stack = stackOf(err);
    const now = clock();
    const last = lastWritten.get(stack);
    if (last !== undefined && now - last < windowMs) return;
    if (lastWritten.size >= 1000) lastWritten.clear();
    lastWritten.set(stack, now);
    try {
      write(`sts-emulator: internal failure${context === undefined ? '' : `: ${context}`}: ${stack}\n`);
    } catch {
      // stderr is gone: nothing more to do, and the server keeps serving.
    }
  };
}

function stackOf(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return `a thrown ${err === null ? 'null' : typeof err}`;
}

/** The process's stderr, written to without ever throwing (a closed pipe is ignored). */
export function stderrWriter(): (text: string) => void {
  ignoreStreamErrors(process.stderr);
  return (text) => {
    try {
      process.stderr.write(text);
    } catch {
      // EPIPE on a synchronous pipe write: the reader went away.
    }
  };
}

/** A stdout/stderr whose reader goes away (`| head`, a dead log collector) emits EPIPE: never an uncaught error. */
export function ignoreStreamErrors(stream: NodeJS.WritableStream): void {
  if (stream.listenerCount('error') === 0) stream.on('error', () => undefined);
}

/** The process-wide failure log on stderr. */
export const processFailureLog: FailureLog = createFailureLog(stderrWriter());
