/**
 * The fuzz generator, shared by test/faults/fuzz.test.ts (a few thousand cases against the in-process server) and
 * scripts/fuzz.js (100,000 against `serve`, importing it from dist/); fuzz-client.ts sends the cases and checks answers.
 *
 * Case `i` of seed `s` is a function of (s, i) alone: the same mutations whatever the concurrency. It starts from a real
 * request (AssumeRoleWithWebIdentity, GetCallerIdentity or AssumeRole signed with SigV4, an emulator route) and applies
 * none to four mutations: parameters, the token (characters of a segment, segments, claims re-signed with the demo key),
 * headers, the signature, the method and path, the body's encoding and the HTTP framing. Tokens and credentials are
 * minted at the start of a run, so the bytes differ between runs; the mutations do not.
 */
import { constants, createHash, createHmac, createPublicKey, sign as cryptoSign, type Hash, type Hmac } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { loadOrCreateSigningKey, type EmulatedKey } from '../../src/identity/emulated.js';
import { presetClaims } from '../../src/identity/provider-kinds.js';
import {
  ACCOUNT,
  CIRCLE_ISSUER,
  CIRCLE_KEY_FILE,
  CIRCLE_ORG,
  DEMO_POLICIES,
  GITHUB_ISSUER,
  GITHUB_KEY_FILE,
  roleArn,
} from '../helpers/harness.js';
import { roleFile, tempPolicies, type Creds, type TempPolicies } from '../server/helpers.js';

// ---- a seeded PRNG (sfc32, seeded through splitmix32) ----

class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    let s = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** 0 <= n < max. */
  int(max: number): number {
    return max <= 0 ? 0 : Math.floor((this.u32() / 0x1_0000_0000) * max);
  }
  /** lo <= n <= hi. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  /** An entry of [weight, value] pairs, by weight. */
  weighted<T>(table: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of table) total += w;
    let r = this.int(total);
    for (const [w, v] of table) {
      if (r < w) return v;
      r -= w;
    }
    return (table[table.length - 1] as readonly [number, T])[1];
  }
}

/** A random seed for a run that was given none. */
const randomSeed = (): number => Math.floor(Math.random() * 0x1_0000_0000) >>> 0;

/** FUZZ_SEED as a uint32 (decimal or 0x hex), or a fresh random seed. */
export function seedFrom(env: NodeJS.ProcessEnv): number {
  const text = env['FUZZ_SEED'];
  if (text === undefined || text === '') return randomSeed();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff)
    throw new Error(`FUZZ_SEED must be a whole number from 0 to 4294967295, got '${text}'`);
  return n;
}

// ---- strings and JSON of every shape ----

/** Characters that break parsers, escapers, matchers and header writers. */
// prettier-ignore
const ODD = [
  '\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u000b', '\u000c', '\u001b', '\u007f', '\u0080', '\u0085', '\u00a0', '\u00ad',
  '\u2028', '\u2029', '\u200b', '\u200d', '\u202e', '\ufeff', '\ufffd', '\ufffe', '\uffff', '\ud800', '\udc00', '\ud83d\ude00', '\ud83d',
  'é', 'e\u0301', 'ß', 'İ', 'ı', 'ｒ', 'а', 'Ω', '中', '\u0301', '<', '>', '&', '"', "'", ']]>', '<!--', '%', '%00', '%ZZ', '+', '=',
  '&amp;', '\\', '/', '*', '?', ' ', ':', ';', ',', '@', '${aws:username}', '$', '{', '}', '[', ']', '#', '..', 'NaN', 'null',
] as const;
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const B64U = ALNUM + '-_';

/** A short string mixing plain text, odd characters and random code points (astral ones too). */
function oddString(rng: Rng, max = 24): string {
  const n = rng.int(max + 1);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rng.int(10);
    if (r < 4) s += ALNUM[rng.int(ALNUM.length)];
    else if (r < 8) s += rng.pick(ODD);
    else if (r < 9) s += String.fromCodePoint(rng.int(0xd800));
    else s += String.fromCodePoint(rng.range(0x10000, 0x10ffff));
  }
  return s;
}

/** Lengths at and around the limits STS checks (2, 64, 1224, 2048, 20000) and the body limit. */
const LENGTHS = [0, 1, 2, 3, 4, 63, 64, 65, 128, 1224, 1225, 2047, 2048, 2049, 19_999, 20_000, 20_001, 65_536, 140_000] as const;

function hugeString(rng: Rng): string {
  const n = rng.pick(LENGTHS);
  const unit = rng.pick(['a', 'é', '\ud83d\ude00', '%', '&', '=', '<', '\u0000', ' ', 'A-', rng.pick(ODD)]);
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

// prettier-ignore
const NUMBERS = [
  '0', '-0', '1', '-1', '1.5', '1e3', '1E+2', '0.0000001', '9007199254740991', '9007199254740993', '1e308', '1e400', '-1e400', '5e-324',
  '123456789012345678901234567890',
];

/** JSON text of any type and (bounded) nesting, including numbers JSON.parse turns into Infinity and -0. */
function jsonText(rng: Rng, depth = 0): string {
  const r = rng.int(depth >= 3 ? 7 : 10);
  switch (r) {
    case 0:
      return 'null';
    case 1:
      return rng.chance(0.5) ? 'true' : 'false';
    case 2:
    case 3:
      return rng.pick(NUMBERS);
    case 4:
    case 5:
      return JSON.stringify(oddString(rng));
    case 6:
      return rng.pick([
        '"\\ud800"',
        '"\\udc00x"',
        '"\\u0000"',
        '"a\\u0000b"',
        '""',
        '"\\u202e"',
        JSON.stringify(hugeString(rng).slice(0, 15_000)),
      ]);
    case 7:
    case 8:
      return '[' + Array.from({ length: rng.int(4) }, () => jsonText(rng, depth + 1)).join(',') + ']';
    default: {
      const keys = ['a', '__proto__', 'constructor', 'toString', 'valueOf', '', 'sub', oddString(rng, 6)];
      return (
        '{' + Array.from({ length: rng.int(4) }, () => `${JSON.stringify(rng.pick(keys))}:${jsonText(rng, depth + 1)}`).join(',') + '}'
      );
    }
  }
}

/** `depth` nested arrays or objects as text (JSON.stringify overflows on the deep ones). */
function deepText(rng: Rng): string {
  const depth = rng.pick([31, 32, 33, 64, 1000, 4000]);
  return rng.chance(0.5) ? '['.repeat(depth) + '"x"' + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

// ---- the context of a run: keys, tokens and credentials ----

export interface FuzzContext {
  /** Host header value: host:port of the server. */
  readonly host: string;
  readonly port: number;
  readonly hostname: string;
  readonly circleKey: EmulatedKey;
  readonly githubKey: EmulatedKey;
  readonly circleClaims: Readonly<Record<string, unknown>>;
  readonly githubClaims: Readonly<Record<string, unknown>>;
  /** Valid tokens: allowed on deploy-main, denied there (feature branch), expired, V1 sub, GitHub, with tags and a source identity. */
  readonly tokens: Readonly<Record<TokenName, string>>;
  /** deploy-main's session (may AssumeRole prod-deployer and fuzz-open) and ci-project's. */
  readonly creds: Creds;
  readonly otherCreds: Creds;
  /** GET paths of the emulated issuers' discovery documents and JWKS. */
  readonly issuerPaths: readonly string[];
}

type TokenName = 'allowed' | 'denied' | 'expired' | 'v1' | 'github' | 'tagged';
const TAGS = 'https://aws.amazon.com/tags';
const SOURCE_IDENTITY = 'https://aws.amazon.com/source_identity';
const CIRCLE_PROVIDER = `oidc.circleci.com/org/${CIRCLE_ORG}`;
const GITHUB_PROVIDER = 'token.actions.githubusercontent.com';

/**
 * The demo roles plus `fuzz-open`, which any session of the two demo issuers and any principal of the account may assume
 * with tags and a source identity, so odd tags and source identities reach the code that reads them.
 */
export async function fuzzPolicies(): Promise<TempPolicies> {
  const roles: Record<string, unknown> = {};
  const dir = join(DEMO_POLICIES, 'roles');
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.json')))
    roles[f.slice(0, -5)] = JSON.parse(await readFile(join(dir, f), 'utf8'));
  const federated = [CIRCLE_PROVIDER, GITHUB_PROVIDER].map((p) => `arn:aws:iam::${ACCOUNT}:oidc-provider/${p}`);
  roles['fuzz-open'] = roleFile('fuzz-open', [
    {
      Effect: 'Allow',
      Principal: { Federated: federated },
      Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity'],
    },
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
    },
  ]);
  return tempPolicies(roles);
}

const b64u = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

/** A compact JWS over exactly these header and payload bytes, RS256 with `key`. */
function signRs256(key: EmulatedKey, header: string, payload: string | Buffer): string {
  const data = `${b64u(header)}.${b64u(payload)}`;
  return `${data}.${cryptoSign('sha256', Buffer.from(data), key.privateKey).toString('base64url')}`;
}

const headerOf = (key: EmulatedKey): string => JSON.stringify({ alg: 'RS256', kid: key.kid, typ: 'JWT' });

/** Mints the tokens and asks `url` for two sessions (deploy-main, ci-project). `url` serves fuzzPolicies(). */
export async function createFuzzContext(url: string): Promise<FuzzContext> {
  const u = new URL(url);
  const now = new Date();
  const t = { now, ttlSeconds: 3600 };
  const circleKey = await loadOrCreateSigningKey(CIRCLE_KEY_FILE);
  const githubKey = await loadOrCreateSigningKey(GITHUB_KEY_FILE);
  const circle = presetClaims('circleci', CIRCLE_ISSUER, { branch: 'main' }, t);
  const github = presetClaims('github', GITHUB_ISSUER, { branch: 'main' }, t, 'fuzz-jti');
  const circleToken = (claims: Record<string, unknown>): string => signRs256(circleKey, headerOf(circleKey), JSON.stringify(claims));
  const tokens: Record<TokenName, string> = {
    allowed: circleToken(circle),
    denied: circleToken(presetClaims('circleci', CIRCLE_ISSUER, { branch: 'feature/x' }, t)),
    expired: circleToken(
      presetClaims('circleci', CIRCLE_ISSUER, { branch: 'main' }, { now: new Date(now.getTime() - 7200_000), ttlSeconds: 3600 }),
    ),
    v1: circleToken(presetClaims('circleci', CIRCLE_ISSUER, { v1: true }, t)),
    github: signRs256(githubKey, headerOf(githubKey), JSON.stringify(github)),
    tagged: circleToken({
      ...circle,
      [TAGS]: { principal_tags: { team: ['fuzz'], env: ['ci'] }, transitive_tag_keys: ['team'] },
      [SOURCE_IDENTITY]: 'fuzz-user',
    }),
  };
  const session = async (token: string, role: string): Promise<Creds> => {
    const body = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: roleArn(role),
      RoleSessionName: 'fuzz',
      WebIdentityToken: token,
    });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    const text = await res.text();
    const field = (name: string): string => {
      const m = new RegExp(`<${name}>([^<]+)</${name}>`).exec(text);
      if (m === null) throw new Error(`no ${name} in the answer to AssumeRoleWithWebIdentity ${role}: ${res.status} ${text.slice(0, 300)}`);
      return m[1] as string;
    };
    return { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey'), sessionToken: field('SessionToken') };
  };
  const issuerPaths = [CIRCLE_PROVIDER, GITHUB_PROVIDER].flatMap((p) => [
    `/oidc/${p}/.well-known/openid-configuration`,
    `/oidc/${p}/.well-known/jwks.json`,
  ]);
  return {
    host: u.host,
    port: Number(u.port),
    hostname: u.hostname,
    circleKey,
    githubKey,
    circleClaims: circle,
    githubClaims: github,
    tokens,
    creds: await session(tokens.allowed, 'deploy-main'),
    otherCreds: await session(tokens.v1, 'ci-project'),
    issuerPaths,
  };
}

