/**
 * Query parsing (src/protocol/query.ts) as tables: content types, query + body, duplicates, limits, the raw
 * query of a URL, and list members (`Prefix.member.N.field`, sts.md §1.2).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StsError } from '../../src/protocol/errors.js';
import { isFormContentType, listMembers, MAX_PARAMS, parseQueryParams, rawQueryOf } from '../../src/protocol/query.js';

const formTypes: readonly [string | undefined, boolean][] = [
  ['application/x-www-form-urlencoded', true],
  ['application/x-www-form-urlencoded; charset=utf-8', true],
  ['application/x-www-form-urlencoded;charset=UTF-8', true],
  ['  Application/X-WWW-Form-Urlencoded  ; charset=utf-8', true],
  ['application/x-www-form-urlencoded; charset=utf-16', true],
  ['application/x-www-form-urlencodedx', false],
  ['application/json', false],
  ['multipart/form-data; boundary=x', false],
  ['text/plain; application/x-www-form-urlencoded', false],
  ['', false],
  [undefined, false],
];
for (const [ct, expected] of formTypes) {
  test(`isFormContentType(${JSON.stringify(ct)}) = ${expected}`, () => assert.equal(isFormContentType(ct), expected));
}

type Parsed = Readonly<Record<string, string>> | { readonly error: string };
const parses: readonly { name: string; query: string; body: string; ct: string | undefined; expect: Parsed }[] = [
  { name: 'query only', query: 'Action=A&Version=1', body: '', ct: undefined, expect: { Action: 'A', Version: '1' } },
  {
    name: 'body only (form)',
    query: '',
    body: 'Action=A&Version=1',
    ct: 'application/x-www-form-urlencoded',
    expect: { Action: 'A', Version: '1' },
  },
  { name: 'body without content type is read', query: '', body: 'Action=A', ct: undefined, expect: { Action: 'A' } },
  { name: 'body of another type is ignored', query: 'X=1', body: 'Action=A', ct: 'application/json', expect: { X: '1' } },
  {
    name: 'query and body merge',
    query: 'Action=A',
    body: 'Version=1',
    ct: 'application/x-www-form-urlencoded',
    expect: { Action: 'A', Version: '1' },
  },
  {
    name: 'a name in both is a duplicate',
    query: 'Action=A',
    body: 'Action=A',
    ct: 'application/x-www-form-urlencoded',
    expect: { error: "Request contains the parameter 'Action' more than once" },
  },
  {
    name: 'a name twice in the body',
    query: '',
    body: 'A=1&A=2',
    ct: undefined,
    expect: { error: "Request contains the parameter 'A' more than once" },
  },
  {
    name: 'names are case-sensitive (action and Action differ)',
    query: '',
    body: 'action=a&Action=A',
    ct: undefined,
    expect: { action: 'a', Action: 'A' },
  },
  { name: '+ is a space, %2B a plus', query: '', body: 'A=a+b&B=a%2Bb', ct: undefined, expect: { A: 'a b', B: 'a+b' } },
  { name: 'bad escapes are literal', query: '', body: 'A=%&B=%z1&C=%4', ct: undefined, expect: { A: '%', B: '%z1', C: '%4' } },
  { name: 'a name without = has an empty value', query: '', body: 'Flag&A=1', ct: undefined, expect: { Flag: '', A: '1' } },
  { name: 'a value with = keeps the rest', query: '', body: 'A=b=c', ct: undefined, expect: { A: 'b=c' } },
  { name: 'empty pairs are skipped', query: '&&', body: '&A=1&&', ct: undefined, expect: { A: '1' } },
  { name: 'an empty name is a name', query: '', body: '=x', ct: undefined, expect: { '': 'x' } },
  {
    name: 'bracket names stay literal (no qs)',
    query: '',
    body: 'RoleArn[x]=1&a[b][c]=2',
    ct: undefined,
    expect: { 'RoleArn[x]': '1', 'a[b][c]': '2' },
  },
];

for (const p of parses) {
  test(`parseQueryParams: ${p.name}`, () => {
    if ('error' in p.expect) {
      const message = p.expect.error;
      assert.throws(
        () => parseQueryParams(p.query, p.body, p.ct),
        (e: unknown) => e instanceof StsError && e.code === 'ValidationError' && e.message === message,
      );
      return;
    }
    assert.deepEqual(Object.fromEntries(parseQueryParams(p.query, p.body, p.ct)), p.expect);
  });
}

test('parseQueryParams: __proto__ and constructor are ordinary names (a Map, no prototype games)', () => {
  const m = parseQueryParams('', '__proto__=x&constructor=y&hasOwnProperty=z', undefined);
  assert.deepEqual(
    [...m],
    [
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['hasOwnProperty', 'z'],
    ],
  );
  assert.equal(({} as Record<string, unknown>)['x'], undefined);
});

test(`parseQueryParams: at most ${MAX_PARAMS} distinct parameters`, () => {
  const body = (n: number): string => Array.from({ length: n }, (_, i) => `P${i}=1`).join('&');
  assert.equal(parseQueryParams('', body(MAX_PARAMS), undefined).size, MAX_PARAMS);
  assert.throws(
    () => parseQueryParams('', body(MAX_PARAMS + 1), undefined),
    (e: unknown) => e instanceof StsError && e.message === `Request has more than ${MAX_PARAMS} parameters`,
  );
});

const urls: readonly [string, string][] = [
  ['/', ''],
  ['/?', ''],
  ['/?a=1', 'a=1'],
  ['/?a=1#frag', 'a=1'],
  ['/x?a=1?b=2', 'a=1?b=2'],
  ['/#x?a=1', ''],
  ['/?#', ''],
];
for (const [u, q] of urls) {
  test(`rawQueryOf(${u}) = ${JSON.stringify(q)}`, () => assert.equal(rawQueryOf(u), q));
}

const lists: readonly {
  name: string;
  params: Record<string, string>;
  expect: { values: string[]; present: boolean } | { error: string };
}[] = [
  { name: 'absent', params: {}, expect: { values: [], present: false } },
  { name: 'empty list (P=)', params: { P: '' }, expect: { values: [], present: true } },
  { name: 'one', params: { 'P.member.1.arn': 'a' }, expect: { values: ['a'], present: true } },
  {
    name: 'in index order whatever the parameter order',
    params: { 'P.member.2.arn': 'b', 'P.member.1.arn': 'a', 'P.member.3.arn': 'c' },
    expect: { values: ['a', 'b', 'c'], present: true },
  },
  {
    name: 'index 10 after 9 (numeric, not lexical)',
    params: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`P.member.${i + 1}.arn`, String(i + 1)])),
    expect: { values: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'], present: true },
  },
  { name: 'a gap', params: { 'P.member.1.arn': 'a', 'P.member.3.arn': 'c' }, expect: { error: "List parameter 'P' is missing member 2" } },
  { name: 'index 0', params: { 'P.member.0.arn': 'a' }, expect: { error: "Unrecognised list parameter 'P.member.0.arn'" } },
  { name: 'leading zero', params: { 'P.member.01.arn': 'a' }, expect: { error: "Unrecognised list parameter 'P.member.01.arn'" } },
  { name: 'wrong field', params: { 'P.member.1.Arn': 'a' }, expect: { error: "Unrecognised list parameter 'P.member.1.Arn'" } },
  { name: 'no field', params: { 'P.member.1': 'a' }, expect: { error: "Unrecognised list parameter 'P.member.1'" } },
  { name: 'a huge index', params: { 'P.member.99999.arn': 'a' }, expect: { error: "Unrecognised list parameter 'P.member.99999.arn'" } },
  { name: 'other prefixes are not members', params: { 'PX.member.1.arn': 'a', 'P.other': 'b' }, expect: { values: [], present: false } },
];
for (const l of lists) {
  test(`listMembers: ${l.name}`, () => {
    const m = new Map(Object.entries(l.params));
    if ('error' in l.expect) {
      const message = l.expect.error;
      assert.throws(
        () => listMembers(m, 'P', 'arn'),
        (e: unknown) => e instanceof StsError && e.message === message,
      );
    } else {
      assert.deepEqual(listMembers(m, 'P', 'arn'), l.expect);
    }
  });
}
