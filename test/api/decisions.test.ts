/**
 * The recent decisions' watchers (the page's live list): batches of new records at most every WATCH_BATCH_MS and at
 * most WATCH_BATCH_MAX records each (older ones counted as skipped), cleared and end told, a watcher that stops or
 * throws gets nothing more; find() returns a kept answer by request id; without a watcher no record is built.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDecisionLog, WATCH_BATCH_MAX, WATCH_BATCH_MS, type DecisionWatcher } from '../../src/api/decisions.js';
import type { AuditRecord } from '../../src/server/index.js';
import type { StsOutcome } from '../../src/sts/index.js';

const TIME = new Date('2026-12-06T10:00:00Z');

/** An outcome whose audit info counts how often a record reads it. */
function outcome(role: string, reads: { n: number }): StsOutcome {
  const audit = {
    action: 'AssumeRoleWithWebIdentity',
    get role(): string {
      reads.n++;
      return role;
    },
  };
  return { ok: true, action: 'AssumeRoleWithWebIdentity', result: [], audit };
}

interface Seen {
  readonly batches: { roles: (string | null)[]; skipped: number }[];
  cleared: number;
  ended: number;
}

function watcher(): { w: DecisionWatcher; seen: Seen } {
  const seen: Seen = { batches: [], cleared: 0, ended: 0 };
  return {
    seen,
    w: {
      decisions: (records: readonly AuditRecord[], skipped: number) => void seen.batches.push({ roles: records.map((r) => r.role), skipped }),
      cleared: () => void seen.cleared++,
      end: () => void seen.ended++,
    },
  };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, WATCH_BATCH_MS * 2));

test('without a watcher, an answer builds no record; find() returns a kept answer by request id', () => {
  const log = createDecisionLog(3);
  const reads = { n: 0 };
  for (let i = 0; i < 5; i++) log.listener(outcome(`r${i}`, reads), `id-${i}`, TIME);
  assert.equal(reads.n, 0, 'nothing read the outcomes');
  assert.equal(log.find('id-4')?.requestId, 'id-4');
  assert.equal(log.find('id-1'), undefined, 'out of the ring');
  assert.deepEqual(
    log.list().map((r) => r.role),
    ['r2', 'r3', 'r4'],
  );
});

test('a watcher gets the new decisions in one batch per period, oldest first', async () => {
  const log = createDecisionLog(10);
  const { w, seen } = watcher();
  const stop = log.watch(w);
  const reads = { n: 0 };
  log.listener(outcome('a', reads), 'id-a', TIME);
  log.listener(outcome('b', reads), 'id-b', TIME);
  assert.equal(seen.batches.length, 0, 'not told at once');
  await settle();
  assert.deepEqual(seen.batches, [{ roles: ['a', 'b'], skipped: 0 }]);
  stop();
  log.listener(outcome('c', reads), 'id-c', TIME);
  await settle();
  assert.equal(seen.batches.length, 1, 'a stopped watcher is told nothing');
});

test('a burst: one batch of the newest WATCH_BATCH_MAX, the rest counted as skipped; keepDecisions 0 still tells watchers', async () => {
  const log = createDecisionLog(0);
  const { w, seen } = watcher();
  log.watch(w);
  const reads = { n: 0 };
  const n = WATCH_BATCH_MAX * 3 + 7;
  for (let i = 0; i < n; i++) log.listener(outcome(`r${i}`, reads), `id-${i}`, TIME);
  await settle();
  assert.equal(seen.batches.length, 1);
  const [batch] = seen.batches;
  assert.equal(batch?.roles.length, WATCH_BATCH_MAX);
  assert.equal(batch?.roles.at(-1), `r${n - 1}`, 'the newest last');
  assert.equal(batch?.skipped, n - WATCH_BATCH_MAX);
  assert.equal(reads.n, WATCH_BATCH_MAX, 'records are built for the batch only');
});

test('clear() tells cleared, close() tells end once and forgets every watcher; a watcher that throws is dropped', async () => {
  const log = createDecisionLog(10);
  const { w, seen } = watcher();
  log.watch(w);
  let thrown = 0;
  log.watch({
    decisions: () => {
      thrown++;
      throw new Error('a broken stream');
    },
    cleared: () => undefined,
    end: () => undefined,
  });
  const reads = { n: 0 };
  log.listener(outcome('a', reads), 'id-a', TIME);
  await settle();
  log.listener(outcome('b', reads), 'id-b', TIME);
  await settle();
  assert.equal(thrown, 1, 'the throwing watcher was told once, then dropped');
  assert.equal(seen.batches.length, 2, 'the others go on');
  log.clear();
  assert.equal(seen.cleared, 1);
  assert.equal(log.find('id-a'), undefined);
  log.close();
  log.close();
  assert.equal(seen.ended, 1);
  log.listener(outcome('c', reads), 'id-c', TIME);
  await settle();
  assert.equal(seen.batches.length, 2);
});