// ---- the request being built ----

type Pair = [string, string];
type Kind = 'web' | 'caller' | 'assume' | 'emulator' | 'garbage';

interface Draft {
  readonly kind: Kind;
  readonly labels: string[];
  method: string;
  path: string;
  /** Parameters, sent in the body (POST form) or the query. */
  params: Pair[];
  where: 'body' | 'query' | 'split';
  /** Extra query text appended as is (emulator routes, garbage). */
  queryText: string;
  headers: Pair[];
  contentType: string | undefined;
  sign: 'header' | 'presign' | 'none';
  creds: Creds | undefined;
  /** After encoding: the body and query text (encoding mutations work on these). */
  body: Buffer | undefined;
  query: string;
  /** Appended to the query after signing (a presigned query is re-encoded from `params`). */
  queryTail: string;
  version: string;
  framing: 'length' | 'chunked' | 'none' | 'short' | 'long';
  /** Raw framing: TE/CL header lines written as given instead of computed. */
  frameHeaders: Pair[] | undefined;
  chunkSizes: number[] | undefined;
  /** Needs a connection of its own (framing lies, raw request lines): the socket is closed after the answer. */
  fresh: boolean;
  /** The head is written as given: no Host added. */
  noHost: boolean;
  /** The body never ends as framed: the client half-closes after writing it (a complete request is never half-closed). */
  incomplete: boolean;
  lineEnd: string;
}

/** One request on the wire. */
export interface FuzzRequest {
  readonly index: number;
  readonly labels: readonly string[];
  readonly method: string;
  readonly target: string;
  readonly bytes: Buffer;
  readonly fresh: boolean;
  /** Half-close after writing: the body never ends as framed (a Content-Length longer than the body, a chunk missing). */
  readonly halfClose: boolean;
}

const ROLE_NAMES = ['deploy-main', 'ci-project', 'github-deploy-main', 'prod-deployer', 'fuzz-open', 'seed004-fixed', 'no-such-role'];

function webDraft(rng: Rng, ctx: FuzzContext): Draft {
  const [tokenName, role] = rng.weighted<readonly [TokenName, string]>([
    [4, ['allowed', 'deploy-main']],
    [2, ['denied', 'deploy-main']],
    [1, ['expired', 'deploy-main']],
    [2, ['v1', 'ci-project']],
    [1, ['github', 'github-deploy-main']],
    [2, ['tagged', 'fuzz-open']],
    [1, ['allowed', rng.pick(ROLE_NAMES)]],
  ]);
  const params: Pair[] = [
    ['Action', 'AssumeRoleWithWebIdentity'],
    ['Version', '2011-06-15'],
    ['RoleArn', roleArn(role)],
    ['RoleSessionName', rng.pick(['fuzz', 'fuzz-session', 'a.b@c=d,e', 'x'.repeat(64)])],
    ['WebIdentityToken', ctx.tokens[tokenName]],
  ];
  if (rng.chance(0.2)) params.push(['DurationSeconds', rng.pick(['900', '3600', '7200', '43200'])]);
  if (rng.chance(0.1))
    params.push([
      'Policy',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }),
    ]);
  if (rng.chance(0.05)) params.push(['PolicyArns.member.1.arn', 'arn:aws:iam::aws:policy/ReadOnlyAccess']);
  if (rng.chance(0.05)) params.push(['ProviderId', 'www.amazon.com']);
  const method = rng.weighted([
    [8, 'POST'],
    [2, 'GET'],
  ]);
  return draft('web', method, '/', params, method === 'GET' ? 'query' : rng.chance(0.05) ? 'split' : 'body', 'none', undefined);
}

function callerDraft(rng: Rng, ctx: FuzzContext): Draft {
  const params: Pair[] = [
    ['Action', 'GetCallerIdentity'],
    ['Version', '2011-06-15'],
  ];
  const sign = rng.weighted<'header' | 'presign'>([
    [7, 'header'],
    [3, 'presign'],
  ]);
  const method = sign === 'presign' ? 'GET' : rng.chance(0.85) ? 'POST' : 'GET';
  return draft('caller', method, '/', params, method === 'GET' ? 'query' : 'body', sign, rng.chance(0.9) ? ctx.creds : ctx.otherCreds);
}

