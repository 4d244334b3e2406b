/**
 * The native JWS check (src/identity/native-jws.ts `verifyCompact`) decides exactly as jose alone: the same
 * tokens verify, with the same claims, header and audience, and every refusal has the same code, message and
 * reason. Two verifiers over the same providers (no cache: every call verifies in full), one with
 * `fastSignatures: false`, over hand-picked cases, mutated tokens and random signed JSON.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { StsError } from '../../src/protocol/errors.js';
import { base64url, decodeJwt, decodeProtectedHeader } from 'jose';
import { b64uBytes, decodeCompact } from '../../src/identity/native-jws.js';
import { createTokenVerifier } from '../../src/identity/verifier.js';
import { createTurnQueue } from '../../src/server/turn-batch.js';
import type { OidcProvider } from '../../src/identity/types.js';
import {
  b64u,
  CLIENT_ID,
  ISSUER,
  jwks,
  makeKey,
  makeProvider,
  makeToken,
  NOW,
  NOW_S,
  signature,
  signRaw,
  standardClaims,
  type Alg,
  type TestKey,
} from '../helpers/identity-tokens.js';

const rsa = await makeKey('rsa', 'rsa-1');
const rsaB = await makeKey('rsa', 'rsa-b');
const ec = await makeKey('ec256', 'ec-1');
const ec384 = await makeKey('ec384', 'ec384-1');
const ecOther = await makeKey('ec256', 'ec-2'); // signs ES512 tokens with a P-256 key (curve mismatch)
const ed = await makeKey('ed25519', 'ed-1');
const small = await makeKey('rsa1024', 'small');
const attacker = await makeKey('rsa', 'rsa-1');

const TWO = 'https://two-keys.example.com';
const SMALL = 'https://small-key.example.com';
const RESTRICTED = 'https://restricted.example.com';
const MULTI = 'https://multi-aud.example.com';

const providers: OidcProvider[] = [
  makeProvider(ISSUER, { kind: 'inline', jwks: jwks(rsa, ec, ec384, ed, ecOther) }),
  makeProvider(TWO, { kind: 'inline', jwks: jwks(rsa, rsaB) }),
  makeProvider(SMALL, { kind: 'inline', jwks: jwks(small) }),
  // JWK members that restrict use: alg pinned, use "enc", key_ops without verify.
  makeProvider(RESTRICTED, {
    kind: 'inline',
    jwks: {
      keys: [
        { ...rsa.jwk, alg: 'RS384' },
        { ...rsaB.jwk, use: 'enc' },
        { ...ec.jwk, key_ops: ['sign'] },
        { ...ec384.jwk, use: 'sig', key_ops: ['verify'] },
      ],
    },
  }),
  makeProvider(MULTI, { kind: 'inline', jwks: jwks(rsa) }, ['a', 'b']),
];

const fast = createTokenVerifier(providers, { claimsCache: false });
// As `serve` builds it: signature checks handed to the thread pool together at the end of the event loop's turn.
const batched = createTokenVerifier(providers, { claimsCache: false, schedule: createTurnQueue() });
const jose = createTokenVerifier(providers, { claimsCache: false, fastSignatures: false });

type Result =
  | { ok: true; provider: string; claims: unknown; header: unknown; audience: string }
  | { ok: false; code: string; message: string; reason: string | undefined };

async function run(v: typeof fast, token: string, now: Date): Promise<Result> {
  try {
    const r = await v.verify(token, now);
    return { ok: true, provider: r.provider.url, claims: { ...r.claims }, header: { ...r.header }, audience: r.audience };
  } catch (err) {
    assert.ok(err instanceof StsError, String(err));
    return { ok: false, code: err.code, message: err.message, reason: err.reason };
  }
}

async function same(token: string, now: Date = NOW): Promise<Result> {
  const a = await run(fast, token, now);
  const b = await run(jose, token, now);
  assert.deepEqual(a, b, `fast and jose disagree on ${JSON.stringify(token.slice(0, 300))}`);
  return a;
}

const tok = (key: TestKey, claims: Record<string, unknown> = {}, alg: Alg = 'RS256', header: Record<string, unknown> = {}): string =>
  makeToken({ key, alg, header, claims: standardClaims(claims) });
const segs = (t: string): [string, string, string] => t.split('.') as [string, string, string];

const CASES: readonly [string, () => string, boolean][] = [
  ['RS256', () => tok(rsa), true],
  ['RS384', () => tok(rsa, {}, 'RS384'), true],
  ['RS512', () => tok(rsa, {}, 'RS512'), true],
  ['ES256', () => tok(ec, {}, 'ES256'), true],
  ['ES384', () => tok(ec384, {}, 'ES384'), true],
  ['ES512 with a P-256 key', () => tok(ecOther, {}, 'ES512'), false],
  ['ES384 with a P-256 key', () => tok(ec, {}, 'ES384'), false],
  ['RS256 without kid, one RSA key', () => tok(rsa, {}, 'RS256', { kid: undefined }), false],
  ['second key by kid', () => tok(rsaB, { iss: TWO }), true],
  ['no kid, two keys', () => tok(rsa, { iss: TWO }, 'RS256', { kid: undefined }), false],
  ['unknown kid', () => tok(rsa, {}, 'RS256', { kid: 'nope' }), false],
  ['kid a number', () => tok(rsa, {}, 'RS256', { kid: 7 }), false],
  ['another key under the registered kid', () => tok(attacker), false],
  ['RSA 1024', () => tok(small, { iss: SMALL }), false],
  ['JWK alg RS384 pinned, token RS256', () => tok(rsa, { iss: RESTRICTED }), false],
  ['JWK alg RS384 pinned, token RS384', () => tok(rsa, { iss: RESTRICTED }, 'RS384'), true],
  ['JWK use enc', () => tok(rsaB, { iss: RESTRICTED }), false],
  ['JWK key_ops without verify', () => tok(ec, { iss: RESTRICTED }, 'ES256'), false],
  ['JWK use sig, key_ops verify', () => tok(ec384, { iss: RESTRICTED }, 'ES384'), true],
  ['PS256', () => tok(rsa, {}, 'PS256'), false],
  ['EdDSA', () => tok(ed, {}, 'EdDSA'), false],
  ['header with crit', () => tok(rsa, {}, 'RS256', { crit: ['b64'], b64: true }), false],
  ['header with b64 false', () => tok(rsa, {}, 'RS256', { crit: ['b64'], b64: false }), false],
  ['header with jku', () => tok(rsa, {}, 'RS256', { jku: 'https://evil.example.com/jwks' }), true],
  ['header with jwk', () => tok(rsa, {}, 'RS256', { jwk: attacker.jwk }), true],
  ['header typ odd', () => tok(rsa, {}, 'RS256', { typ: 'at+jwt' }), true],
  ['header without typ', () => tok(rsa, {}, 'RS256', { typ: undefined }), true],
  ['expired', () => tok(rsa, { exp: NOW_S - 400 }), false],
  ['exp within skew', () => tok(rsa, { exp: NOW_S - 200 }), true],
  ['exp absent', () => tok(rsa, { exp: undefined }), false],
  ['exp string', () => tok(rsa, { exp: String(NOW_S + 60) }), false],
  ['exp float', () => tok(rsa, { exp: NOW_S + 600.5 }), false],
  ['nbf future', () => tok(rsa, { nbf: NOW_S + 4000 }), false],
  ['nbf string', () => tok(rsa, { nbf: 'x' }), false],
  ['iat future', () => tok(rsa, { iat: NOW_S + 4000 }), false],
  ['iat string', () => tok(rsa, { iat: 'x' }), false],
  // jose's claim checks accept these (numbers, not in the future); checkClaims refuses them on either path.
  ['iat float in the past', () => tok(rsa, { iat: NOW_S - 10.5 }), false],
  ['nbf float in the past', () => tok(rsa, { nbf: NOW_S - 10.5 }), false],
  ['iat beyond the safe integers', () => tok(rsa, { iat: 2 ** 53 + 2 }), false],
  ['iss in an array', () => tok(rsa, { iss: [ISSUER] as unknown as string }), false],
  ['aud wrong', () => tok(rsa, { aud: 'x' }), false],
  ['aud absent', () => tok(rsa, { aud: undefined }), false],
  ['aud array with match', () => tok(rsa, { aud: ['x', CLIENT_ID] }), true],
  ['aud array with a number', () => tok(rsa, { aud: [5, CLIENT_ID] }), false],
  ['two audiences match', () => tok(rsa, { iss: MULTI, aud: ['b', 'a'] }), true],
  ['sub missing', () => tok(rsa, { sub: undefined }), true],
  [
    '__proto__ claim',
    () =>
      signRaw(
        '{"alg":"RS256","kid":"rsa-1"}',
        JSON.stringify(standardClaims()).replace(/}$/, ',"__proto__":{"x":1}}'),
        'RS256',
        rsa.privateKey,
      ),
    true,
  ],
  [
    'duplicate claim keys',
    () =>
      signRaw(
        '{"alg":"RS256","kid":"rsa-1"}',
        JSON.stringify(standardClaims()).replace(/}$/, `,"aud":"x","aud":"${CLIENT_ID}"}`),
        'RS256',
        rsa.privateKey,
      ),
    true,
  ],
  [
    'duplicate header alg',
    () => signRaw('{"alg":"HS256","kid":"rsa-1","alg":"RS256"}', JSON.stringify(standardClaims()), 'RS256', rsa.privateKey),
    true,
  ],
  ['payload array', () => signRaw('{"alg":"RS256","kid":"rsa-1"}', '[1]', 'RS256', rsa.privateKey), false],
  [
    'payload invalid UTF-8',
    () => {
      const [h] = segs(tok(rsa));
      return `${h}.${b64u(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))}.AAAA`;
    },
    false,
  ],
  [
    'signed invalid UTF-8 payload',
    () => {
      const input = `${b64u('{"alg":"RS256","kid":"rsa-1"}')}.${b64u(Buffer.from([0x7b, 0xff, 0x7d]))}`;
      return `${input}.${signature(input, 'RS256', rsa.privateKey)}`;
    },
    false,
  ],
  [
    'tampered payload',
    () => {
      const [h, , s] = segs(tok(rsa));
      return `${h}.${b64u(JSON.stringify(standardClaims({ sub: 'evil' })))}.${s}`;
    },
    false,
  ],
  ['signature with one extra character', () => `${tok(rsa)}A`, false],
  ['signature one character short', () => tok(rsa).slice(0, -1), false],
  ['signature of length 4n+1', () => `${tok(rsa).slice(0, -2)}AAA`, false],
  ['signature with padding', () => `${tok(rsa)}==`, false],
  [
    'signature with + and /',
    () => {
      const [h, p, s] = segs(tok(rsa));
      return `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}`;
    },
    false,
  ],
  [
    'non-canonical last signature character',
    () => {
      const t = tok(rsa);
      const last = t.at(-1) as string;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      return t.slice(0, -1) + alphabet[(alphabet.indexOf(last) + 1) % 64];
    },
    false,
  ],
  [
    'ES256 zero signature',
    () => `${b64u('{"alg":"ES256","kid":"ec-1"}')}.${b64u(JSON.stringify(standardClaims()))}.${b64u(Buffer.alloc(64))}`,
    false,
  ],
  ['ES256 signature too long', () => `${tok(ec, {}, 'ES256')}AAAA`, false],
  ['whitespace in the token', () => tok(rsa).replace('.', ' .'), false],
];

test('a valid RS256 or ES256 token is accepted without WebCrypto; a refused one still goes through jose', async () => {
  const subtle = globalThis.crypto.subtle as unknown as { verify: (...args: unknown[]) => Promise<boolean> };
  const original = subtle.verify;
  let calls = 0;
  subtle.verify = function (this: unknown, ...args: unknown[]) {
    calls++;
    return original.apply(this, args);
  };
  try {
    for (const t of [tok(rsa), tok(ec, {}, 'ES256')]) {
      calls = 0;
      await fast.verify(t, NOW);
      assert.equal(calls, 0, 'the fast path did not accept a plain valid token');
      await jose.verify(t, NOW);
      assert.equal(calls, 1);
    }
    calls = 0;
    await assert.rejects(fast.verify(tok(attacker), NOW));
    assert.equal(calls, 1, 'a bad signature must be decided by jose');
  } finally {
    subtle.verify = original;
  }
});

for (const [name, make, verifies] of CASES) {
  test(`fast path agrees with jose: ${name}`, async () => {
    const token = make();
    const r = await same(token);
    if (verifies) assert.ok(r.ok, `expected to verify: ${JSON.stringify(r)}`);
  });
}

test('signature checks queued per turn (as serve does): all cases at once agree with jose', async () => {
  const tokens = CASES.map(([, make]) => make());
  const [viaBatch, viaJose] = await Promise.all([
    Promise.all(tokens.map((t) => run(batched, t, NOW))),
    Promise.all(tokens.map((t) => run(jose, t, NOW))),
  ]);
  assert.deepEqual(viaBatch, viaJose);
  assert.ok(viaBatch.some((r) => r.ok) && viaBatch.some((r) => !r.ok));
});

test('schedule is asked once per fast signature check: not for a cache hit, not for a token the fast path leaves to jose', async () => {
  const started: number[] = [];
  const verifier = createTokenVerifier(providers, {
    schedule: (start) => {
      started.push(1);
      setImmediate(start);
    },
  });
  const good = tok(rsa);
  await verifier.verify(good, NOW);
  assert.equal(started.length, 1);
  await verifier.verify(good, NOW); // second sight: verified again, and now cached (token-cache.ts, admission)
  assert.equal(started.length, 2);
  await verifier.verify(good, NOW); // verified-claims cache hit
  assert.equal(started.length, 2);
  await assert.rejects(verifier.verify(tok(rsa, {}, 'PS256'), NOW)); // not a fast-path algorithm: jose decides
  assert.equal(started.length, 2);
  await assert.rejects(verifier.verify(tok(attacker), NOW)); // the fast check does not accept it, then jose refuses
  assert.equal(started.length, 3);
});

test('time edges agree: exp at the skew boundary, whole seconds of now', async () => {
  for (const delta of [-301, -300, -299, 0, 299, 300, 301]) {
    const t = tok(rsa, { exp: NOW_S + delta, nbf: NOW_S + delta + 600, iat: NOW_S + delta + 600 });
    await same(t);
    await same(t, new Date(NOW.getTime() + 999));
  }
});

test('single-character mutations of valid RS256 and ES256 tokens: fast path and jose agree', async () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.= ';
  const bases = [tok(rsa), tok(ec, {}, 'ES256'), tok(rsaB, { iss: TWO })];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...bases), fc.nat(), fc.constantFrom(...alphabet), async (base, at, ch) => {
      const i = at % base.length;
      await same(base.slice(0, i) + ch + base.slice(i + 1));
    }),
    { numRuns: 1500 },
  );
});

test('validly signed random headers and payloads: fast path and jose agree', async () => {
  const keys: [TestKey, Alg][] = [
    [rsa, 'RS256'],
    [ec, 'ES256'],
    [rsa, 'RS512'],
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(fc.constantFrom('alg', 'kid', 'typ', 'crit', 'b64', 'jku', 'x5u', 'cty', 'zip'), fc.jsonValue(), { maxKeys: 4 }),
      fc.dictionary(fc.constantFrom('iss', 'aud', 'exp', 'nbf', 'iat', 'sub', 'jti', '__proto__'), fc.jsonValue(), { maxKeys: 4 }),
      fc.constantFrom(0, 1, 2),
      fc.boolean(),
      async (header, claims, k, keepAlg) => {
        const [key, alg] = keys[k] as [TestKey, Alg];
        const h = keepAlg ? { kid: key.kid, ...header, alg } : { alg, kid: key.kid, ...header };
        const p = { ...standardClaims(), ...claims };
        await same(signRaw(JSON.stringify(h), JSON.stringify(p), alg, key.privateKey));
      },
    ),
    { numRuns: 1000 },
  );
});

// ------------------------------------------------------------------------------------------------------------------
// The native base64url decoding behind routing (decodeCompact) and the fast signature path (b64uBytes): what jose's
// decoders return, or undefined (jose decides).

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

test('b64uBytes: the bytes jose decodes, for every base64url text whose length is not 1 mod 4', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...B64U), { maxLength: 64 }), (chars) => {
      const text = chars.join('');
      const mine = b64uBytes(text);
      if (text.length % 4 === 1) {
        assert.equal(mine, undefined);
        assert.throws(() => base64url.decode(text), 'jose refuses this length too');
      } else {
        assert.deepEqual(new Uint8Array(mine as Buffer), base64url.decode(text));
      }
    }),
    { numRuns: 5000 },
  );
});

const joseDecode = (t: string): { header: unknown; payload: unknown } | Error => {
  try {
    return { header: decodeProtectedHeader(t), payload: decodeJwt(t) };
  } catch (e) {
    return e as Error;
  }
};

const segment = fc.oneof(
  fc.jsonValue().map((v) => b64u(JSON.stringify(v) ?? 'null')),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((o) => b64u(JSON.stringify(o))),
  fc.constantFrom(
    b64u('{"alg":"RS256"}'),
    b64u('{"__proto__":{"x":1}}'),
    b64u('{"a":1}') + 'A',
    b64u('[]'),
    b64u('null'),
    '',
    '_-',
    'AA',
    Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64url'),
    b64u('{"a":"\u00e9"}'),
    b64u(' {"a":1} '),
  ),
  fc.array(fc.constantFrom(...B64U, '.', '=', '+', '/', ' '), { maxLength: 12 }).map((c) => c.join('')),
);

test('decodeCompact: where it answers, it answers as decodeJwt + decodeProtectedHeader', () => {
  let answered = 0;
  fc.assert(
    fc.property(segment, segment, fc.constantFrom('sig', 'c2ln', '', 'a.b'), (h, p, sig) => {
      const token = `${h}.${p}.${sig}`;
      const mine = decodeCompact(token);
      const theirs = joseDecode(token);
      if (mine === undefined) return; // jose decides: nothing to compare
      answered++;
      assert.ok(!(theirs instanceof Error), `jose refused what decodeCompact accepted: ${token}`);
      assert.deepEqual(mine, theirs);
    }),
    { numRuns: 5000 },
  );
  assert.ok(answered > 200, `only ${answered} generated tokens took the native path`);
});

test('decodeCompact: what jose accepts in compact form is decoded natively (the common case is the fast one)', async () => {
  for (const t of [tok(rsa), tok(ec, {}, 'ES256'), tok(rsa, { aud: [CLIENT_ID, 'x'], nested: { a: [1, 2] } })]) {
    assert.deepEqual(decodeCompact(t), joseDecode(t));
  }
});
