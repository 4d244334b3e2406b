/**
 * Token verification with inline key sets: every format, issuer, audience, algorithm, key, signature,
 * time-claim and header case of shared/reference/jwt-attacks.md §1-3 that needs no network.
 */
import assert from 'node:assert/strict';
import { createPublicKey, sign as cryptoSign } from 'node:crypto';
import { test } from 'node:test';
import { MESSAGES, StsError, type StsErrorCode } from '../../src/protocol/errors.js';
import { createTokenVerifier } from '../../src/identity/verifier.js';
import { refusingProvider } from '../../src/identity/refusal.js';
import type { VerifiedToken } from '../../src/identity/types.js';
import {
  assertSts,
  b64u,
  CLIENT_ID,
  ISSUER,
  jwks,
  makeKey,
  makeProvider,
  makeToken,
  NOW,
  NOW_S,
  signRaw,
  standardClaims,
} from '../helpers/identity-tokens.js';

const rsa = await makeKey('rsa', 'rsa-1');
const ec = await makeKey('ec256', 'ec-1');
const ec384 = await makeKey('ec384', 'ec384-1');
const ed = await makeKey('ed25519', 'ed-1');
const attacker = await makeKey('rsa', 'rsa-1'); // same kid as the registered key, different key
const attackerOwnKid = await makeKey('rsa', 'evil');
const rsaB = await makeKey('rsa', 'rsa-b');
const small = await makeKey('rsa1024', 'small');

const OTHER = 'https://two-keys.example.com';
const SMALL = 'https://small-key.example.com';
const MULTI = 'https://multi-aud.example.com';

const verifier = createTokenVerifier(
  [
    makeProvider(ISSUER, { kind: 'inline', jwks: jwks(rsa, ec, ec384, ed) }),
    makeProvider(OTHER, { kind: 'inline', jwks: jwks(rsa, rsaB) }),
    makeProvider(SMALL, { kind: 'inline', jwks: jwks(small) }),
    makeProvider(MULTI, { kind: 'inline', jwks: jwks(rsa) }, ['a', 'b']),
  ],
  { claimsCache: false },
);

const INVALID = MESSAGES.invalidIdentityToken;
const NO_KEY = MESSAGES.couldNotRetrieveKey;
const REDACTED = '*** Sensitive Data Redacted ***';

const valid = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string =>
  makeToken({ key: rsa, header, claims: standardClaims(claims) });
const raw = (header: string, payload: string, key = rsa): string => signRaw(header, payload, 'RS256', key.privateKey);
const segments = valid().split('.') as [string, string, string];

interface Case {
  readonly name: string;
  readonly token: () => string;
  /** Expected failure; absent means the token verifies. */
  readonly code?: StsErrorCode;
  readonly message?: string;
  readonly check?: (v: VerifiedToken) => void;
  readonly now?: Date;
}