function assumeDraft(rng: Rng, ctx: FuzzContext): Draft {
  const open = rng.chance(0.5);
  const params: Pair[] = [
    ['Action', 'AssumeRole'],
    ['Version', '2011-06-15'],
    ['RoleArn', roleArn(open ? 'fuzz-open' : 'prod-deployer')],
    ['RoleSessionName', 'fuzz-chain'],
  ];
  if (!open) params.push(['ExternalId', 'demo-external-id']);
  if (open && rng.chance(0.5)) params.push(['SourceIdentity', 'fuzz-source']);
  if (open && rng.chance(0.3))
    params.push(['Tags.member.1.Key', 'team'], ['Tags.member.1.Value', 'fuzz'], ['TransitiveTagKeys.member.1', 'team']);
  if (rng.chance(0.2)) params.push(['DurationSeconds', rng.pick(['900', '3600', '3601'])]);
  if (rng.chance(0.1)) params.push(['Policy', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}']);
  const sign = rng.chance(0.8) ? 'header' : 'presign';
  const method = sign === 'presign' ? 'GET' : 'POST';
  return draft('assume', method, '/', params, method === 'GET' ? 'query' : 'body', sign, ctx.creds);
}

function emulatorDraft(rng: Rng, ctx: FuzzContext): Draft {
  const path = rng.weighted([
    [6, rng.pick(ctx.issuerPaths)],
    [2, '/_emulator/' + rng.pick(['', 'x', 'health', 'config', '../', '%2e%2e/', 'a/b/c', pct(oddString(rng, 8))])],
    [1, '/oidc/' + rng.pick(['unknown.example.com', 'oidc.circleci.com', CIRCLE_PROVIDER, '']) + '/.well-known/jwks.json'],
  ]);
  const d = draft(
    'emulator',
    rng.weighted([
      [6, 'GET'],
      [2, 'HEAD'],
      [1, 'POST'],
      [1, 'DELETE'],
    ] as const),
    path,
    [],
    'query',
    'none',
    undefined,
  );
  if (rng.chance(0.2)) d.queryText = rng.pick(['?', 'a=b', 'Action=GetCallerIdentity&Version=2011-06-15', '%ZZ', 'x'.repeat(3000)]);
  return d;
}

function garbageDraft(rng: Rng): Draft {
  const d = draft(
    'garbage',
    rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND']),
    '/',
    [],
    'body',
    'none',
    undefined,
  );
  const n = rng.int(8);
  for (let i = 0; i < n; i++)
    d.params.push([rng.chance(0.5) ? rng.pick(PARAM_NAMES) : oddString(rng, 10), rng.chance(0.7) ? oddString(rng, 40) : jsonText(rng)]);
  if (rng.chance(0.3)) d.body = Buffer.from(Array.from({ length: rng.int(600) }, () => rng.int(256)));
  return d;
}

function draft(
  kind: Kind,
  method: string,
  path: string,
  params: Pair[],
  where: Draft['where'],
  sign: Draft['sign'],
  creds: Creds | undefined,
): Draft {
  return {
    kind,
    labels: [kind],
    method,
    path,
    params,
    where,
    queryText: '',
    headers: [],
    contentType: method === 'POST' || where === 'body' ? 'application/x-www-form-urlencoded; charset=utf-8' : undefined,
    sign,
    creds,
    body: undefined,
    query: '',
    queryTail: '',
    version: 'HTTP/1.1',
    framing: 'length',
    frameHeaders: undefined,
    chunkSizes: undefined,
    fresh: false,
    noHost: false,
    incomplete: false,
    lineEnd: '\r\n',
  };
}

// prettier-ignore
const PARAM_NAMES = [
  'Action', 'Version', 'RoleArn', 'RoleSessionName', 'WebIdentityToken', 'DurationSeconds', 'Policy', 'PolicyArns.member.1.arn',
  'PolicyArns.member.11.arn', 'ProviderId', 'ExternalId', 'SourceIdentity', 'SerialNumber', 'TokenCode', 'Tags.member.1.Key',
  'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Algorithm', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Security-Token', '__proto__',
  'constructor', 'hasOwnProperty', '',
];
// prettier-ignore
const ACTIONS = [
  'AssumeRoleWithWebIdentity', 'GetCallerIdentity', 'AssumeRole', 'AssumeRoleWithSAML', 'GetSessionToken', 'GetFederationToken',
  'DecodeAuthorizationMessage', 'GetAccessKeyInfo', 'assumerolewithwebidentity', 'hasOwnProperty', '__proto__', 'toString', '',
];
// prettier-ignore
const WRONG_TYPES = [
  '1', '-1', '0', 'true', 'false', 'null', 'undefined', '[]', '{}', '[1,2]', '{"a":1}', 'NaN', 'Infinity', '1e3', '0x384', ' 900', '900 ',
  '9'.repeat(30), '3600.0', '+3600', '٣٦٠٠',
];
// prettier-ignore
const ROLE_ARNS = [
  'arn:aws:iam::123456789012:role/', 'arn:aws:iam::123456789012:role/deploy-main/', 'arn:aws:iam::123456789012:role/path/deploy-main',
  'arn:aws:iam::999999999999:role/deploy-main', 'arn:aws:iam::123456789012:user/deploy-main',
  'arn:aws-cn:iam::123456789012:role/deploy-main', 'arn:aws:sts::123456789012:assumed-role/deploy-main/x',
  'arn:aws:iam::123456789012:role/*', 'arn:aws:iam::12345678901:role/deploy-main', 'ARN:AWS:IAM::123456789012:ROLE/DEPLOY-MAIN',
  'arn:aws:iam::123456789012:role/DEPLOY-MAIN', 'arn:aws:iam:us-east-1:123456789012:role/deploy-main', 'arn', '', 'x'.repeat(19),
  'arn:aws:iam::123456789012:role/' + 'a'.repeat(2048),
];

// ---- parameter mutations ----

type Op = (d: Draft, rng: Rng, ctx: FuzzContext) => void;

function pickIndex(d: Draft, rng: Rng): number {
  return d.params.length === 0 ? -1 : rng.int(d.params.length);
}
function setValue(d: Draft, name: string, value: string): void {
  const i = d.params.findIndex(([k]) => k === name);
  if (i === -1) d.params.push([name, value]);
  else d.params[i] = [name, value];
}

const paramOps: Readonly<Record<string, Op>> = {
  'p-drop': (d, rng) => {
    const i = pickIndex(d, rng);
    if (i >= 0) d.params.splice(i, 1);
  },
  'p-dup': (d, rng) => {
    const i = pickIndex(d, rng);
    const p = d.params[i];
    if (p !== undefined) d.params.splice(rng.int(d.params.length + 1), 0, [p[0], rng.chance(0.5) ? p[1] : oddString(rng)]);
  },
  'p-huge': (d, rng) => {
    const i = pickIndex(d, rng);
    const p = d.params[i];
    if (p !== undefined) d.params[i] = [p[0], rng.chance(0.3) ? p[1] + hugeString(rng) : hugeString(rng)];
  },
  'p-odd': (d, rng) => {
    const i = pickIndex(d, rng);
    const p = d.params[i];
    if (p === undefined) return;
    const at = rng.int(p[1].length + 1);
    d.params[i] = [p[0], rng.chance(0.5) ? p[1].slice(0, at) + oddString(rng, 6) + p[1].slice(at) : oddString(rng)];
  },
  'p-type': (d, rng) => {
    const i = pickIndex(d, rng);
    const p = d.params[i];
    if (p !== undefined) d.params[i] = [p[0], rng.chance(0.7) ? rng.pick(WRONG_TYPES) : jsonText(rng)];
  },
  'p-name': (d, rng) => {
    const i = pickIndex(d, rng);
    const p = d.params[i];
    if (p === undefined) return;
    const names = [
      p[0].toLowerCase(),
      p[0].toUpperCase(),
      `${p[0]}[]`,
      `${p[0]}[0]`,
      `${p[0]}.1`,
      `${p[0]} `,
      ` ${p[0]}`,
      `${p[0]}\u0000`,
      `${p[0]}=x`,
      `${p[0]}&x`,
    ];
    d.params[i] = [rng.pick(names), p[1]];
  },
  'p-add': (d, rng) => {
    const n = rng.chance(0.05) ? rng.range(150, 260) : rng.range(1, 4);
    for (let k = 0; k < n; k++)
      d.params.splice(rng.int(d.params.length + 1), 0, [
        rng.chance(0.6) ? rng.pick(PARAM_NAMES) + (n > 10 ? String(k) : '') : oddString(rng, 10),
        oddString(rng, 12),
      ]);
  },
  'p-action': (d, rng) => setValue(d, 'Action', rng.pick(ACTIONS)),
  'p-version': (d, rng) =>
    setValue(d, 'Version', rng.pick(['2011-06-14', '2011-06-15 ', '', '2011-06-15\u0000', '1', '2011-6-15', oddString(rng, 12)])),
  'p-duration': (d, rng) =>
    setValue(d, 'DurationSeconds', rng.pick(['899', '900', '3600', '7200', '7201', '43200', '43201', '-1', '0', ...WRONG_TYPES])),
  'p-role': (d, rng) => setValue(d, 'RoleArn', rng.chance(0.7) ? rng.pick(ROLE_ARNS) : roleArn(oddString(rng, 16))),
  'p-session': (d, rng) =>
    setValue(d, 'RoleSessionName', rng.pick(['a', 'ab', 'x'.repeat(65), 'dependabot[bot]', 'a b', 'é', '', oddString(rng, 20)])),
  'p-policy': (d, rng) =>
    setValue(
      d,
      'Policy',
      rng.pick([
        jsonText(rng),
        '{',
        '{"Version":"2012-10-17","Statement":' + jsonText(rng) + '}',
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":' + jsonText(rng) + ',"Resource":"*"}]}',
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"' +
          'a'.repeat(rng.pick([2000, 2100, 9000])) +
          '"}]}',
        deepText(rng),
      ]),
    ),
  'p-policy-arns': (d, rng) => {
    const n = rng.pick([1, 2, 10, 11, 30]);
    for (let k = 1; k <= n; k++)
      d.params.push([
        rng.pick([
          `PolicyArns.member.${k}.arn`,
          `PolicyArns.member.${k * 3}.arn`,
          `PolicyArns.member.${k}`,
          `PolicyArns.member.0.arn`,
          `PolicyArns.${k}.arn`,
        ]),
        rng.chance(0.6) ? 'arn:aws:iam::aws:policy/ReadOnlyAccess' : oddString(rng, 30),
      ]);
  },
  'p-tags': (d, rng) => {
    const n = rng.pick([1, 2, 50, 51]);
    for (let k = 1; k <= n; k++)
      d.params.push(
        [`Tags.member.${k}.Key`, rng.chance(0.7) ? `k${k}` : oddString(rng, 12)],
        [`Tags.member.${k}.Value`, oddString(rng, 12)],
      );
    if (rng.chance(0.5)) d.params.push(['TransitiveTagKeys.member.1', oddString(rng, 10)]);
  },
  'p-source-identity': (d, rng) => setValue(d, 'SourceIdentity', rng.pick(['a', 'aws:x', 'x'.repeat(65), oddString(rng, 20)])),
  'p-external-id': (d, rng) =>
    setValue(d, 'ExternalId', rng.pick(['x', 'demo-external-id ', 'DEMO-EXTERNAL-ID', 'a'.repeat(1225), oddString(rng, 20)])),
  'p-where': (d, rng) => {
    d.where = rng.pick(['body', 'query', 'split'] as const);
  },
  'p-shuffle': (d, rng) => {
    for (let i = d.params.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [d.params[i], d.params[j]] = [d.params[j] as Pair, d.params[i] as Pair];
    }
  },
  'p-token': (d, rng, ctx) => setValue(d, 'WebIdentityToken', mutateToken(rng, ctx, d.labels)),
};

// ---- token mutations ----

const TOKEN_CHARS = B64U + '.=+/ \t%\u0000é\ud83d\ude00';

/** A token changed at the character or segment level, or re-signed over changed claims. */
function mutateToken(rng: Rng, ctx: FuzzContext, labels: string[]): string {
  const base = rng.weighted<string>([
    [6, ctx.tokens.allowed],
    [1, ctx.tokens.denied],
    [1, ctx.tokens.expired],
    [1, ctx.tokens.github],
    [1, ctx.tokens.tagged],
  ]);
  const op = rng.weighted<string>([
    [5, 'tok-resign'],
    [3, 'tok-chars'],
    [2, 'tok-segments'],
    [1, 'tok-signature'],
    [1, 'tok-length'],
    [1, 'tok-other'],
  ]);
  labels.push(op);
  const segs = base.split('.');
  switch (op) {
    case 'tok-resign':
      return resigned(rng, ctx, labels);
    case 'tok-chars': {
      const s = rng.int(3);
      let seg = segs[s] ?? '';
      const n = rng.range(1, 3);
      for (let k = 0; k < n; k++) {
        const at = rng.int(seg.length + 1);
        const c = TOKEN_CHARS[rng.int(TOKEN_CHARS.length)] ?? 'A';
        const r = rng.int(3);
        seg =
          r === 0
            ? seg.slice(0, at) + c + seg.slice(at + 1)
            : r === 1
              ? seg.slice(0, at) + c + seg.slice(at)
              : seg.slice(0, at) + seg.slice(at + 1);
      }
      segs[s] = seg;
      return segs.join('.');
    }
    case 'tok-segments': {
      const [h = '', p = '', sig = ''] = segs;
      return rng.pick([
        `${p}.${h}.${sig}`,
        `${h}.${sig}.${p}`,
        `${h}.${p}`,
        `${h}.${p}.${sig}.${sig}`,
        `${h}.${h}.${sig}`,
        `${p}.${p}.${p}`,
        `..`,
        `${h}..${sig}`,
        `.${p}.${sig}`,
        `${h}.${p}.${sig}.`,
        `${h}.${p}.${sig}..`,
        `${h}.${p}.${sig}`.replace(/\./g, rng.pick(['..', '%2E', ',', ' '])),
        JSON.stringify({ protected: h, payload: p, signature: sig }),
      ]);
    }
    case 'tok-signature': {
      const [h = '', p = ''] = segs;
      const other = (ctx.tokens.denied.split('.')[2] ?? '') as string;
      return `${h}.${p}.${rng.pick(['', 'AAAA', b64u(Buffer.alloc(64)), b64u(Buffer.alloc(256)), other, (segs[2] ?? '') + '==', (segs[2] ?? '').slice(0, -2), (segs[2] ?? '').toUpperCase(), ' ' + (segs[2] ?? '')])}`;
    }
    case 'tok-length': {
      const n = rng.pick([0, 1, 3, 4, 5, 19_999, 20_000, 20_001, 30_000]);
      return n <= base.length ? base.slice(0, n) : (base + '.' + 'A'.repeat(n)).slice(0, n);
    }
    default:
      return rng.pick([
        base.replace(/-/g, '+').replace(/_/g, '/'),
        base + '\n',
        ' ' + base,
        `${base}=`,
        base.toLowerCase(),
        'Bearer ' + base,
        encodeURIComponent(base),
        'x',
        '',
        oddString(rng, 40),
      ]);
  }
}

const STD_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'azp', 'amr', TAGS, SOURCE_IDENTITY];

