/**
 * The recent decisions' ring and its watchers (the page's live list): the last keepDecisions records, find() by
 * request id; watchers get batches of new records at most every WATCH_BATCH_MS and at most WATCH_BATCH_MAX records
 * each (older ones counted as skipped), cleared and end told, a watcher that stops or throws gets nothing more;
 * keepDecisions 0 has no sink (no record is built, so no watcher is told either).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDecisionLog, WATCH_BATCH_MAX, WATCH_BATCH_MS, type DecisionLog, type DecisionWatcher } from '../../src/api/decisions.js';
import { StsError } from '../../src/protocol/index.js';
import { auditTo, type AuditRecord, type AuditSink, type RecordKeeper } from '../../src/server/index.js';
import type { StsOutcome } from '../../src/sts/index.js';
import type { NearMiss } from '../../src/sts/near-miss.js';

function record(role: string, requestId = `id-${role}`): AuditRecord {
  return {
    time: '2026-12-06T10:00:00.000Z',
    requestId,
    action: 'AssumeRoleWithWebIdentity',
    role,
    sessionName: null,
    subject: null,
    issuer: null,
    decision: 'allow',
    errorCode: null,
    message: null,
    reason: null,
    trace: null,
    nearMisses: [],
  };
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
      decisions: (records: readonly AuditRecord[], skipped: number) =>
        void seen.batches.push({ roles: records.map((r) => r.role), skipped }),
      cleared: () => void seen.cleared++,
      end: () => void seen.ended++,
    },
  };
}

const sinkOf = (log: DecisionLog): AuditSink => {
  assert.ok(log.sink !== undefined, 'a log that keeps has a sink');
  return log.sink;
};

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, WATCH_BATCH_MS * 2));

test('the ring keeps the last keepDecisions records, oldest first; find() returns a kept one by request id', () => {
  const log = createDecisionLog(3);
  for (let i = 0; i < 5; i++) sinkOf(log)(record(`r${i}`));
  assert.equal(log.find('id-r4')?.role, 'r4');
  assert.equal(log.find('id-r1'), undefined, 'out of the ring');
  assert.deepEqual(
    log.list().map((r) => r.role),
    ['r2', 'r3', 'r4'],
  );
});

test('keepDecisions 0: no sink, so no record is built for the ring or a watcher', () => {
  assert.equal(createDecisionLog(0).sink, undefined);
});

test('a watcher gets the new decisions in one batch per period, oldest first', async () => {
  const log = createDecisionLog(10);
  const { w, seen } = watcher();
  const stop = log.watch(w);
  sinkOf(log)(record('a'));
  sinkOf(log)(record('b'));
  assert.equal(seen.batches.length, 0, 'not told at once');
  await settle();
  assert.deepEqual(seen.batches, [{ roles: ['a', 'b'], skipped: 0 }]);
  stop();
  sinkOf(log)(record('c'));
  await settle();
  assert.equal(seen.batches.length, 1, 'a stopped watcher is told nothing');
  assert.deepEqual(
    log.list().map((r) => r.role),
    ['a', 'b', 'c'],
    'kept all the same',
  );
});

test('a burst: one batch of the newest WATCH_BATCH_MAX, the rest counted as skipped', async () => {
  const log = createDecisionLog(5);
  const { w, seen } = watcher();
  log.watch(w);
  const n = WATCH_BATCH_MAX * 3 + 7;
  for (let i = 0; i < n; i++) sinkOf(log)(record(`r${i}`));
  await settle();
  assert.equal(seen.batches.length, 1);
  const [batch] = seen.batches;
  assert.equal(batch?.roles.length, WATCH_BATCH_MAX);
  assert.equal(batch?.roles.at(-1), `r${n - 1}`, 'the newest last');
  assert.equal(batch?.skipped, n - WATCH_BATCH_MAX);
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
  sinkOf(log)(record('a'));
  await settle();
  sinkOf(log)(record('b'));
  await settle();
  assert.equal(thrown, 1, 'the throwing watcher was told once, then dropped');
  assert.equal(seen.batches.length, 2, 'the others go on');
  log.clear();
  assert.equal(seen.cleared, 1);
  assert.equal(log.find('id-a'), undefined);
  assert.deepEqual(log.list(), []);
  log.close();
  log.close();
  assert.equal(seen.ended, 1);
  sinkOf(log)(record('c'));
  await settle();
  assert.equal(seen.batches.length, 2);
});

/** A refused outcome whose near misses count how often they are worked out. */
function refusedOutcome(calls: { n: number }): StsOutcome {
  return {
    ok: false,
    action: 'AssumeRoleWithWebIdentity',
    error: new StsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', { reason: 'no statement allows it' }),
    audit: {
      action: 'AssumeRoleWithWebIdentity',
      role: 'arn:aws:iam::123456789012:role/r',
      nearMisses: () => {
        calls.n++;
        return [{ text: 'set the branch to main' } as NearMiss];
      },
    },
  };
}

test('kept records work out their near misses when first read, once; a plain sink gets them at once', async () => {
  const calls = { n: 0 };
  const log = createDecisionLog(5);
  const listen = auditTo(log.keeper as RecordKeeper);
  listen(refusedOutcome(calls), 'req-a', new Date('2026-12-06T10:00:00Z'));
  assert.equal(calls.n, 0, 'nothing is worked out before a read');
  assert.deepEqual(log.list()[0]?.nearMisses, ['set the branch to main']);
  assert.deepEqual(log.find('req-a')?.nearMisses, ['set the branch to main']);
  assert.equal(calls.n, 1, 'worked out once, then kept');

  const written: AuditRecord[] = [];
  const both = createDecisionLog(5);
  auditTo((r) => void written.push(r), both.keeper as RecordKeeper)(refusedOutcome(calls), 'req-b', new Date());
  assert.equal(calls.n, 2, 'a plain sink (the audit log) needs them now');
  assert.deepEqual(written[0]?.nearMisses, ['set the branch to main']);
  assert.equal(both.list()[0], written[0], 'the keeper keeps the same record');
  assert.equal(calls.n, 2);
});

test('a watcher is told kept records with their near misses', async () => {
  const calls = { n: 0 };
  const log = createDecisionLog(5);
  const { w, seen } = watcher();
  const got: AuditRecord[] = [];
  log.watch({ ...w, decisions: (records, skipped) => (got.push(...records), w.decisions(records, skipped)) });
  auditTo(log.keeper as RecordKeeper)(refusedOutcome(calls), 'req-c', new Date());
  await new Promise((r) => setTimeout(r, WATCH_BATCH_MS + 50));
  assert.equal(seen.batches.length, 1);
  assert.deepEqual(got[0]?.nearMisses, ['set the branch to main']);
  log.close();
});
