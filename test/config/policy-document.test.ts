import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePolicyDocument, TRUST_POLICY_MAX_CHARS } from '../../src/config/policy-document.js';
import { trust } from './helpers.js';

function decode(value: unknown, maxChars?: number) {
  const problems: string[] = [];
  const result = decodePolicyDocument(value, 'Doc', (p, m) => problems.push(`${p}: ${m}`), maxChars);
  return { result, problems };
}

const doc = trust();
const json = JSON.stringify(doc);

const encodings: { name: string; value: unknown }[] = [
  { name: 'a JSON object (aws iam get-role)', value: doc },
  { name: 'a JSON string', value: json },
  { name: 'a pretty-printed JSON string', value: JSON.stringify(doc, null, 4) },
  { name: 'URL-encoded JSON (IAM API)', value: encodeURIComponent(json) },
  { name: 'URL-encoded JSON with lower-case escapes', value: encodeURIComponent(json).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()) },
  { name: 'URL-encoded JSON keeping some characters literal', value: json.replace(/"/g, '%22') },
  { name: 'surrounded by white space', value: `\n  ${json}  \n` },
];

for (const c of encodings) {
  test(`AssumeRolePolicyDocument as ${c.name}`, () => {
    const { result, problems } = decode(c.value);
    assert.deepEqual(problems, []);
    assert.deepEqual(result?.doc, doc);
    assert.equal(result?.json, json);
  });
}

test('a JSON string containing %22 in a value is not URL-decoded', () => {
  const withPercent = { Version: '2012-10-17', Statement: [{ Sid: 'a%22b', Effect: 'Allow' }] };
  const { result, problems } = decode(JSON.stringify(withPercent));
  assert.deepEqual(problems, []);
  assert.deepEqual(result?.doc, withPercent);
});

const rejected: { name: string; value: unknown; message: RegExp }[] = [
  { name: 'a number', value: 42, message: /^Doc: must be a policy document .*got an integer$/ },
  { name: 'an array', value: [doc], message: /got an array$/ },
  { name: 'null', value: null, message: /got null$/ },
  { name: 'an empty string', value: '', message: /^Doc: must not be empty$/ },
  { name: 'a string that is not JSON', value: 'Allow everyone', message: /^Doc: is a string but not a JSON policy document/ },
  { name: 'a JSON string of an array', value: '[1]', message: /got an array$/ },
  { name: 'broken percent-encoding', value: '%7B%22Version%ZZ', message: /^Doc: looks URL-encoded but is not valid percent-encoding$/ },
  {
    name: 'URL-encoded text that is not JSON',
    value: '%7Bnot json%7D',
    message: /^Doc: is URL-encoded but does not decode to a JSON policy document/,
  },
  {
    name: 'characters beyond U+00FF',
    value: { ...doc, Id: 'caf\u00e9 \u2603' },
    message: /may contain only tab, line feed, carriage return and characters U\+0020 to U\+00FF/,
  },
];

for (const c of rejected) {
  test(`AssumeRolePolicyDocument rejects ${c.name}`, () => {
    const { result, problems } = decode(c.value);
    assert.equal(result, undefined);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0] ?? '', c.message);
  });
}

test('Latin-1 characters are allowed in a policy', () => {
  const { problems } = decode({ ...doc, Id: 'café' });
  assert.deepEqual(problems, []);
});

test(`the length limit (default ${TRUST_POLICY_MAX_CHARS}) counts characters without white space`, () => {
  const padded = (n: number) => ({ Version: '2012-10-17', Id: 'x'.repeat(n) });
  const base = JSON.stringify(padded(0)).length;
  assert.deepEqual(decode(padded(TRUST_POLICY_MAX_CHARS - base)).problems, []);
  const over = decode(padded(TRUST_POLICY_MAX_CHARS - base + 1));
  assert.match(
    over.problems[0] ?? '',
    new RegExp(`is ${TRUST_POLICY_MAX_CHARS + 1} characters long \\(not counting white space\\); the limit is ${TRUST_POLICY_MAX_CHARS}`),
  );
  // White space inside the document does not count.
  const spaced = { Version: '2012-10-17', Id: `${'x '.repeat(100)}` };
  assert.deepEqual(decode(spaced, JSON.stringify(spaced).length - 100).problems, []);
  assert.equal(decode(spaced, JSON.stringify(spaced).length - 101).problems.length, 1);
  // Pretty-printing a string document does not count either.
  assert.deepEqual(decode(JSON.stringify(doc, null, 8), json.length).problems, []);
});