/** A token over mutated claims (and sometimes a mutated header), signed with the demo key: the signature is good. */
function resigned(rng: Rng, ctx: FuzzContext, labels: string[]): string {
  const github = rng.chance(0.15);
  const key = github ? ctx.githubKey : ctx.circleKey;
  const entries: Pair[] = Object.entries(github ? ctx.githubClaims : ctx.circleClaims).map(([k, v]) => [k, JSON.stringify(v)]);
  const nowS = Math.floor(Date.now() / 1000);
  const set = (k: string, v: string): void => {
    const i = entries.findIndex(([n]) => n === k);
    if (i === -1) entries.push([k, v]);
    else entries[i] = [k, v];
  };
  const n = rng.range(1, 3);
  for (let m = 0; m < n; m++) {
    const op = rng.weighted<string>([
      [3, 'claim-type'],
      [2, 'claim-drop'],
      [2, 'claim-add'],
      [1, 'claim-dup'],
      [2, 'claim-time'],
      [1, 'claim-aud'],
      [1, 'claim-iss'],
      [2, 'claim-sub'],
      [3, 'claim-tags'],
      [2, 'claim-source-identity'],
      [1, 'claim-deep'],
      [1, 'claim-huge'],
    ]);
    labels.push(op);
    switch (op) {
      case 'claim-type':
        set(rng.pick(STD_CLAIMS), jsonText(rng));
        break;
      case 'claim-drop': {
        const k = rng.pick(STD_CLAIMS);
        const i = entries.findIndex(([name]) => name === k);
        if (i >= 0) entries.splice(i, 1);
        break;
      }
      case 'claim-add':
        entries.push([
          rng.chance(0.5)
            ? oddString(rng, 12)
            : rng.pick(['__proto__', 'constructor', 'prototype', 'oidc.circleci.com/project-id', 'https://aws.amazon.com/x', '']),
          jsonText(rng),
        ]);
        break;
      case 'claim-dup': {
        const e = rng.pick(entries);
        if (e !== undefined) entries.push([e[0], jsonText(rng)]);
        break;
      }
      case 'claim-time':
        set(
          rng.pick(['exp', 'nbf', 'iat']),
          rng.pick([
            String(nowS - 400),
            String(nowS - 200),
            String(nowS + 600.5),
            String(nowS + 3600),
            String(nowS + 315_360_000),
            '"' + (nowS + 600) + '"',
            '1e400',
            '1e300',
            '-1',
            '0',
            'null',
            'true',
            '[1]',
            String(2 ** 53 + 2),
          ]),
        );
        break;
      case 'claim-aud':
        set(
          'aud',
          rng.pick([
            JSON.stringify([CIRCLE_ORG, 'other']),
            '[]',
            '""',
            '"other"',
            `["${CIRCLE_ORG}"]`,
            JSON.stringify([[CIRCLE_ORG]]),
            '{"0":"x"}',
            JSON.stringify(CIRCLE_ORG.toUpperCase()),
          ]),
        );
        break;
      case 'claim-iss':
        set(
          'iss',
          JSON.stringify(
            rng.pick([
              CIRCLE_ISSUER.toUpperCase(),
              CIRCLE_ISSUER + '/',
              CIRCLE_ISSUER.replace('https://', 'http://'),
              CIRCLE_ISSUER.replace('.com', '.com:443'),
              GITHUB_ISSUER,
              'https://x/</Message></Error><Error><Code>AccessDenied',
              'http://169.254.169.254/latest/meta-data',
              oddString(rng, 30),
            ]),
          ),
        );
        break;
      case 'claim-sub': {
        // ci-project allows any user under the project: an odd suffix may reach a success answer.
        const prefix = `org/${CIRCLE_ORG}/project/2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5/user/`;
        set(
          'sub',
          JSON.stringify(prefix + rng.pick([oddString(rng, 30), '*', ']]><x/>', '\u0000', 'a'.repeat(rng.pick([100, 5000, 15_000]))])),
        );
        break;
      }
      case 'claim-tags':
        set(TAGS, tagsText(rng));
        break;
      case 'claim-source-identity':
        set(
          SOURCE_IDENTITY,
          rng.chance(0.5)
            ? JSON.stringify(rng.pick(['ab', 'a', 'x'.repeat(64), 'x'.repeat(65), 'aws:x', 'user@example.com', oddString(rng, 20)]))
            : jsonText(rng),
        );
        break;
      case 'claim-deep':
        set(rng.pick(['amr', 'sub', 'custom', TAGS, SOURCE_IDENTITY]), deepText(rng));
        break;
      default:
        set(rng.pick(['sub', 'custom', 'aud', TAGS]), JSON.stringify(hugeString(rng).slice(0, rng.pick([3000, 14_000, 16_000]))));
    }
  }
  let payload: string | Buffer = '{' + entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',') + '}';
  if (rng.chance(0.06)) {
    labels.push('payload-raw');
    payload = rng.pick<string | Buffer>([
      '[1]',
      'null',
      '"x"',
      '1',
      '',
      '{',
      payload + 'x',
      '\ufeff' + payload,
      Buffer.concat([Buffer.from(payload.slice(0, -1) + ',"a":"'), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('"}')]),
    ]);
  }
  let header = headerOf(key);
  let alg = 'RS256';
  if (rng.chance(0.12)) {
    labels.push('jwt-header');
    const h = jwtHeader(rng, key);
    header = h.text;
    alg = h.alg;
  }
  const data = `${b64u(header)}.${b64u(payload)}`;
  return `${data}.${signature(alg, data, key)}`;
}

