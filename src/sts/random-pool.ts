/**
 * Random bytes drawn from a pooled buffer refilled 16 KiB at a time, so that the few bytes each credential issue
 * takes do not cost a crypto.randomBytes call each. Each call returns a fresh copy, never a view that a later
 * refill could change, and a drawn byte is zeroed in the pool.
 */
import { randomFillSync } from 'node:crypto';

export function pooledRandomBytes(poolSize = 16 * 1024): (n: number) => Uint8Array {
  const pool = Buffer.allocUnsafe(poolSize);
  let offset = poolSize;
  return (n: number): Uint8Array => {
    if (n > poolSize) return randomFillSync(Buffer.alloc(n));
    if (offset + n > poolSize) {
      randomFillSync(pool);
      offset = 0;
    }
    const out = Buffer.from(pool.subarray(offset, offset + n));
    pool.fill(0, offset, offset + n); // a drawn byte is never handed out twice nor left readable in the pool
    offset += n;
    return out;
  };
}
