/**
 * The IdP fault table (issue "Never down, never silent", items 5-8): a scripted IdP on loopback in one mode per
 * row, registered by JwksUri or by discovery, and the verifier with short timeouts and an injected clock. Each row
 * states the answer (success, or the AWS code and message), a bound on the time to answer, and the requests the
 * IdP saw for the measured request plus 20 more (10 at once, then 10 in turn) in the same window.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { MESSAGES, StsError } from '../../src/protocol/errors.js';
import { createTokenVerifier } from '../../src/identity/verifier.js';
import type { OidcProvider, TokenVerifier } from '../../src/identity/types.js';
import { makeKey, makeProvider, makeToken, NOW, standardClaims, type TestKey } from '../helpers/identity-tokens.js';
import { startScriptedIdp, type ScriptedIdp } from '../helpers/scripted-idp.js';

const keyA = await makeKey('rsa', 'key-a');
const keyB = await makeKey('rsa', 'key-b');
// A second: the "under the timeout" IdP (100 ms) stays far under it on a loaded machine; "over" is three times it.
const TIMEOUT_MS = 1000;
const MAX_BYTES = 64 * 1024;
const MIN = 60_000;
const NO_KEY = `InvalidIdentityToken: ${MESSAGES.couldNotRetrieveKey}`;

interface Ctx {
  readonly idp: ScriptedIdp;
  readonly provider: OidcProvider;
  readonly verifier: TokenVerifier;
  advance(ms: number): void;
}

interface Row {
  readonly mode: string;
  readonly register: 'uri' | 'discovery';
  /** 'OK', or `<code>: <message>`. */
  readonly answer: string;
  /** Requests the IdP saw: [discovery, JWKS]. */
  readonly fetches: readonly [number, number];
  /** Scripts the IdP (and warms the cache) before the measured request. */
  readonly arrange: (ctx: Ctx) => Promise<void>;
  /** The key that signs the measured tokens (default key A). */
  readonly signer?: TestKey;
}

const rows: readonly Row[] = [
  {
    mode: 'slow (100 ms, under the timeout)',
    register: 'uri',
    answer: 'OK',
    fetches: [0, 1],
    arrange: async ({ idp }) => void (idp.jwksMode = 'slow'),
  },
  {
    mode: 'slow (3 s, over the timeout)',
    register: 'uri',
    answer: NO_KEY,
    fetches: [0, 1],
    arrange: async ({ idp }) => {
      idp.jwksMode = 'slow';
      idp.slowMs = 3 * TIMEOUT_MS;
    },
  },
  { mode: 'hang', register: 'uri', answer: NO_KEY, fetches: [0, 1], arrange: async ({ idp }) => void (idp.jwksMode = 'hang') },
  {
    mode: 'hang (discovery)',
    register: 'discovery',
    answer: NO_KEY,
    fetches: [1, 0],
    arrange: async ({ idp }) => void (idp.discoveryMode = 'hang'),
  },
  { mode: '500', register: 'uri', answer: NO_KEY, fetches: [0, 1], arrange: async ({ idp }) => void (idp.jwksMode = '500') },
  {
    mode: '500 (discovery)',
    register: 'discovery',
    answer: NO_KEY,
    fetches: [1, 0],
    arrange: async ({ idp }) => void (idp.discoveryMode = '500'),
  },
  {
    mode: 'malformed JSON',
    register: 'uri',
    answer: NO_KEY,
    fetches: [0, 1],
    arrange: async ({ idp }) => void (idp.jwksMode = 'malformed'),
  },
  {
    mode: 'huge (4 MiB, cap 64 KiB)',
    register: 'uri',
    answer: NO_KEY,
    fetches: [0, 1],
    arrange: async ({ idp }) => void (idp.jwksMode = 'huge'),
  },
  {
    mode: 'redirect (not followed)',
    register: 'uri',
    answer: NO_KEY,
    fetches: [0, 1],
    arrange: async ({ idp }) => void (idp.jwksMode = 'redirect'),
  },
  {
    mode: 'issuer mismatch (discovery)',
    register: 'discovery',
    answer: NO_KEY,
    fetches: [1, 0],
    arrange: async ({ idp }) => void (idp.discoveryMode = 'issuer-mismatch'),
  },
  {
    mode: 'rotation (new kid 1 s after a fetch)',
    register: 'discovery',
    answer: 'OK',
    fetches: [1, 2],
    signer: keyB,
    arrange: async (ctx) => {
      await warm(ctx);
      ctx.idp.serveKeys([keyA, keyB]);
      ctx.advance(1000);
    },
  },
  {
    mode: 'outage after cache (500, 11 min later)',
    register: 'discovery',
    answer: 'OK',
    fetches: [2, 2],
    arrange: async (ctx) => {
      await warm(ctx);
      ctx.idp.jwksMode = '500';
      ctx.advance(11 * MIN);
    },
  },
  {
    mode: 'outage after cache (hang, 11 min later)',
    register: 'uri',
    answer: 'OK',
    fetches: [0, 2],
    arrange: async (ctx) => {
      await warm(ctx);
      ctx.idp.jwksMode = 'hang';
      ctx.advance(11 * MIN);
    },
  },
  {
    mode: 'outage after cache (500, 24 h 1 min later: past the stale bound)',
    register: 'uri',
    answer: NO_KEY,
    fetches: [0, 2],
    arrange: async (ctx) => {
      await warm(ctx);
      ctx.idp.jwksMode = '500';
      ctx.advance(24 * 60 * MIN + MIN);
    },
  },
];