/** The AWS tags claim in shapes AWS documents and many it does not. */
function tagsText(rng: Rng): string {
  const tagMap = (n: number): string =>
    '{' +
    Array.from(
      { length: n },
      (_, i) =>
        `${JSON.stringify(rng.chance(0.7) ? `k${i}` : oddString(rng, 10))}:${rng.chance(0.7) ? JSON.stringify([oddString(rng, 12)]) : jsonText(rng)}`,
    ).join(',') +
    '}';
  return rng.pick([
    `{"principal_tags":${tagMap(rng.pick([0, 1, 3, 50, 51]))},"transitive_tag_keys":["k0"]}`,
    `{"principal_tags":${tagMap(2)},"transitive_tag_keys":${jsonText(rng)}}`,
    `{"principal_tags":${jsonText(rng)}}`,
    `{"principal_tags":{"Team":["a"],"team":["b"]}}`,
    `{"principal_tags":{"k":["${'v'.repeat(257)}"]}}`,
    `{"principal_tags":{"${'k'.repeat(129)}":["v"]}}`,
    `{"principal_tags":{"aws:x":["v"]}}`,
    `{"principal_tags":{"k":["a","b"]}}`,
    `{"principal_tags":{"k":[]}}`,
    `{"principal_tags":{"k":"v"}}`,
    `{"transitive_tag_keys":["x"]}`,
    jsonText(rng),
    '[]',
    '"tags"',
  ]);
}

function jwtHeader(rng: Rng, key: EmulatedKey): { text: string; alg: string } {
  const alg = rng.pick(['RS256', 'RS256', 'RS384', 'RS512', 'PS256', 'HS256', 'ES256', 'none', 'None', 'EdDSA', '']);
  const kid = rng.pick<string | undefined>([
    key.kid,
    key.kid,
    undefined,
    'other',
    '../../../../etc/passwd',
    "x' OR '1'='1",
    'http://169.254.169.254/',
    oddString(rng, 10),
  ]);
  const h: Record<string, unknown> = { alg, typ: rng.pick(['JWT', 'jwt', 'at+jwt', undefined, 1]) };
  if (kid !== undefined) h['kid'] = kid;
  const extra = rng.int(6);
  if (extra === 0) h['crit'] = rng.pick([['exp'], ['b64'], [], 'x']);
  if (extra === 1) Object.assign(h, { crit: ['b64'], b64: false });
  if (extra === 2) h['jku'] = 'http://127.0.0.1:9/jwks';
  if (extra === 3) h['jwk'] = { ...key.publicJwk };
  const text = rng.pick([
    JSON.stringify(h),
    `{"alg":"none","kid":${JSON.stringify(key.kid)},"alg":"RS256"}`,
    '[]',
    'null',
    '{',
    jsonText(rng),
  ]);
  return { text, alg };
}

function signature(alg: string, data: string, key: EmulatedKey): string {
  const bytes = Buffer.from(data);
  switch (alg) {
    case 'RS256':
      return cryptoSign('sha256', bytes, key.privateKey).toString('base64url');
    case 'RS384':
      return cryptoSign('sha384', bytes, key.privateKey).toString('base64url');
    case 'RS512':
      return cryptoSign('sha512', bytes, key.privateKey).toString('base64url');
    case 'PS256':
      return cryptoSign('sha256', bytes, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString(
        'base64url',
      );
    case 'HS256':
      // RS/HS key confusion: the public key as the HMAC secret.
      return createHmac('sha256', createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }))
        .update(bytes)
        .digest('base64url');
    case 'ES256':
      return b64u(Buffer.alloc(64));
    default:
      return '';
  }
}

// ---- headers, signature, method, path (after signing) ----

// prettier-ignore
const CONTENT_TYPES = [
  'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded; charset=latin1', 'application/x-www-form-urlencoded; charset=utf-16',
  'APPLICATION/X-WWW-FORM-URLENCODED', 'application/x-www-form-urlencoded;;;', 'application/x-www-form-urlencodedx',
  ' application/x-www-form-urlencoded ', 'application/json', 'application/x-amz-json-1.0', 'text/xml', 'text/plain',
  'multipart/form-data; boundary=x', 'application/octet-stream', '*/*', 'garbage', ';', '',
];
const VISIBLE = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';
const headerText = (rng: Rng, max: number): string =>
  Array.from({ length: rng.int(max + 1) }, () => VISIBLE[rng.int(VISIBLE.length)]).join('');

