/**
 * The end-of-turn batch behind the fast path's answers (src/server/turn-batch.ts): nothing is written at once, a
 * turn's answers are written together and in order, one failing write reaches onError with its own context and
 * does not stop the others, and an answer queued while a batch is written goes out in the next one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTurnBatch, createTurnQueue } from '../../src/server/turn-batch.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('answers are written after the current code, together, in the order they were queued', async () => {
  const written: string[] = [];
  const batch = createTurnBatch<string>(() => assert.fail('no write fails here'));
  for (const id of ['a', 'b', 'c']) batch.add(id, (c) => written.push(c));
  assert.deepEqual(written, [], 'written before the turn ended');
  await Promise.resolve();
  assert.deepEqual(written, [], 'written by a microtask, before the turn ended');
  await nextTurn();
  assert.deepEqual(written, ['a', 'b', 'c']);
});

test('answers queued in separate turns go out in separate batches; a lone one is not held back', async () => {
  const written: string[] = [];
  const batch = createTurnBatch<string>(() => assert.fail('no write fails here'));
  batch.add('first', (c) => written.push(c));
  await nextTurn();
  assert.deepEqual(written, ['first']);
  batch.add('second', (c) => written.push(c));
  await nextTurn();
  assert.deepEqual(written, ['first', 'second']);
});

test('an answer queued while a batch is being written goes out in the next batch', async () => {
  const written: string[] = [];
  const batch = createTurnBatch<string>(() => assert.fail('no write fails here'));
  batch.add('outer', (c) => {
    written.push(c);
    batch.add('inner', (d) => written.push(d));
    assert.deepEqual(written, ['outer'], 'the inner answer was written inside the batch that queued it');
  });
  await nextTurn();
  assert.deepEqual(written, ['outer']);
  await nextTurn();
  assert.deepEqual(written, ['outer', 'inner']);
});

const FAILURES: readonly [string, (ctx: string) => void][] = [
  [
    'a write that throws an Error',
    () => {
      throw new Error('render failed');
    },
  ],
  [
    'a write that throws a non-Error',
    () => {
      throw 'just a string';
    },
  ],
];

for (const [name, failing] of FAILURES) {
  test(`${name} reaches onError with its context; the other answers are still written`, async () => {
    const written: string[] = [];
    const errors: [string, unknown][] = [];
    const batch = createTurnBatch<string>((ctx, err) => errors.push([ctx, err]));
    batch.add('before', (c) => written.push(c));
    batch.add('broken', failing);
    batch.add('after', (c) => written.push(c));
    await nextTurn();
    assert.deepEqual(written, ['before', 'after']);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.[0], 'broken');
  });
}

test('onError that throws in turn does not stop the batch', async () => {
  const written: string[] = [];
  const batch = createTurnBatch<string>(() => {
    throw new Error('the error handler failed too');
  });
  batch.add('broken', () => {
    throw new Error('render failed');
  });
  batch.add('after', (c) => written.push(c));
  await nextTurn();
  assert.deepEqual(written, ['after']);
});

test('createTurnQueue: tasks run at the end of the turn, in order; a task that throws is reported and the rest still run', async () => {
  const queue = createTurnQueue();
  const ran: string[] = [];
  const written: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    queue(() => ran.push('a'));
    queue(() => {
      throw new Error('task failed');
    });
    queue(() => ran.push('c'));
    assert.deepEqual(ran, []);
    await nextTurn();
  } finally {
    process.stderr.write = original;
  }
  assert.deepEqual(ran, ['a', 'c']);
  assert.equal(written.length, 1);
  assert.match(written[0] ?? '', /internal failure: a queued task threw: Error: task failed/);
});
