/** Stateless credentials: formats, round trip, other servers, tampering, expiry, and a fuzz that only StsError escapes. */
import assert from 'node:assert/strict';
import { createCipheriv, createHash, hkdfSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { anyString } from '../helpers/any-string.js';
import { MESSAGES, StsError } from '../../src/protocol/errors.js';
import { createCredentialAuthority, type SessionClaims } from '../../src/sts/credentials.js';

function seeded(seed: string): (n: number) => Uint8Array {
  let i = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let off = 0; off < n;) off += createHash('sha256').update(`${seed}:${i++}`).digest().copy(out, off);
    return new Uint8Array(out);
  };
}

const KEY = new Uint8Array(32).fill(1);
const OTHER_KEY = new Uint8Array(32).fill(2);
const NOW = new Date('2026-03-01T10:00:00Z');
const session: SessionClaims = {
  accountId: '123456789012',
  roleArn: 'arn:aws:iam::123456789012:role/deploy/ci',
  roleName: 'ci',
  roleId: 'AROAEXAMPLEEXAMPLE123',
  sessionName: 'build-42',
  expiration: new Date('2026-03-01T11:00:00Z'),
  issuedAt: new Date('2026-03-01T10:00:00Z'),
  chained: false,
};
const authority = createCredentialAuthority(KEY, { randomBytes: seeded('a') });
const creds = authority.issue(session);
const withSource = authority.issue({ ...session, sourceIdentity: 'alice@example.com', chained: true });

type Want = { code: string; message: string; status: number };
const invalid: Want = { code: 'InvalidClientTokenId', message: MESSAGES.invalidClientTokenId, status: 403 };
const expired: Want = { code: 'ExpiredToken', message: MESSAGES.expiredToken, status: 403 };
function throwsSts(fn: () => unknown, want: Want): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StsError, `not an StsError: ${String(e)}`);
    assert.deepEqual({ code: e.code, message: e.message, status: e.status }, want);
    return true;
  });
}