function setHeader(d: Draft, name: string, value: string | undefined): void {
  d.headers = d.headers.filter(([k]) => k.toLowerCase() !== name.toLowerCase());
  if (value !== undefined) d.headers.push([name, value]);
}
function getHeader(d: Draft, name: string): string | undefined {
  return d.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

const headerOps: Readonly<Record<string, Op>> = {
  'h-content-type': (d, rng) => {
    d.contentType = rng.chance(0.15) ? undefined : rng.chance(0.8) ? rng.pick(CONTENT_TYPES) : headerText(rng, 60);
  },
  'h-content-encoding': (d, rng) =>
    d.headers.push([
      'Content-Encoding',
      rng.pick(['gzip', 'deflate', 'br', 'identity', 'IDENTITY', ' identity ', 'x-garbage', 'gzip, identity', '']),
    ]),
  'h-extra': (d, rng) => {
    const n = rng.chance(0.1) ? rng.range(100, 400) : rng.range(1, 5);
    for (let k = 0; k < n; k++)
      d.headers.push([
        rng.pick([
          'X-Fuzz',
          'X-Amz-Target',
          'X-Amz-Content-Sha256',
          'Accept',
          'Accept-Encoding',
          'Cookie',
          'X-Forwarded-For',
          'Origin',
          'Range',
          'If-None-Match',
          'TE',
          'Trailer',
          'Via',
          'Forwarded',
        ]) + (n > 10 ? `-${k}` : ''),
        headerText(rng, 80),
      ]);
  },
  'h-huge': (d, rng) =>
    d.headers.push([
      rng.pick(['X-Fuzz', 'Authorization', 'Cookie', 'X-Amz-Security-Token']),
      'a'.repeat(rng.pick([8000, 60_000, 66_000, 70_000])),
    ]),
  'h-host': (d, rng) => {
    const v = rng.pick<string | undefined>([
      undefined,
      '',
      'localhost',
      'sts.amazonaws.com',
      '[::1]:1',
      'x:y:z',
      'a'.repeat(300),
      'host with space',
    ]);
    setHeader(d, 'Host', v);
    d.noHost = v === undefined;
    if (rng.chance(0.3)) d.headers.push(['Host', 'second.example']);
  },
  'h-expect': (d, rng) => d.headers.push(['Expect', rng.pick(['100-continue', '100-Continue', '200-ok', 'x'])]),
  'h-connection': (d, rng) => {
    d.headers.push(['Connection', rng.pick(['close', 'keep-alive', 'Upgrade', 'upgrade, close', 'x'])]);
    if (rng.chance(0.5)) d.headers.push(['Upgrade', rng.pick(['websocket', 'h2c', 'HTTP/2.0'])]);
    d.fresh = true;
  },
  'h-date': (d, rng) =>
    d.headers.push([
      rng.pick(['X-Amz-Date', 'Date']),
      rng.pick([
        '20260301T100000Z',
        '19700101T000000Z',
        '99991231T235959Z',
        'garbage',
        '',
        'Sun, 06 Nov 1994 08:49:37 GMT',
        headerText(rng, 20),
      ]),
    ]),
};

/** Mutations of a signed request's Authorization header, query signature or signed parts (after signing). */
const authOps: Readonly<Record<string, Op>> = {
  'a-drop': (d) => {
    setHeader(d, 'Authorization', undefined);
    d.params = d.params.filter(([k]) => k !== 'X-Amz-Signature');
  },
  'a-component': (d, rng) => {
    const auth = getHeader(d, 'Authorization');
    if (auth === undefined) {
      const i = d.params.findIndex(([k]) => k.startsWith('X-Amz-'));
      const p = d.params[i];
      if (p !== undefined) d.params[i] = [p[0], rng.chance(0.5) ? '' : rng.chance(0.5) ? p[1].slice(0, -1) : oddString(rng, 20)];
      return;
    }
    const m = /^(\S+) Credential=([^,]*), SignedHeaders=([^,]*), Signature=(.*)$/.exec(auth);
    if (m === null) return;
    const [, alg = '', cred = '', signed = '', sig = ''] = m;
    const parts = [`Credential=${cred}`, `SignedHeaders=${signed}`, `Signature=${sig}`];
    const choice = rng.int(12);
    let out: string;
    if (choice === 0)
      out = `${rng.pick(['AWS4-HMAC-SHA1', 'aws4-hmac-sha256', 'AWS4-ECDSA-P256-SHA256', 'Basic', 'Bearer', ''])} ${parts.join(', ')}`;
    else if (choice === 1) out = `${alg} ${parts.filter((_, i) => i !== rng.int(3)).join(', ')}`;
    else if (choice === 2) out = `${alg} ${parts.join(', ')}, ${rng.pick(parts)}`;
    else if (choice === 3) out = `${alg} ${parts.join(',')}`;
    else if (choice === 4) out = `${alg} Credential=${cred}, SignedHeaders=${signed}, Signature=${flip(rng, sig, '0123456789abcdef')}`;
    else if (choice === 5) {
      const c = cred.split('/');
      const k = rng.range(1, 4);
      c[k] = rng.pick(['20200101', 'eu-west-1', 's3', 'aws4_reques', '', 'STS', oddString(rng, 6)]);
      out = `${alg} Credential=${c.join('/')}, SignedHeaders=${signed}, Signature=${sig}`;
    } else if (choice === 6)
      out = `${alg} Credential=${cred}, SignedHeaders=${rng.pick(['x-amz-date', 'host', '', 'host;x-amz-date;x-missing', 'HOST;X-AMZ-DATE', 'x-amz-date;host'])}, Signature=${sig}`;
    else if (choice === 7)
      out = `${alg} Credential=${rng.pick(['', '/', 'AKIAIOSFODNN7EXAMPLE/20260301/us-east-1/sts/aws4_request', 'ASIA' + 'A'.repeat(16) + cred.slice(20), cred.replace(/^[^/]*/, ''), cred + '/extra'])}, SignedHeaders=${signed}, Signature=${sig}`;
    else if (choice === 8) out = auth.replace(/ /g, rng.pick(['  ', '\t', '']));
    else if (choice === 9) out = `${alg} ${parts.map((p) => p.replace('=', rng.pick(['= ', ' =', '==']))).join(', ')}`;
    else if (choice === 10)
      out = `${alg} Credential=${cred}, SignedHeaders=${signed}, Signature=${rng.pick(['', sig.toUpperCase(), sig + '0', sig.slice(0, 63), 'z'.repeat(64)])}`;
    else out = `${auth}, ${headerText(rng, 30)}`;
    setHeader(d, 'Authorization', out);
    if (rng.chance(0.2)) d.headers.push(['Authorization', auth]);
  },
  'a-token': (d, rng, ctx) => {
    const token = rng.pick<string | undefined>([
      undefined,
      '',
      ctx.otherCreds.sessionToken,
      (ctx.creds.sessionToken ?? '').slice(0, -4),
      flip(rng, ctx.creds.sessionToken ?? '', B64U),
      'x'.repeat(5000),
    ]);
    if (getHeader(d, 'Authorization') !== undefined) setHeader(d, 'X-Amz-Security-Token', token);
    else {
      d.params = d.params.filter(([k]) => k !== 'X-Amz-Security-Token');
      if (token !== undefined) d.params.push(['X-Amz-Security-Token', token]);
    }
  },
  'a-date': (d, rng) => {
    const v = rng.pick(['20200101T000000Z', '20260301T100000', 'garbage', '', '99999999T999999Z']);
    if (getHeader(d, 'Authorization') !== undefined) setHeader(d, 'X-Amz-Date', v);
    else setValue(d, 'X-Amz-Date', v);
  },
  'a-tamper': (d, rng) => {
    // A signed part changed after signing: the body, the path, a parameter, the host.
    const r = rng.int(4);
    if (r === 0 && d.body !== undefined && d.body.length > 0) {
      const b = Buffer.from(d.body);
      b[rng.int(b.length)] = rng.int(256);
      d.body = b;
    } else if (r === 1) d.path = rng.pick(['/x', '//', '/%2F']);
    else if (r === 2) d.queryTail += '&X-Fuzz=1';
    else setHeader(d, 'Host', 'other.example:1');
  },
  'a-both': (d) => {
    // An Authorization header and X-Amz-Algorithm in the query.
    d.queryTail += '&X-Amz-Algorithm=AWS4-HMAC-SHA256';
    if (getHeader(d, 'Authorization') === undefined)
      d.headers.push(['Authorization', 'AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=00']);
  },
  'a-expires': (d, rng) => d.params.push(['X-Amz-Expires', rng.pick(['0', '1', '604801', '-1', 'x', '1e3'])]),
};

function flip(rng: Rng, s: string, alphabet: string): string {
  if (s.length === 0) return alphabet[0] ?? 'x';
  const at = rng.int(s.length);
  return s.slice(0, at) + (alphabet[rng.int(alphabet.length)] ?? 'x') + s.slice(at + 1);
}

const methodOps: Readonly<Record<string, Op>> = {
  'm-method': (d, rng) => {
    d.method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'SEARCH', 'MKCOL']);
  },
  'm-path': (d, rng) => {
    d.path = rng.pick([
      '/x',
      '//',
      '/./',
      '/../',
      '/%2e%2e/',
      '/%ZZ/%',
      '/%00',
      '/?',
      '/oidc/',
      '/OIDC/' + CIRCLE_PROVIDER + '/.well-known/jwks.json',
      '/_emulator',
      '/_EMULATOR/',
      '/a/' + 'b'.repeat(rng.pick([10, 5000])),
      '/' + pct(oddString(rng, 10)),
    ]);
  },
};

