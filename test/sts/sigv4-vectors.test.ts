/**
 * AWS's published SigV4 test suite (aws-sig-v4-test-suite, 2015-08-30 vectors: AKIDEXAMPLE, us-east-1, service
 * "service") verified end to end, plus the suite's and the spec's canonicalisation rules as tables.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StsError } from '../../src/protocol/errors.js';
import { canonicalQuery, canonicalUri } from '../../src/sts/sigv4-canonical.js';
import { parseRequestTime } from '../../src/sts/sigv4-parse.js';
import { verifySigV4 } from '../../src/sts/sigv4.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const CREDENTIAL = 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';
const NOW = new Date('2015-08-30T12:36:00Z');

const lookup = (akid: string): { secretAccessKey: string } => {
  if (akid !== 'AKIDEXAMPLE') throw new StsError('InvalidClientTokenId', 'unknown');
  return { secretAccessKey: SECRET };
};

interface Vector {
  name: string;
  method?: string;
  path?: string;
  query?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
  signedHeaders: string;
  signature: string;
}

const vectors: Vector[] = [
  { name: 'get-vanilla', signedHeaders: 'host;x-amz-date', signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  {
    name: 'get-unreserved',
    path: '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    signedHeaders: 'host;x-amz-date',
    signature: '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f',
  },
  {
    name: 'get-slashes',
    path: '//example//',
    signedHeaders: 'host;x-amz-date',
    signature: '9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84',
  },
  {
    name: 'get-vanilla-query-order-key-case',
    query: 'Param2=value2&Param1=value1',
    signedHeaders: 'host;x-amz-date',
    signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
  },
  {
    name: 'get-vanilla-query-order-value',
    query: 'Param1=value2&Param1=value1',
    signedHeaders: 'host;x-amz-date',
    signature: '5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694',
  },
  {
    name: 'get-vanilla-utf8-query (raw UTF-8 name)',
    query: '\u1234=bar',
    signedHeaders: 'host;x-amz-date',
    signature: '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04',
  },
  {
    name: 'get-vanilla-utf8-query (percent-encoded name)',
    query: '%E1%88%B4=bar',
    signedHeaders: 'host;x-amz-date',
    signature: '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04',
  },
  {
    name: 'get-header-value-order',
    headers: { 'My-Header1': ['value4', 'value1', 'value3', 'value2'] },
    signedHeaders: 'host;my-header1;x-amz-date',
    signature: '08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01',
  },
  {
    name: 'get-header-key-duplicate',
    headers: { 'My-Header1': ['value2', 'value2', 'value1'] },
    signedHeaders: 'host;my-header1;x-amz-date',
    signature: 'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
  },
  {
    name: 'get-header-value-trim (spaces in header values)',
    headers: { 'My-Header1': ' value1', 'My-Header2': '"a   b   c"' },
    signedHeaders: 'host;my-header1;my-header2;x-amz-date',
    signature: 'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
  },
  {
    name: 'post-x-www-form-urlencoded',
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'Param1=value1',
    signedHeaders: 'content-type;host;x-amz-date',
    signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
  },
  {
    name: 'get-vanilla with session token',
    headers: { 'X-Amz-Security-Token': '6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267' },
    signedHeaders: 'host;x-amz-date;x-amz-security-token',
    signature: '07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8',
  },
];

function vectorRequest(v: Vector, hostKey = 'Host') {
  return {
    method: v.method ?? 'GET',
    path: v.path ?? '/',
    rawQuery: v.query ?? '',
    headers: {
      [hostKey]: 'example.amazonaws.com',
      'X-Amz-Date': '20150830T123600Z',
      ...v.headers,
      Authorization: `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=${v.signedHeaders}, Signature=${v.signature}`,
    },
    body: v.body ?? '',
  };
}

for (const v of vectors) {
  test(`AWS vector ${v.name} verifies`, () => {
    const r = verifySigV4(vectorRequest(v), { now: NOW, lookup, service: 'service' });
    assert.equal(r.accessKeyId, 'AKIDEXAMPLE');
    assert.equal(r.region, 'us-east-1');
    assert.equal(r.presigned, false);
  });
  test(`AWS vector ${v.name} fails with one signature digit changed`, () => {
    const last = v.signature.at(-1) === '0' ? '1' : '0';
    const bad = { ...v, signature: v.signature.slice(0, -1) + last };
    assert.throws(() => verifySigV4(vectorRequest(bad), { now: NOW, lookup, service: 'service' }), { code: 'SignatureDoesNotMatch' });
  });
}

for (const hostKey of ['host', 'HOST', 'hOsT']) {
  test(`header-name case does not matter (${hostKey})`, () => {
    const v = vectors[0] as Vector;
    assert.equal(verifySigV4(vectorRequest(v, hostKey), { now: NOW, lookup, service: 'service' }).accessKeyId, 'AKIDEXAMPLE');
  });
}

const uriCases: [string, string][] = [
  ['', '/'],
  ['/', '/'],
  ['//example//', '/example/'],
  ['/./', '/'],
  ['/./example', '/example'],
  ['/example/..', '/'],
  ['/example1/example2/../..', '/'],
  ['/example space/', '/example%20space/'],
  ['/\u1234', '/%E1%88%B4'],
  ['/a%2Fb', '/a%252Fb'],
  ['/100%25', '/100%2525'],
  ['/~user/a~b', '/~user/a~b'],
  ['/a/..b/.c', '/a/..b/.c'],
  [
    '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  ],
];
for (const [path, expected] of uriCases) {
  test(`canonicalUri(${JSON.stringify(path)}) = ${expected}`, () => assert.equal(canonicalUri(path), expected));
}

const queryCases: [string, string][] = [
  ['', ''],
  ['Param2=value2&Param1=value1', 'Param1=value1&Param2=value2'],
  ['Param1=value2&Param1=Value1', 'Param1=Value1&Param1=value2'],
  ['a=10&a=9', 'a=10&a=9'],
  ['x=a.b&x=a%2Fb', 'x=a%2Fb&x=a.b'],
  ['a=1&a=1', 'a=1&a=1'],
  ['q=a+b', 'q=a%2Bb'],
  ['q=a%20b', 'q=a%20b'],
  ['b&a=1', 'a=1&b='],
  ['a=1=2', 'a=1%3D2'],
  ['\u1234=bar', '%E1%88%B4=bar'],
  ['v=\u00e9', 'v=%C3%A9'],
  ['v=%c3%a9', 'v=%C3%A9'],
  ['k=%7e&k=~', 'k=~&k=~'],
  ['k=%2f&j=/', 'j=%2F&k=%2F'],
  ['k=%zz', 'k=%25zz'],
  ['k=%', 'k=%25'],
  ['&&a=1&', 'a=1'],
  ['X-Amz-Signature=abc&a=1', 'a=1'],
  ['-._~=-._~', '-._~=-._~'],
];
for (const [query, expected] of queryCases) {
  test(`canonicalQuery(${JSON.stringify(query)}) = ${JSON.stringify(expected)}`, () => assert.equal(canonicalQuery(query), expected));
}

const timeCases: [string, boolean, string | undefined][] = [
  ['20150830T123600Z', false, '2015-08-30T12:36:00.000Z'],
  ['Sun, 30 Aug 2015 12:36:00 GMT', true, '2015-08-30T12:36:00.000Z'],
  ['Sun, 30 Aug 2015 12:36:00 GMT', false, undefined],
  ['2015-08-30T12:36:00Z', false, undefined],
  ['20150230T123600Z', false, undefined],
  ['20150830T123600', false, undefined],
  ['', true, undefined],
];
for (const [raw, http, expected] of timeCases) {
  test(`parseRequestTime(${JSON.stringify(raw)}, ${http})`, () => {
    if (expected === undefined) {
      assert.throws(() => parseRequestTime(raw, http), {
        code: 'IncompleteSignature',
        message: `Date must be in ISO-8601 'basic format'. Got '${raw}'. See http://en.wikipedia.org/wiki/ISO_8601`,
      });
    } else {
      assert.equal(parseRequestTime(raw, http).toISOString(), expected);
    }
  });
}
