/**
 * RefreshingValue on its own, with a scripted load and a settable clock: each row is a sequence of steps
 * (advance the clock, script the next load, call get / get(revalidate) / refresh) and what each call gives,
 * plus the loads made.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoolingDownError, RefreshingValue } from '../../src/identity/refreshing-value.js';

const MAX_AGE = 1000;
const STALE = 10_000;
const COOLDOWN = 100;

type Step =
  | { readonly advance: number }
  /** The next loads return this value (a string) or fail (an Error). */
  | { readonly idp: string | Error }
  /** get(), get(true) or refresh(); `gives` is the value, the failure's message, 'cooling' or 'done'. */
  | { readonly call: 'get' | 'revalidate' | 'refresh'; readonly gives: string };

interface Row {
  readonly name: string;
  readonly steps: readonly Step[];
  readonly loads: number;
  readonly generation?: number;
}

const rows: readonly Row[] = [
  {
    name: 'first get loads; fresh gets do not',
    steps: [{ idp: 'v1' }, { call: 'get', gives: 'v1' }, { advance: MAX_AGE - 1 }, { call: 'get', gives: 'v1' }],
    loads: 1,
    generation: 1,
  },
  {
    name: 'past the max age: the old value at once, the new one after the background load',
    steps: [
      { idp: 'v1' },
      { call: 'get', gives: 'v1' },
      { idp: 'v2' },
      { advance: MAX_AGE },
      { call: 'get', gives: 'v1' },
      { call: 'get', gives: 'v2' },
    ],
    loads: 2,
    generation: 2,
  },
  {
    name: 'revalidate waits for the refresh past the max age',
    steps: [{ idp: 'v1' }, { call: 'get', gives: 'v1' }, { idp: 'v2' }, { advance: MAX_AGE }, { call: 'revalidate', gives: 'v2' }],
    loads: 2,
  },
  {
    name: 'revalidate gives the stale value when the refresh fails',
    steps: [
      { idp: 'v1' },
      { call: 'get', gives: 'v1' },
      { idp: new Error('down') },
      { advance: MAX_AGE },
      { call: 'revalidate', gives: 'v1' },
    ],
    loads: 2,
  },
  {
    name: 'an unchanged value keeps its generation',
    steps: [{ idp: 'v1' }, { call: 'get', gives: 'v1' }, { advance: MAX_AGE }, { call: 'revalidate', gives: 'v1' }],
    loads: 2,
    generation: 1,
  },
  {
    name: 'a failure is given to the caller that waited, then answered from the cooldown without a load',
    steps: [
      { idp: new Error('down') },
      { call: 'get', gives: 'down' },
      { call: 'get', gives: 'cooling' },
      { advance: COOLDOWN - 1 },
      { call: 'get', gives: 'cooling' },
      { idp: 'v1' },
      { advance: 1 },
      { call: 'get', gives: 'v1' },
    ],
    loads: 2,
  },
  {
    name: 'the stale value is used up to the stale bound, then dropped',
    steps: [
      { idp: 'v1' },
      { call: 'get', gives: 'v1' },
      { idp: new Error('down') },
      { advance: STALE - 1 },
      { call: 'revalidate', gives: 'v1' },
      { advance: 1 },
      { call: 'get', gives: 'cooling' },
      { advance: COOLDOWN },
      { call: 'get', gives: 'down' },
    ],
    loads: 3,
  },
  {
    name: 'refresh: one load per cooldown window, even right after a load',
    steps: [
      { idp: 'v1' },
      { call: 'get', gives: 'v1' },
      { call: 'refresh', gives: 'done' },
      { call: 'refresh', gives: 'done' },
      { advance: COOLDOWN - 1 },
      { call: 'refresh', gives: 'done' },
      { advance: 1 },
      { call: 'refresh', gives: 'done' },
    ],
    loads: 3,
  },
  {
    name: 'refresh: none within the cooldown of a failure',
    steps: [
      { idp: new Error('down') },
      { call: 'get', gives: 'down' },
      { call: 'refresh', gives: 'done' },
      { advance: COOLDOWN },
      { call: 'refresh', gives: 'done' },
    ],
    loads: 2,
  },
];

for (const row of rows) {
  test(`RefreshingValue: ${row.name}`, async () => {
    let now = 0;
    let next: string | Error = 'unset';
    let loads = 0;
    const value = new RefreshingValue<string>(
      async (previous) => {
        loads++;
        if (next instanceof Error) throw next;
        return next === previous ? previous : next;
      },
      { clock: () => now, maxAgeMs: MAX_AGE, staleMs: STALE, cooldownMs: COOLDOWN },
    );
    for (const [i, step] of row.steps.entries()) {
      if ('advance' in step) now += step.advance;
      else if ('idp' in step) next = step.idp;
      else {
        const call = step.call === 'refresh' ? value.refresh().then(() => 'done') : value.get(step.call === 'revalidate');
        const got = await call.then(
          (v) => v,
          (err: unknown) => (err instanceof CoolingDownError ? 'cooling' : err instanceof Error ? err.message : String(err)),
        );
        assert.equal(got, step.gives, `step ${i}`);
        await new Promise((resolve) => setImmediate(resolve)); // let a background load settle
      }
    }
    assert.equal(loads, row.loads);
    if (row.generation !== undefined) assert.equal(value.generation, row.generation);
  });
}

test('CoolingDownError names the failure it stands for', async () => {
  const value = new RefreshingValue<string>(() => Promise.reject(new Error('HTTP 503', { cause: new Error('upstream') })), {
    clock: () => 0,
    maxAgeMs: MAX_AGE,
    staleMs: STALE,
    cooldownMs: COOLDOWN,
  });
  await assert.rejects(value.get(), /HTTP 503/);
  await assert.rejects(value.get(), (err: unknown) => {
    assert.ok(err instanceof CoolingDownError);
    assert.equal(err.message, 'no fetch within 100 ms of a failed one; the last failed with Error: HTTP 503 <- Error: upstream');
    return true;
  });
});