/** Encoding mutations of the query or body text (after encoding and signing). */
const encodingOps: Readonly<Record<string, Op>> = {
  'e-percent': (d, rng) => {
    const inject = rng.pick(['%', '%Z', '%ZZ', '%0', '%00', '%ED%A0%80', '%FF%FE', '%C0%AF', '%E2%80', '%2', '%u0041', '%%', '%25%32%35']);
    if (d.body !== undefined && d.body.length > 0 && (d.query === '' || rng.chance(0.5))) {
      const at = rng.int(d.body.length + 1);
      d.body = Buffer.concat([d.body.subarray(0, at), Buffer.from(inject), d.body.subarray(at)]);
    } else {
      const at = rng.int(d.query.length + 1);
      d.query = d.query.slice(0, at) + inject + d.query.slice(at);
    }
  },
  'e-separators': (d, rng) => {
    const t = rng.pick(['&&&', '&=&', '=', ';', '&', '?', '+', '#', '&Action', '&=x', 'Action']);
    if (d.body !== undefined) d.body = rng.chance(0.5) ? Buffer.concat([Buffer.from(t), d.body]) : Buffer.concat([d.body, Buffer.from(t)]);
    else d.query = rng.chance(0.5) ? t + d.query : d.query + t;
  },
  'e-raw-bytes': (d, rng) => {
    const bytes = Buffer.from(
      rng.pick([[0xff], [0x00], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xef, 0xbb, 0xbf], [0x0d, 0x0a], [0xf0, 0x9f, 0x98]]),
    );
    const b = d.body ?? Buffer.alloc(0);
    const at = rng.int(b.length + 1);
    d.body = Buffer.concat([b.subarray(0, at), bytes, b.subarray(at)]);
  },
  'e-body': (d, rng) => {
    d.body = rng.pick([
      Buffer.alloc(0),
      Buffer.from(jsonText(rng)),
      Buffer.from(Array.from({ length: rng.int(2000) }, () => rng.int(256))),
      Buffer.alloc(rng.pick([100_000, 131_072, 131_073, 200_000]), rng.pick(['a', '&', '=', '%'])),
    ]);
  },
};