test('formats: ASIA + 16 of [A-Z0-9], 40-char base64 secret, base64 token, expiration echoed', () => {
  assert.match(creds.accessKeyId, /^ASIA[A-Z0-9]{16}$/);
  assert.match(creds.secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
  assert.match(creds.sessionToken, /^[A-Za-z0-9+/]+={0,2}$/);
  assert.equal(creds.expiration.getTime(), session.expiration.getTime());
  assert.notEqual(creds.accessKeyId, withSource.accessKeyId);
});

test('the token layout: version 2 | iv | AES-256-GCM(secret | payload JSON) | tag, version as associated data (an independent sealing)', () => {
  const random = seeded('layout');
  const accessKeyBytes = random(10);
  const secret = random(30);
  const iv = random(12);
  const issued = createCredentialAuthority(KEY, { randomBytes: seeded('layout') }).issue({ ...session, sourceIdentity: 'ünïcode-src' });
  assert.equal(issued.secretAccessKey, Buffer.from(secret).toString('base64'));
  assert.equal(accessKeyBytes.length, 10);
  const key = Buffer.from(hkdfSync('sha256', KEY, 'sts-emulator', 'session-token enc v2', 32));
  const payload = JSON.stringify({
    a: issued.accessKeyId,
    c: session.accountId,
    r: session.roleArn,
    n: session.roleName,
    i: session.roleId,
    s: session.sessionName,
    e: session.expiration.getTime(),
    t: session.issuedAt.getTime(),
    ch: false,
    si: 'ünïcode-src',
  });
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from([2]));
  const expected = Buffer.concat([
    Buffer.from([2]),
    iv,
    cipher.update(secret),
    cipher.update(payload, 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  assert.equal(issued.sessionToken, expected.toString('base64'));
});

test('the token is opaque: no claim is readable in it', () => {
  const raw = Buffer.from(creds.sessionToken, 'base64').toString('latin1');
  for (const v of [session.roleArn, session.sessionName, session.accountId, creds.accessKeyId]) assert.ok(!raw.includes(v), v);
});

test('round trip: authenticate returns the session and the secret', () => {
  const r = authority.authenticate(creds.accessKeyId, creds.sessionToken, NOW);
  assert.deepEqual(r.session, session);
  assert.ok(!('sourceIdentity' in r.session));
  assert.equal(r.secretAccessKey, creds.secretAccessKey);
});

test('round trip keeps sourceIdentity and chained', () => {
  const r = authority.authenticate(withSource.accessKeyId, withSource.sessionToken, NOW);
  assert.equal(r.session.sourceIdentity, 'alice@example.com');
  assert.equal(r.session.chained, true);
});

test('a second authority with the same key (another server, a restart) accepts the token', () => {
  const again = createCredentialAuthority(new Uint8Array(KEY), { randomBytes: seeded('b') });
  const r = again.authenticate(creds.accessKeyId, creds.sessionToken, NOW);
  assert.equal(r.secretAccessKey, creds.secretAccessKey);
  assert.deepEqual(r.session, session);
});

const later = (ms: number): Date => new Date(session.expiration.getTime() + ms);
const cases: { name: string; run: () => unknown; want: Want }[] = [
  { name: 'no session token', run: () => authority.authenticate(creds.accessKeyId, undefined, NOW), want: invalid },
  { name: 'empty session token', run: () => authority.authenticate(creds.accessKeyId, '', NOW), want: invalid },
  {
    name: 'token from a server with another key',
    run: () => createCredentialAuthority(OTHER_KEY, { randomBytes: seeded('c') }).authenticate(creds.accessKeyId, creds.sessionToken, NOW),
    want: invalid,
  },
  {
    name: 'token of another access key',
    run: () => authority.authenticate(creds.accessKeyId, withSource.sessionToken, NOW),
    want: invalid,
  },
  {
    name: 'right token, access key changed',
    run: () => authority.authenticate('ASIAAAAAAAAAAAAAAAAA', creds.sessionToken, NOW),
    want: invalid,
  },
  { name: 'expired: at Expiration', run: () => authority.authenticate(creds.accessKeyId, creds.sessionToken, later(0)), want: expired },
  {
    name: 'expired: a day after',
    run: () => authority.authenticate(creds.accessKeyId, creds.sessionToken, later(86_400_000)),
    want: expired,
  },
  {
    name: 'expired and foreign: foreign wins',
    run: () =>
      createCredentialAuthority(OTHER_KEY, { randomBytes: seeded('c') }).authenticate(creds.accessKeyId, creds.sessionToken, later(1)),
    want: invalid,
  },
  {
    name: 'expired and of another key: invalid wins',
    run: () => authority.authenticate(creds.accessKeyId, withSource.sessionToken, later(1)),
    want: invalid,
  },
  { name: 'invalid now', run: () => authority.authenticate(creds.accessKeyId, creds.sessionToken, new Date(NaN)), want: expired },
  { name: 'not base64', run: () => authority.authenticate(creds.accessKeyId, 'not base64!', NOW), want: invalid },
  {
    name: 'base64url spelling of the token',
    run: () => authority.authenticate(creds.accessKeyId, Buffer.from(creds.sessionToken, 'base64').toString('base64url'), NOW),
    want: invalid,
  },
  {
    name: 'token with a newline',
    run: () => authority.authenticate(creds.accessKeyId, creds.sessionToken.slice(0, 8) + '\n' + creds.sessionToken.slice(8), NOW),
    want: invalid,
  },
  {
    name: 'token with extra padding',
    run: () => authority.authenticate(creds.accessKeyId, creds.sessionToken + '====', NOW),
    want: invalid,
  },
  { name: 'truncated token', run: () => authority.authenticate(creds.accessKeyId, creds.sessionToken.slice(0, -4), NOW), want: invalid },
  {
    name: 'AWS-looking token',
    run: () => authority.authenticate(creds.accessKeyId, 'FwoGZXIvYXdzEBYaDHqa0AP1Cq1AxR9b9SLIAbX7', NOW),
    want: invalid,
  },
  { name: 'short token', run: () => authority.authenticate(creds.accessKeyId, 'AAAA', NOW), want: invalid },
  { name: 'huge token', run: () => authority.authenticate(creds.accessKeyId, 'A'.repeat(1_000_000), NOW), want: invalid },
  { name: 'NUL and lone surrogate', run: () => authority.authenticate(creds.accessKeyId, '\u0000\ud800', NOW), want: invalid },
];
for (const c of cases) test(`rejects: ${c.name}`, () => throwsSts(c.run, c.want));

test('still valid one millisecond before Expiration', () => {
  assert.equal(authority.authenticate(creds.accessKeyId, creds.sessionToken, later(-1)).secretAccessKey, creds.secretAccessKey);
});

test('every single flipped bit of the token is rejected', () => {
  const raw = Buffer.from(creds.sessionToken, 'base64');
  for (let i = 0; i < raw.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const t = Buffer.from(raw);
      t[i] = (t[i] as number) ^ bit;
      throwsSts(() => authority.authenticate(creds.accessKeyId, t.toString('base64'), NOW), invalid);
    }
  }
});

test('the secret is random, travels only encrypted in the token, and only the same server key recovers it', () => {
  const other = createCredentialAuthority(OTHER_KEY, { randomBytes: seeded('a') }).issue(session);
  const again = createCredentialAuthority(KEY, { randomBytes: seeded('a') }).issue(session);
  assert.equal(again.accessKeyId, creds.accessKeyId, 'the injected randomness decides the key id');
  assert.equal(again.secretAccessKey, creds.secretAccessKey, 'and the secret');
  assert.equal(other.secretAccessKey, creds.secretAccessKey, 'the secret does not depend on the server key');
  const fresh = createCredentialAuthority(KEY, { randomBytes: seeded('b') }).issue(session);
  assert.notEqual(fresh.secretAccessKey, creds.secretAccessKey);
  const raw = Buffer.from(creds.sessionToken, 'base64');
  assert.equal(raw.indexOf(Buffer.from(creds.secretAccessKey, 'base64')), -1, 'the secret bytes are not in the token in clear');
  assert.equal(authority.authenticate(creds.accessKeyId, creds.sessionToken, NOW).secretAccessKey, creds.secretAccessKey);
  assert.throws(
    () => createCredentialAuthority(OTHER_KEY, { randomBytes: seeded('a') }).authenticate(creds.accessKeyId, creds.sessionToken, NOW),
    StsError,
  );
});

test('a session token of the earlier format (version 1) is refused as InvalidClientTokenId', () => {
  const raw = Buffer.from(creds.sessionToken, 'base64');
  raw[0] = 1;
  assert.throws(
    () => authority.authenticate(creds.accessKeyId, raw.toString('base64'), NOW),
    (e: unknown) => e instanceof StsError && e.code === 'InvalidClientTokenId',
  );
});

test('a server key under 32 bytes is refused', () => {
  assert.throws(() => createCredentialAuthority(new Uint8Array(31), { randomBytes: seeded('d') }), RangeError);
});

test('issue refuses a short randomBytes and invalid dates', () => {
  assert.throws(() => createCredentialAuthority(KEY, { randomBytes: () => new Uint8Array(3) }).issue(session), RangeError);
  assert.throws(() => authority.issue({ ...session, expiration: new Date(NaN) }), RangeError);
});

test('fuzz: arbitrary strings as access key and token only ever raise StsError', () => {
  fc.assert(
    fc.property(
      anyString({ maxLength: 40 }),
      fc.oneof(
        anyString(),
        fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b).toString('base64')),
      ),
      (akid, token) => {
        assert.throws(() => authority.authenticate(akid, token, NOW), StsError);
      },
    ),
    { numRuns: 2000 },
  );
});

test('fuzz: a mutated token is never accepted and only raises StsError', () => {
  const raw = Buffer.from(creds.sessionToken, 'base64');
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.integer({ min: -8, max: 8 }), (pos, xor, resize) => {
      const t = Buffer.from(raw);
      const i = pos % t.length;
      t[i] = (t[i] as number) ^ xor;
      const sized = resize >= 0 ? Buffer.concat([t, Buffer.alloc(resize)]) : t.subarray(0, t.length + resize);
      throwsSts(() => authority.authenticate(creds.accessKeyId, sized.toString('base64'), NOW), invalid);
    }),
    { numRuns: 2000 },
  );
});