const cases: Case[] = [
  // ---- length (sts.md §3: clientTokenType 4..20000), before anything is parsed
  {
    name: 'empty token',
    token: () => '',
    code: 'ValidationError',
    message: `1 validation error detected: Value '${REDACTED}' at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4`,
  },
  {
    name: '3-char token',
    token: () => 'a.b',
    code: 'ValidationError',
    message: `1 validation error detected: Value '${REDACTED}' at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4`,
  },
  { name: '4-char garbage is parsed (InvalidIdentityToken)', token: () => 'abcd', code: 'InvalidIdentityToken', message: INVALID },
  {
    name: '20001-char token',
    token: () => valid({ pad: 'x'.repeat(20000) }),
    code: 'ValidationError',
    message: `1 validation error detected: Value '${REDACTED}' at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000`,
  },
  { name: '5 MB token is refused before parsing', token: () => 'a'.repeat(5_000_000), code: 'ValidationError' },

  // ---- malformed (J10, J15)
  { name: '1 segment', token: () => 'eyJhbGciOiJSUzI1NiJ9', code: 'InvalidIdentityToken', message: INVALID },
  { name: '2 segments', token: () => `${segments[0]}.${segments[1]}`, code: 'InvalidIdentityToken', message: INVALID },
  { name: '4 segments', token: () => `${valid()}.AAAA`, code: 'InvalidIdentityToken', message: INVALID },
  { name: '5 segments (JWE shape)', token: () => `${segments[0]}.a.b.c.d`, code: 'InvalidIdentityToken', message: INVALID },
  { name: 'empty payload segment', token: () => `${segments[0]}..${segments[2]}`, code: 'InvalidIdentityToken', message: INVALID },
  { name: 'bad base64 in payload', token: () => `${segments[0]}.@@@@!!.${segments[2]}`, code: 'InvalidIdentityToken', message: INVALID },
  { name: 'bad base64 in header', token: () => `%%%%.${segments[1]}.${segments[2]}`, code: 'InvalidIdentityToken', message: INVALID },
  {
    name: 'payload is not JSON',
    token: () => `${segments[0]}.${b64u('not json')}.${segments[2]}`,
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'payload is a JSON array',
    token: () => raw('{"alg":"RS256","kid":"rsa-1"}', '[1]'),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'payload is a JSON string',
    token: () => raw('{"alg":"RS256","kid":"rsa-1"}', '"x"'),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  { name: 'payload is null', token: () => raw('{"alg":"RS256","kid":"rsa-1"}', 'null'), code: 'InvalidIdentityToken', message: INVALID },
  {
    name: 'payload is invalid UTF-8',
    token: () => `${segments[0]}.${b64u(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))}.${segments[2]}`,
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'header is not JSON',
    token: () => `${b64u('nope')}.${segments[1]}.${segments[2]}`,
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'header is a JSON array',
    token: () => `${b64u('[]')}.${segments[1]}.${segments[2]}`,
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'JWS JSON serialization',
    token: () => JSON.stringify({ protected: segments[0], payload: segments[1], signature: segments[2] }),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  { name: 'empty signature', token: () => `${segments[0]}.${segments[1]}.`, code: 'InvalidIdentityToken', message: INVALID },
  { name: 'whitespace around the token', token: () => ` ${valid()} `, code: 'InvalidIdentityToken' },

  // ---- issuer (P1-P4): exact string, checked before the algorithm and before any key lookup
  { name: 'iss absent', token: () => valid({ iss: undefined }), code: 'InvalidIdentityToken', message: INVALID },
  { name: 'iss is a number', token: () => valid({ iss: 123 }), code: 'InvalidIdentityToken', message: INVALID },
  {
    name: 'iss is an array holding the registered URL',
    token: () => valid({ iss: [ISSUER] }),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'iss not registered',
    token: () => valid({ iss: 'https://evil.example.com' }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider('https://evil.example.com'),
  },
  {
    name: 'iss with a trailing slash (message keeps it)',
    token: () => valid({ iss: `${ISSUER}/` }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider(`${ISSUER}/`),
  },
  {
    name: 'iss host in upper case',
    token: () => valid({ iss: 'https://OIDC.example.com/org/acme' }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider('https://OIDC.example.com/org/acme'),
  },
  {
    name: 'iss path case variant',
    token: () => valid({ iss: 'https://oidc.example.com/org/ACME' }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider('https://oidc.example.com/org/ACME'),
  },
  {
    name: 'iss scheme in upper case',
    token: () => valid({ iss: 'HTTPS://oidc.example.com/org/acme' }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider('HTTPS://oidc.example.com/org/acme'),
  },
  {
    name: 'iss with :443',
    token: () => valid({ iss: 'https://oidc.example.com:443/org/acme' }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider('https://oidc.example.com:443/org/acme'),
  },
  {
    name: 'iss with userinfo',
    token: () => valid({ iss: 'https://a@oidc.example.com/org/acme' }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider('https://a@oidc.example.com/org/acme'),
  },
  {
    name: 'iss with a trailing space',
    token: () => valid({ iss: `${ISSUER} ` }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider(`${ISSUER} `),
  },
  {
    name: 'iss with a query',
    token: () => valid({ iss: `${ISSUER}?` }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider(`${ISSUER}?`),
  },
  {
    name: 'iss "__proto__"',
    token: () => valid({ iss: '__proto__' }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider('__proto__'),
  },
  {
    name: 'iss "constructor"',
    token: () => valid({ iss: 'constructor' }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider('constructor'),
  },
  {
    name: 'iss carrying XML is echoed raw (escaping is the renderer’s job)',
    token: () => valid({ iss: 'https://x/</Message><Code>AccessDenied' }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider('https://x/</Message><Code>AccessDenied'),
  },
  {
    name: 'unsigned token with an unregistered iss: issuer error first',
    token: () => signRaw('{"alg":"none"}', JSON.stringify(standardClaims({ iss: 'http://169.254.169.254/latest' })), 'none'),
    code: 'InvalidIdentityToken',
    message: MESSAGES.noProvider('http://169.254.169.254/latest'),
  },

  // ---- audience (C9)
  { name: 'aud absent', token: () => valid({ aud: undefined }), code: 'InvalidIdentityToken', message: MESSAGES.missingAud },
  { name: 'aud wrong', token: () => valid({ aud: 'someone-else' }), code: 'InvalidIdentityToken', message: MESSAGES.incorrectAudience },
  { name: 'aud empty string', token: () => valid({ aud: '' }), code: 'InvalidIdentityToken', message: MESSAGES.incorrectAudience },
  {
    name: 'aud case variant',
    token: () => valid({ aud: CLIENT_ID.toUpperCase() }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.incorrectAudience,
  },
  { name: 'aud null', token: () => valid({ aud: null }), code: 'InvalidIdentityToken', message: MESSAGES.incorrectAudience },
  { name: 'aud number', token: () => valid({ aud: 5 }), code: 'InvalidIdentityToken', message: MESSAGES.incorrectAudience },
  {
    name: 'aud object',
    token: () => valid({ aud: { [CLIENT_ID]: true } }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.incorrectAudience,
  },
  {
    name: 'aud array without a match',
    token: () => valid({ aud: ['x', 'y'] }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.incorrectAudience,
  },
  { name: 'aud empty array', token: () => valid({ aud: [] }), code: 'InvalidIdentityToken', message: MESSAGES.incorrectAudience },
  {
    name: 'aud nested array',
    token: () => valid({ aud: [[CLIENT_ID]] }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.incorrectAudience,
  },
  {
    name: 'aud array with one match',
    token: () => valid({ aud: ['other', CLIENT_ID] }),
    check: (v) => assert.equal(v.audience, CLIENT_ID),
  },
  {
    name: 'aud array with a non-string and a match',
    token: () => valid({ aud: [5, CLIENT_ID] }),
    check: (v) => assert.equal(v.audience, CLIENT_ID),
  },
  {
    name: 'several matches: the first in token order is echoed',
    token: () => valid({ iss: MULTI, aud: ['b', 'a'] }),
    check: (v) => assert.equal(v.audience, 'b'),
  },
  {
    name: 'wrong aud and expired: audience is reported first',
    token: () => valid({ aud: 'x', exp: NOW_S - 4000 }),
    code: 'InvalidIdentityToken',
    message: MESSAGES.incorrectAudience,
  },

  // ---- algorithms (J1-J5)
  {
    name: 'alg none',
    token: () => signRaw('{"alg":"none","kid":"rsa-1"}', JSON.stringify(standardClaims()), 'none'),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'alg None (case variant)',
    token: () => signRaw('{"alg":"None"}', JSON.stringify(standardClaims()), 'none'),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'alg absent',
    token: () => raw('{"kid":"rsa-1"}', JSON.stringify(standardClaims())),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'alg rs256 (lower case)',
    token: () => raw('{"alg":"rs256","kid":"rsa-1"}', JSON.stringify(standardClaims())),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'alg is an array',
    token: () => raw('{"alg":["RS256"],"kid":"rsa-1"}', JSON.stringify(standardClaims())),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'HS256 keyed with the RSA public key PEM (key confusion)',
    token: () =>
      signRaw(
        '{"alg":"HS256","kid":"rsa-1"}',
        JSON.stringify(standardClaims()),
        'HS256',
        undefined,
        createPublicKey(rsa.privateKey).export({ type: 'spki', format: 'pem' }).toString(),
      ),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'HS256 keyed with the JWK modulus (key confusion)',
    token: () => signRaw('{"alg":"HS256","kid":"rsa-1"}', JSON.stringify(standardClaims()), 'HS256', undefined, rsa.jwk['n']),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'PS256 with the registered RSA key (JWK has no alg)',
    token: () => makeToken({ key: rsa, alg: 'PS256', claims: standardClaims() }),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'EdDSA with a registered Ed25519 key',
    token: () => makeToken({ key: ed, alg: 'EdDSA', claims: standardClaims() }),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'ES256 with r=s=0 (psychic signature)',
    token: () => `${b64u('{"alg":"ES256","kid":"ec-1"}')}.${b64u(JSON.stringify(standardClaims()))}.${b64u(Buffer.alloc(64))}`,
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'ES256 with a DER-encoded signature',
    token: () => {
      const input = `${b64u('{"alg":"ES256","kid":"ec-1"}')}.${b64u(JSON.stringify(standardClaims()))}`;
      return `${input}.${cryptoSign('sha256', Buffer.from(input), ec.privateKey).toString('base64url')}`;
    },
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'RS256 header over an ES256 signature',
    token: () => {
      const t = makeToken({ key: ec, alg: 'ES256', claims: standardClaims() }).split('.');
      return `${b64u('{"alg":"RS256","kid":"rsa-1"}')}.${t[1]}.${t[2]}`;
    },
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'ES384 with a P-256 key kid (curve mismatch)',
    token: () => makeToken({ key: ec, alg: 'ES384', claims: standardClaims() }),
    code: 'InvalidIdentityToken',
    message: NO_KEY,
  },
  { name: 'RS256 verifies', token: () => valid(), check: (v) => assert.equal(v.header['alg'], 'RS256') },
  { name: 'RS384 verifies', token: () => makeToken({ key: rsa, alg: 'RS384', claims: standardClaims() }) },
  { name: 'RS512 verifies', token: () => makeToken({ key: rsa, alg: 'RS512', claims: standardClaims() }) },
  { name: 'ES256 verifies', token: () => makeToken({ key: ec, alg: 'ES256', claims: standardClaims() }) },
  { name: 'ES384 verifies', token: () => makeToken({ key: ec384, alg: 'ES384', claims: standardClaims() }) },
  {
    name: 'RSA key under 2048 bits is refused',
    token: () => makeToken({ key: small, claims: standardClaims({ iss: SMALL }) }),
    code: 'InvalidIdentityToken',
  },

  // ---- key selection (J7, P8)
  { name: 'unknown kid', token: () => valid({}, { kid: 'nope' }), code: 'InvalidIdentityToken', message: NO_KEY },
  { name: 'kid path traversal', token: () => valid({}, { kid: '../../../../etc/passwd' }), code: 'InvalidIdentityToken', message: NO_KEY },
  {
    name: 'kid that looks like a URL',
    token: () => valid({}, { kid: 'http://169.254.169.254/' }),
    code: 'InvalidIdentityToken',
    message: NO_KEY,
  },
  { name: 'kid is a number', token: () => valid({}, { kid: 1 }), code: 'InvalidIdentityToken', message: NO_KEY },
  { name: 'kid absent, one key of the type', token: () => valid({}, { kid: undefined }) },
  {
    name: 'kid absent, two keys of the type',
    token: () => makeToken({ key: rsa, header: { kid: undefined }, claims: standardClaims({ iss: OTHER }) }),
    code: 'InvalidIdentityToken',
    message: NO_KEY,
  },
  { name: 'second key of a provider selected by kid', token: () => makeToken({ key: rsaB, claims: standardClaims({ iss: OTHER }) }) },

  // ---- signature
  {
    name: 'signed by another key under the registered kid',
    token: () => makeToken({ key: attacker, claims: standardClaims() }),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'signed by another key, kid absent',
    token: () => makeToken({ key: attacker, header: { kid: undefined }, claims: standardClaims() }),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'tampered payload',
    token: () => `${segments[0]}.${b64u(JSON.stringify(standardClaims({ sub: 'repo:evil/x:ref:refs/heads/main' })))}.${segments[2]}`,
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'tampered header',
    token: () => `${b64u('{"alg":"RS256","kid":"rsa-1","typ":"X"}')}.${segments[1]}.${segments[2]}`,
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'truncated signature',
    token: () => `${segments[0]}.${segments[1]}.${segments[2].slice(0, 100)}`,
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'signature of another token',
    token: () => `${segments[0]}.${segments[1]}.${valid({ sub: 'other' }).split('.')[2]}`,
    code: 'InvalidIdentityToken',
    message: INVALID,
  },

  // ---- time claims (C1-C8)
  {
    name: 'exp past beyond the skew',
    token: () => valid({ exp: NOW_S - 400 }),
    code: 'ExpiredTokenException',
    message: `Token expired: current date/time ${NOW_S} must be before the expiration date/time ${NOW_S - 400}`,
  },
  {
    name: 'exp exactly at the skew edge is expired',
    token: () => valid({ exp: NOW_S - 300 }),
    code: 'ExpiredTokenException',
    message: MESSAGES.tokenExpired(NOW_S, NOW_S - 300),
  },
  { name: 'exp within the skew is accepted', token: () => valid({ exp: NOW_S - 200 }) },
  { name: 'exp one second inside the skew is accepted', token: () => valid({ exp: NOW_S - 299 }) },
  {
    name: 'exp uses whole seconds of now',
    token: () => valid({ exp: NOW_S - 300 }),
    now: new Date(NOW.getTime() + 999),
    code: 'ExpiredTokenException',
    message: MESSAGES.tokenExpired(NOW_S, NOW_S - 300),
  },
  { name: 'exp negative', token: () => valid({ exp: -1 }), code: 'ExpiredTokenException', message: MESSAGES.tokenExpired(NOW_S, -1) },
  { name: 'exp absent', token: () => valid({ exp: undefined }), code: 'InvalidIdentityToken', message: INVALID },
  { name: 'exp as a string', token: () => valid({ exp: String(NOW_S + 3600) }), code: 'InvalidIdentityToken', message: INVALID },
  {
    name: 'exp as a string in the past',
    token: () => valid({ exp: String(NOW_S - 3600) }),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  { name: 'exp null', token: () => valid({ exp: null }), code: 'InvalidIdentityToken', message: INVALID },
  { name: 'exp true', token: () => valid({ exp: true }), code: 'InvalidIdentityToken', message: INVALID },
  { name: 'exp float in the future', token: () => valid({ exp: NOW_S + 600.5 }), code: 'InvalidIdentityToken', message: INVALID },
  {
    name: 'exp float in the past: invalid, not expired',
    token: () => valid({ exp: NOW_S - 600.5 }),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  { name: 'exp 1e300', token: () => valid({ exp: 1e300 }), code: 'InvalidIdentityToken', message: INVALID },
  {
    name: 'exp 1e400 (Infinity after JSON.parse)',
    token: () => raw('{"alg":"RS256","kid":"rsa-1"}', JSON.stringify(standardClaims({ exp: undefined })).replace(/}$/, ',"exp":1e400}')),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  { name: 'exp MAX_SAFE_INTEGER (far future) is accepted', token: () => valid({ exp: Number.MAX_SAFE_INTEGER }) },
  { name: 'exp 2^53 is refused', token: () => valid({ exp: 2 ** 53 }), code: 'InvalidIdentityToken', message: INVALID },
  {
    name: 'exp written with a .0 fraction (an integer value) is accepted',
    token: () =>
      raw('{"alg":"RS256","kid":"rsa-1"}', JSON.stringify(standardClaims({ exp: undefined })).replace(/}$/, `,"exp":${NOW_S + 3600}.0}`)),
  },
  { name: 'nbf beyond the skew', token: () => valid({ nbf: NOW_S + 3600 }), code: 'InvalidIdentityToken', message: INVALID },
  { name: 'nbf within the skew', token: () => valid({ nbf: NOW_S + 200 }) },
  { name: 'nbf as a string', token: () => valid({ nbf: String(NOW_S) }), code: 'InvalidIdentityToken', message: INVALID },
  { name: 'nbf float', token: () => valid({ nbf: NOW_S - 0.5 }), code: 'InvalidIdentityToken', message: INVALID },
  { name: 'iat in the future beyond the skew', token: () => valid({ iat: NOW_S + 3600 }), code: 'InvalidIdentityToken', message: INVALID },
  { name: 'iat within the skew', token: () => valid({ iat: NOW_S + 200 }) },
  { name: 'iat 30 days old (no age limit)', token: () => valid({ iat: NOW_S - 30 * 86400 }) },
  { name: 'iat as a string', token: () => valid({ iat: String(NOW_S) }), code: 'InvalidIdentityToken', message: INVALID },
  { name: 'iat float', token: () => valid({ iat: NOW_S + 0.25 }), code: 'InvalidIdentityToken', message: INVALID },
  { name: 'iat and nbf absent', token: () => valid({ iat: undefined, nbf: undefined }) },

  // ---- headers (J6, J8, J9, J11) and duplicate names (J12)
  {
    name: 'embedded jwk/jku/x5u/x5c headers are ignored on a good token',
    token: () => valid({}, { jwk: attackerOwnKid.jwk, jku: 'http://127.0.0.1:9/jwks', x5u: 'http://127.0.0.1:9/x5u', x5c: ['AAAA'] }),
    check: (v) => assert.equal(v.header['jku'], 'http://127.0.0.1:9/jwks'),
  },
  {
    name: 'attacker key embedded as jwk, signed with it (own kid)',
    token: () => makeToken({ key: attackerOwnKid, header: { jwk: attackerOwnKid.jwk }, claims: standardClaims() }),
    code: 'InvalidIdentityToken',
    message: NO_KEY,
  },
  {
    name: 'attacker key embedded as jwk, signed with it (no kid)',
    token: () => makeToken({ key: attackerOwnKid, header: { kid: undefined, jwk: attackerOwnKid.jwk }, claims: standardClaims() }),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'crit with an unknown extension',
    token: () => valid({}, { crit: ['exp'], exp: 1 }),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  { name: 'crit naming an absent header', token: () => valid({}, { crit: ['x-custom'] }), code: 'InvalidIdentityToken', message: INVALID },
  { name: 'crit is not an array', token: () => valid({}, { crit: 'b64' }), code: 'InvalidIdentityToken', message: INVALID },
  {
    name: 'unencoded payload (b64:false)',
    token: () => {
      const header = b64u('{"alg":"RS256","kid":"rsa-1","crit":["b64"],"b64":false}');
      const payload = JSON.stringify(standardClaims());
      return `${header}.${payload}.${cryptoSign('sha256', Buffer.from(`${header}.${payload}`), rsa.privateKey).toString('base64url')}`;
    },
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'unknown typ is accepted',
    token: () => valid({}, { typ: 'application/x-unknown' }),
    check: (v) => assert.equal(v.header['typ'], 'application/x-unknown'),
  },
  { name: 'typ absent is accepted', token: () => valid({}, { typ: undefined }) },
  {
    name: 'duplicate alg in the header: the last wins',
    token: () => raw('{"alg":"none","kid":"rsa-1","alg":"RS256"}', JSON.stringify(standardClaims())),
    check: (v) => assert.equal(v.header['alg'], 'RS256'),
  },
  {
    name: 'duplicate alg, last is none',
    token: () => raw('{"alg":"RS256","kid":"rsa-1","alg":"none"}', JSON.stringify(standardClaims())),
    code: 'InvalidIdentityToken',
    message: INVALID,
  },
  {
    name: 'duplicate sub: the last wins, as jose parsed it',
    token: () =>
      raw(
        '{"alg":"RS256","kid":"rsa-1"}',
        JSON.stringify(standardClaims({ sub: undefined })).replace(
          /}$/,
          ',"sub":"repo:acme/api:ref:refs/heads/main","sub":"repo:evil/x:ref:refs/heads/main"}',
        ),
      ),
    check: (v) => assert.equal(v.claims['sub'], 'repo:evil/x:ref:refs/heads/main'),
  },
  {
    name: 'duplicate iss: routing and verification agree on the last',
    token: () =>
      raw(
        '{"alg":"RS256","kid":"rsa-1"}',
        JSON.stringify(standardClaims({ iss: undefined })).replace(/}$/, `,"iss":"https://evil.example.com","iss":"${ISSUER}"}`),
      ),
    check: (v) => assert.equal(v.provider.url, ISSUER),
  },

  // ---- claims are plain data (C11)
  {
    name: '__proto__ claim is an own property of a null-prototype object',
    token: () =>
      raw(
        '{"alg":"RS256","kid":"rsa-1"}',
        JSON.stringify(standardClaims({ sub: undefined })).replace(/}$/, ',"__proto__":{"sub":"repo:acme/api:ref:refs/heads/main"}}'),
      ),
    check: (v) => {
      assert.equal(Object.getPrototypeOf(v.claims), null);
      assert.ok(Object.hasOwn(v.claims, '__proto__'));
      assert.equal(v.claims['sub'], undefined);
      assert.equal(Object.hasOwn(v.claims, 'sub'), false);
    },
  },
  {
    name: 'constructor and toString claims are data',
    token: () => valid({ constructor: 'x', toString: 1 }),
    check: (v) => {
      assert.equal(v.claims['constructor'], 'x');
      assert.equal(v.claims['toString'], 1);
    },
  },
  {
    name: '__proto__ aud does not count as aud',
    token: () =>
      raw(
        '{"alg":"RS256","kid":"rsa-1"}',
        JSON.stringify(standardClaims({ aud: undefined })).replace(/}$/, `,"__proto__":{"aud":"${CLIENT_ID}"}}`),
      ),
    code: 'InvalidIdentityToken',
    message: MESSAGES.missingAud,
  },
  {
    name: 'claims and header are frozen, nested values too',
    token: () => valid({ nested: { a: [1, { b: 2 }] } }),
    check: (v) => {
      assert.ok(Object.isFrozen(v.claims));
      assert.ok(Object.isFrozen(v.header));
      assert.ok(Object.isFrozen((v.claims['nested'] as { a: unknown[] }).a[1]));
      assert.throws(() => {
        (v.claims as Record<string, unknown>)['sub'] = 'x';
      }, TypeError);
    },
  },
  {
    // Deeper than any real token (the limit is 32 levels): refused as malformed before anything walks it.
    name: '4,000-deep nested claim is refused without overflowing',
    token: () =>
      raw('{"alg":"RS256","kid":"rsa-1"}', JSON.stringify(standardClaims()).replace(/}$/, `,"x":${'['.repeat(4000)}${']'.repeat(4000)}}`)),
    code: 'InvalidIdentityToken',
    message: MESSAGES.invalidIdentityToken,
  },
  {
    name: 'result carries provider, header and the matched audience',
    token: () => valid(),
    check: (v) => {
      assert.equal(v.provider.url, ISSUER);
      assert.equal(v.header['kid'], 'rsa-1');
      assert.equal(v.audience, CLIENT_ID);
      assert.equal(v.claims['sub'], 'repo:acme/api:ref:refs/heads/main');
    },
  },
];

for (const c of cases) {
  test(c.name, async () => {
    const token = c.token();
    const pending = verifier.verify(token, c.now ?? NOW);
    if (c.code === undefined) {
      let v: VerifiedToken;
      try {
        v = await pending;
      } catch (err) {
        assert.fail(`expected success, got ${err instanceof StsError ? `${err.code}: ${err.message} (${err.reason ?? ''})` : String(err)}`);
      }
      c.check?.(v);
    } else {
      await assertSts(pending, c.code, c.message);
    }
  });
}

/** A refusal names the provider exactly when iss matched one (for the audit log and explain); the answer is unchanged. */
const refusals: readonly [name: string, token: () => string, code: StsErrorCode, provider: string | undefined][] = [
  ['not a JWT', () => 'abcd', 'InvalidIdentityToken', undefined],
  ['iss not registered', () => valid({ iss: 'https://evil.example.com' }), 'InvalidIdentityToken', undefined],
  ['no iss', () => valid({ iss: undefined }), 'InvalidIdentityToken', undefined],
  [
    'alg HS256 from a registered iss',
    () => raw('{"alg":"HS256","kid":"rsa-1"}', JSON.stringify(standardClaims())),
    'InvalidIdentityToken',
    ISSUER,
  ],
  ['wrong audience', () => valid({ aud: 'other' }), 'InvalidIdentityToken', ISSUER],
  ['expired', () => valid({ exp: NOW_S - 301 }), 'ExpiredTokenException', ISSUER],
  ['signed by another key with the same kid', () => makeToken({ key: attacker, claims: standardClaims() }), 'InvalidIdentityToken', ISSUER],
  ['a kid the provider does not have', () => makeToken({ key: attackerOwnKid, claims: standardClaims() }), 'InvalidIdentityToken', ISSUER],
  ['the other provider, wrong audience', () => valid({ iss: OTHER, aud: 'nope' }), 'InvalidIdentityToken', OTHER],
];
for (const [name, token, code, provider] of refusals) {
  test(`refusal names its provider only after iss matched: ${name}`, async () => {
    const err = await verifier.verify(token(), NOW).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof StsError);
    assert.equal(err.code, code);
    assert.equal(refusingProvider(err)?.url, provider);
  });
}

test('a cache hit refused by its time claims names its provider too', async () => {
  const cached = createTokenVerifier([makeProvider(ISSUER, { kind: 'inline', jwks: jwks(rsa) })]);
  const token = valid({ exp: NOW_S + 60 });
  await cached.verify(token, NOW);
  await cached.verify(token, NOW); // second sight: cached
  const later = new Date((NOW_S + 60 + 301) * 1000);
  const err = await cached.verify(token, later).then(
    () => assert.fail('expected ExpiredTokenException'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StsError && err.code === 'ExpiredTokenException');
  assert.equal(refusingProvider(err)?.url, ISSUER);
});

test('largest token within 20000 characters verifies; one character more is a ValidationError', async () => {
  let below: string | undefined;
  let above: string | undefined;
  for (let pad = 14000; pad < 15500 && (below === undefined || above === undefined); pad++) {
    const t = valid({ pad: 'x'.repeat(pad) });
    if (t.length <= 20000) below = t;
    else above ??= t;
  }
  assert.ok(below !== undefined && above !== undefined);
  assert.ok(below.length >= 19995, `closest token below the limit is ${below.length}`);
  await verifier.verify(below, NOW);
  await assertSts(verifier.verify(above, NOW), 'ValidationError');
});

test('a non-string token is a ValidationError (not null)', async () => {
  await assertSts(
    verifier.verify(undefined as unknown as string, NOW),
    'ValidationError',
    "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null",
  );
});

test('an invalid clock is an InternalFailure, not a token error', async () => {
  await assertSts(verifier.verify(valid(), new Date(NaN)), 'InternalFailure', MESSAGES.internalFailure);
});

test('a provider with a malformed inline JWKS answers "Couldn\'t retrieve verification key"', async () => {
  const v = createTokenVerifier([makeProvider(ISSUER, { kind: 'inline', jwks: { keys: 'nope' as unknown as [] } })]);
  await assertSts(v.verify(valid(), NOW), 'InvalidIdentityToken', NO_KEY);
});

test('a JWKS holding a private key is refused', async () => {
  const priv = rsa.privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const v = createTokenVerifier([makeProvider(ISSUER, { kind: 'inline', jwks: { keys: [{ ...priv, kid: 'rsa-1' }] } })]);
  await assertSts(v.verify(valid(), NOW), 'InvalidIdentityToken', NO_KEY);
});

test('only the first of two providers with the same URL is used', async () => {
  const v = createTokenVerifier([
    makeProvider(ISSUER, { kind: 'inline', jwks: jwks(rsa) }),
    makeProvider(ISSUER, { kind: 'inline', jwks: jwks(attacker) }),
  ]);
  await v.verify(valid(), NOW);
  await assertSts(v.verify(makeToken({ key: attacker, claims: standardClaims() }), NOW), 'InvalidIdentityToken', INVALID);
});

test('no provider registered: every token is "No OpenIDConnect provider"', async () => {
  const v = createTokenVerifier([]);
  await assertSts(v.verify(valid(), NOW), 'InvalidIdentityToken', MESSAGES.noProvider(ISSUER));
});

test('bad options are a TypeError at construction', () => {
  for (const bad of [
    { timeoutMs: -1 },
    { timeoutMs: 1.5 },
    { cooldownMs: Number.NaN },
    { cacheMaxAgeMs: Infinity },
    { maxResponseBytes: -5 },
  ]) {
    assert.throws(() => createTokenVerifier([], bad), TypeError);
  }
});