/** HTTP framing: chunked bodies, Content-Length lies, odd versions and request lines. All but well-formed chunked need a fresh connection. */
const frameOps: Readonly<Record<string, Op>> = {
  'f-chunked': (d, rng) => {
    d.framing = 'chunked';
    const len = d.body?.length ?? 0;
    const sizes: number[] = [];
    for (let left = len; left > 0;) {
      const n = Math.min(left, rng.chance(0.3) ? 1 : rng.range(1, Math.max(1, Math.min(left, 4096))));
      sizes.push(n);
      left -= n;
    }
    d.chunkSizes = sizes;
    if (rng.chance(0.3)) d.headers.push(['Trailer', 'X-Fuzz']);
  },
  'f-length-short': (d, rng) => {
    d.framing = 'short';
    d.fresh = true;
    if (rng.chance(0.5)) d.body = Buffer.concat([d.body ?? Buffer.alloc(0), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
  },
  'f-length-long': (d) => {
    d.framing = 'long';
    d.fresh = true;
    d.incomplete = true;
  },
  'f-length-odd': (d, rng) => {
    const len = String(d.body?.length ?? 0);
    d.framing = 'none';
    d.fresh = true;
    d.frameHeaders = rng.pick<Pair[]>([
      [['Content-Length', 'abc']],
      [['Content-Length', '-1']],
      [['Content-Length', '+' + len]],
      [['Content-Length', ` ${len} `]],
      [['Content-Length', len + '.0']],
      [['Content-Length', '1e3']],
      [['Content-Length', '99999999999999999999']],
      [
        ['Content-Length', len],
        ['Content-Length', len],
      ],
      [
        ['Content-Length', len],
        ['Content-Length', '0'],
      ],
      [['Content-Length', `${len}, ${len}`]],
      [
        ['Content-Length', len],
        ['Transfer-Encoding', 'chunked'],
      ],
      [['Transfer-Encoding', 'gzip, chunked']],
      [['Transfer-Encoding', 'chunked, identity']],
      [['Transfer-Encoding', 'xchunked']],
      [
        ['Transfer-Encoding', 'chunked'],
        ['Transfer-Encoding', 'chunked'],
      ],
      [
        ['Transfer-Encoding', 'identity'],
        ['Content-Length', len],
      ],
    ]);
    if (d.frameHeaders.some(([k, v]) => k === 'Transfer-Encoding' && v.endsWith('chunked') && !v.startsWith('x')))
      d.chunkSizes = [d.body?.length ?? 0].filter((n) => n > 0);
  },
  'f-chunk-odd': (d, rng) => {
    d.framing = 'none';
    d.fresh = true;
    d.frameHeaders = [['Transfer-Encoding', 'chunked']];
    const body = d.body ?? Buffer.alloc(0);
    const hex = body.length.toString(16);
    // [text, whether the body ever ends]: one that does not is half-closed after writing (else the server waits 10 s).
    const [tail, ends] = rng.pick<readonly [string, boolean]>([
      [`${hex};ext=1\r\n${body}\r\n0\r\n\r\n`, true],
      [`${hex.toUpperCase()}\r\n${body}\r\n0\r\nX-Fuzz: 1\r\n\r\n`, true],
      [`000${hex}\r\n${body}\r\n0\r\n\r\n`, true],
      [`${hex}\r\n${body}\r\n`, body.length === 0],
      [`${hex}\r\n${body}0\r\n\r\n`, true],
      [`zz\r\n${body}\r\n0\r\n\r\n`, true],
      [`${(body.length + 5).toString(16)}\r\n${body}\r\n0\r\n\r\n`, false],
      [`${hex}\n${body}\n0\n\n`, true],
      [`ffffffffffffffffff\r\n`, true],
      [`-1\r\n\r\n`, true],
    ]);
    d.body = Buffer.from(tail);
    d.incomplete = !ends;
    d.chunkSizes = undefined;
  },
  'f-version': (d, rng) => {
    d.version = rng.pick(['HTTP/1.0', 'HTTP/1.0', 'HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'http/1.1', 'HTTP/1.1 ', 'HTTP/11', '']);
    d.fresh = true;
  },
  'f-request-line': (d, rng) => {
    d.fresh = true;
    const r = rng.int(6);
    if (r === 0) d.method = rng.pick(['post', 'P0ST', 'GET GET', 'G\u0000T', 'X'.repeat(rng.pick([20, 5000])), '', 'CONNECT']);
    else if (r === 1)
      d.path = rng.pick(['*', '', 'http://sts.amazonaws.com/', 'https://x/a?b', '/a b', '/\u0000', '/é', '/\t', 'sts.amazonaws.com:443']);
    else if (r === 2) d.lineEnd = '\n';
    else if (r === 3) d.headers.push([rng.pick(['X Fuzz', 'X-Fuzz ', ' X-Fuzz', '', 'X\u0000', 'é']), 'v']);
    else if (r === 4) d.headers.push(['X-Fuzz', rng.pick(['a\r\n b', 'a\u0000b', 'a\rb', 'é', '\u007f'])]);
    else d.headers.push(['X-Fuzz', 'a'], ['', '']);
  },
};

interface OpTable {
  readonly phase: 'pre' | 'post' | 'encoded' | 'frame';
  readonly ops: Readonly<Record<string, Op>>;
  readonly weight: (d: Draft) => number;
}

const TABLES: readonly OpTable[] = [
  { phase: 'pre', ops: paramOps, weight: (d) => (d.kind === 'emulator' ? 1 : 10) },
  { phase: 'pre', ops: { 'p-token': paramOps['p-token'] as Op }, weight: (d) => (d.kind === 'web' ? 14 : 0) },
  { phase: 'pre', ops: methodOps, weight: (d) => (d.kind === 'emulator' ? 4 : 2) },
  { phase: 'post', ops: headerOps, weight: () => 5 },
  { phase: 'post', ops: authOps, weight: (d) => (d.sign === 'none' ? 0 : 9) },
  { phase: 'encoded', ops: encodingOps, weight: () => 3 },
  { phase: 'frame', ops: frameOps, weight: () => 3 },
];
const PHASES = ['pre', 'post', 'encoded', 'frame'] as const;

// ---- building a case ----

/** Case `index` of `seed`: a base request, one to four mutations (labels say which), as bytes. */
export async function fuzzRequest(ctx: FuzzContext, seed: number, index: number): Promise<FuzzRequest> {
  const rng = new Rng(seed, index);
  const d = rng.weighted<(rng: Rng, ctx: FuzzContext) => Draft>([
    [40, webDraft],
    [20, callerDraft],
    [18, assumeDraft],
    [7, emulatorDraft],
    [5, garbageDraft],
  ])(rng, ctx);
  const picked: { phase: OpTable['phase']; name: string; op: Op }[] = [];
  // Most cases carry one to three mutations; one in twenty is the base request untouched (it must still answer right).
  const count = rng.chance(0.05)
    ? 0
    : rng.weighted([
        [5, 1],
        [3, 2],
        [2, 3],
        [1, 4],
      ] as const);
  for (let k = 0; k < count; k++) {
    // At most one framing mutation: two would contradict each other (a chunked body that is also cut short).
    const frame = picked.some((p) => p.phase === 'frame');
    const table = rng.weighted(TABLES.map((t) => [frame && t.phase === 'frame' ? 0 : t.weight(d), t] as const));
    const names = Object.keys(table.ops);
    const name = rng.pick(names);
    picked.push({ phase: table.phase, name, op: table.ops[name] as Op });
  }
  for (const phase of PHASES) {
    if (phase === 'post') await encodeAndSign(d, rng, ctx);
    for (const p of picked.filter((x) => x.phase === phase)) {
      d.labels.push(p.name);
      p.op(d, rng, ctx);
    }
    if (phase === 'post' && d.sign === 'presign') d.query = encodePairs(d.params) + d.queryText;
  }
  return finish(d, index);
}

/** RFC 3986 encoding, as SigV4's canonical query and the SDKs' form bodies use it; lone surrogates are written as WTF-8. */
function pct(s: string): string {
  let out = '';
  for (const ch of s) {
    if (/^[A-Za-z0-9\-._~]$/.test(ch)) out += ch;
    else {
      const cp = ch.codePointAt(0) ?? 0;
      const bytes =
        cp >= 0xd800 && cp <= 0xdfff
          ? Buffer.from([0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)])
          : Buffer.from(ch, 'utf8');
      for (const b of bytes) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}
const encodePairs = (pairs: readonly Pair[]): string => pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');

/** Splits the parameters into body and query, then signs (header or presigned query) with the draft's credentials. */
async function encodeAndSign(d: Draft, rng: Rng, ctx: FuzzContext): Promise<void> {
  let bodyPairs: Pair[] = [];
  let queryPairs: Pair[] = [];
  if (d.where === 'body') bodyPairs = d.params;
  else if (d.where === 'query') queryPairs = d.params;
  else {
    const cut = rng.int(d.params.length + 1);
    queryPairs = d.params.slice(0, cut);
    bodyPairs = d.params.slice(cut);
  }
  const hasBody = d.body !== undefined || d.where !== 'query';
  const bodyText = bodyPairs.length > 0 || hasBody ? encodePairs(bodyPairs) : '';
  if (d.body === undefined && hasBody) d.body = Buffer.from(bodyText);
  d.query = encodePairs(queryPairs) + d.queryText;
  if (d.sign === 'none' || d.creds === undefined) return;
  const creds = d.creds;
  const skew = rng.chance(0.05) ? rng.pick([-16, -14, 14, 16]) * 60_000 : 0;
  const date = new Date(Date.now() + skew);
  const signer = new SignatureV4({
    credentials: creds,
    region: rng.chance(0.95) ? 'us-east-1' : 'eu-west-1',
    service: rng.chance(0.97) ? 'sts' : 's3',
    sha256: Sha256,
  });
  const query = Object.create(null) as Record<string, string | string[]>; // parameter names such as __proto__ and hasOwnProperty
  // The signer cannot encode lone surrogates: it signs their U+FFFD form, and the server sees a different query.
  for (const [name, value] of queryPairs) {
    const [k, v] = [name.toWellFormed(), value.toWellFormed()];
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const request = {
    method: d.method,
    protocol: 'http:',
    hostname: ctx.hostname,
    port: ctx.port,
    path: d.path,
    query,
    headers: { host: ctx.host, ...(d.contentType === undefined ? {} : { 'content-type': d.contentType }) } as Record<string, string>,
    ...(hasBody ? { body: bodyText } : {}),
  };
  if (d.sign === 'presign') {
    const signed = await signer.presign(request, { signingDate: date, expiresIn: 900 });
    d.params = Object.entries(signed.query ?? {}).flatMap(([k, v]) =>
      Array.isArray(v) ? v.map((x): Pair => [k, String(x)]) : typeof v === 'string' ? [[k, v] as Pair] : [],
    );
    d.query = encodePairs(d.params) + d.queryText;
    d.headers.push(['Host', ctx.host]);
  } else {
    const signed = await signer.sign(request, { signingDate: date });
    for (const [k, v] of Object.entries(signed.headers)) if (k !== 'content-type') d.headers.push([k === 'host' ? 'Host' : k, v]);
  }
}

class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {}
}
const toBuffer = (d: string | ArrayBuffer | ArrayBufferView): Buffer =>
  typeof d === 'string'
    ? Buffer.from(d, 'utf8')
    : ArrayBuffer.isView(d)
      ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
      : Buffer.from(d);

function finish(d: Draft, index: number): FuzzRequest {
  const query = d.query + d.queryTail;
  const target = d.path + (query === '' ? '' : (d.path.includes('?') ? '&' : '?') + query);
  const body = d.body ?? Buffer.alloc(0);
  const lines: string[] = [d.version === '' ? `${d.method} ${target}` : `${d.method} ${target} ${d.version}`];
  const headers: Pair[] = [];
  if (!d.noHost && !d.headers.some(([k]) => k.toLowerCase() === 'host')) headers.push(['Host', 'sts.fuzz.test']);
  headers.push(...d.headers);
  if (d.contentType !== undefined && !headers.some(([k]) => k.toLowerCase() === 'content-type'))
    headers.push(['Content-Type', d.contentType]);
  let payload = body;
  if (d.frameHeaders !== undefined) {
    headers.push(...d.frameHeaders);
    if (d.chunkSizes !== undefined) payload = chunked(body, d.chunkSizes);
  } else if (d.framing === 'chunked') {
    headers.push(['Transfer-Encoding', 'chunked']);
    payload = chunked(body, d.chunkSizes ?? []);
  } else if (d.framing === 'short') {
    headers.push(['Content-Length', String(Math.max(0, body.length - 1 - (body.length > 8 ? body.length >> 1 : 0)))]);
  } else if (d.framing === 'long') {
    headers.push(['Content-Length', String(body.length + 1 + (body.length >> 2))]);
  } else if (body.length > 0 || d.method === 'POST' || d.method === 'PUT') {
    headers.push(['Content-Length', String(body.length)]);
  }
  for (const [k, v] of headers) lines.push(`${k}: ${v}`);
  const head = Buffer.from(lines.join(d.lineEnd) + d.lineEnd + d.lineEnd, 'utf8');
  return {
    index,
    labels: d.labels,
    method: d.method,
    target,
    bytes: Buffer.concat([head, payload]),
    fresh: d.fresh,
    halfClose: d.incomplete,
  };
}

/** The server's body limit (src/protocol/query.ts MAX_BODY_BYTES). */
const BODY_LIMIT = 128 * 1024;

function chunked(body: Buffer, sizes: readonly number[]): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const n of sizes) {
    parts.push(Buffer.from(n.toString(16) + '\r\n'), body.subarray(at, at + n), Buffer.from('\r\n'));
    at += n;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}
