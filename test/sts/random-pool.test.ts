import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pooledRandomBytes } from '../../src/sts/random-pool.js';

test('pooled random bytes: requested lengths, fresh copies across refills, no repeats', () => {
  const draw = pooledRandomBytes(64);
  const seen = new Set<string>();
  const first = draw(10);
  const snapshot = Buffer.from(first).toString('hex');
  for (let i = 0; i < 1000; i++) {
    for (const n of [1, 10, 12, 64]) {
      const b = draw(n);
      assert.equal(b.length, n);
      if (n >= 10) {
        const hex = Buffer.from(b).toString('hex');
        assert.ok(!seen.has(hex), 'a 10+ byte draw repeated');
        seen.add(hex);
      }
    }
  }
  assert.equal(Buffer.from(first).toString('hex'), snapshot, 'a refill changed bytes already handed out');
  assert.equal(draw(100).length, 100);
});