const idps: ScriptedIdp[] = [];
after(() => Promise.all(idps.map((i) => i.close())));

let serial = 0;
const tokenFor = (ctx: Ctx, key: TestKey): string =>
  makeToken({ key, claims: standardClaims({ iss: ctx.provider.url, jti: `f-${++serial}` }) });

async function warm(ctx: Ctx): Promise<void> {
  await ctx.verifier.verify(tokenFor(ctx, keyA), NOW);
}

async function answerOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    assert.ok(err instanceof StsError, `rejected with ${String(err)}`);
    return `${err.code}: ${err.message}`;
  }
}

for (const row of rows) {
  test(`IdP ${row.mode}: ${row.answer === 'OK' ? 'accepted' : row.answer}`, async (t) => {
    const idp = await startScriptedIdp([keyA]);
    idps.push(idp);
    const provider =
      row.register === 'uri'
        ? makeProvider('https://idp.example.com', { kind: 'uri', uri: idp.jwksUri })
        : makeProvider(idp.url, { kind: 'discovery' });
    let clock = NOW.getTime();
    const verifier = createTokenVerifier([provider], { timeoutMs: TIMEOUT_MS, maxResponseBytes: MAX_BYTES, clock: () => clock });
    const ctx: Ctx = { idp, provider, verifier, advance: (ms) => void (clock += ms) };
    await row.arrange(ctx);
    const signer = row.signer ?? keyA;

    const started = Date.now();
    const answer = await answerOf(verifier.verify(tokenFor(ctx, signer), NOW));
    const ms = Date.now() - started;
    const more = await Promise.all(Array.from({ length: 10 }, () => answerOf(verifier.verify(tokenFor(ctx, signer), NOW))));
    for (let n = 0; n < 10; n++) more.push(await answerOf(verifier.verify(tokenFor(ctx, signer), NOW)));
    const fetches = [idp.discoveryFetches(), idp.jwksFetches()] as const;
    t.diagnostic(
      `| ${row.mode} | ${answer === 'OK' ? 'OK' : answer.slice(0, 40)} | ${ms} ms | discovery ${fetches[0]}, JWKS ${fetches[1]} |`,
    );

    assert.equal(answer, row.answer);
    assert.ok(ms < TIMEOUT_MS + 2000, `answered in ${ms} ms`);
    assert.deepEqual(
      more,
      Array.from({ length: 20 }, () => row.answer),
    );
    assert.deepEqual(fetches, row.fetches);
  });
}
