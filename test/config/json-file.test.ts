import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeJsonError, lineAndColumn, MAX_FILE_BYTES, parseJsonDocument, parseJsonText } from '../../src/config/json-file.js';

const rejected: { name: string; text: string; message: RegExp }[] = [
  { name: 'trailing comma in object', text: '{\n  "a": 1,\n}', message: /^invalid JSON at line 3, column 1: trailing comma before '}'$/ },
  { name: 'trailing comma in array', text: '{"a": [1, 2,]}', message: /^invalid JSON at line 1, column 13: trailing comma before '\]'$/ },
  {
    name: 'missing comma',
    text: '{\n  "a": 1\n  "b": 2\n}',
    message: /^invalid JSON at line 3, column 3: unexpected '"'; expected ',' or '}'$/,
  },
  { name: 'missing value', text: '{"a":}', message: /^invalid JSON at line 1, column 6: unexpected '}'; expected a value$/ },
  { name: 'single quotes', text: "{'a': 1}", message: /line 1, column 2: unexpected '''; expected a double-quoted property name/ },
  { name: 'unterminated string', text: '{"a": "b', message: /line 1, column 9: unterminated string/ },
  { name: 'raw newline in string', text: '{"a": "b\nc"}', message: /line 1, column 9: control character in string/ },
  { name: 'bad escape', text: '{"a": "\\x"}', message: /line 1, column 8: invalid escape/ },
  { name: 'unclosed object', text: '{"a": 1', message: /line 1, column 8: unexpected end of file; expected ',' or '}'/ },
  { name: 'empty file', text: '', message: /file is empty/ },
  { name: 'only white space', text: ' \n ', message: /file is empty/ },
  { name: 'garbage after the value', text: '{}\n{}', message: /line 2, column 1: unexpected '\{' after the end/ },
  { name: 'comment', text: '{ // no comments\n}', message: /line 1, column 3: unexpected '\/'/ },
  { name: 'leading zero', text: '{"a": 01}', message: /line 1, column 8: unexpected '1'; expected ',' or '}'/ },
  { name: 'bare word', text: '{"a": yes}', message: /line 1, column 7: unexpected 'y'; expected a value/ },
  { name: 'too large', text: `{"a":"${'x'.repeat(MAX_FILE_BYTES)}"}`, message: /file is too large \(\d+ bytes; the limit is 1048576\)/ },
];

for (const c of rejected) {
  test(`parseJsonText rejects: ${c.name}`, () => {
    const r = parseJsonText(c.text);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.message, c.message);
  });
}

const accepted: { name: string; text: string; value: unknown }[] = [
  { name: 'object', text: '{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]}', value: { a: [1, -2500, true, false, null, 'é\n'] } },
  { name: 'UTF-8 BOM', text: '\ufeff{"a": 1}', value: { a: 1 } },
  { name: 'CRLF line ends', text: '{\r\n"a": 1\r\n}\r\n', value: { a: 1 } },
];

for (const c of accepted) {
  test(`parseJsonText accepts: ${c.name}`, () => {
    assert.deepEqual(parseJsonText(c.text), { ok: true, value: c.value });
  });
}

test('describeJsonError finds nothing in valid JSON', () => {
  for (const text of ['{}', '[]', '"x"', '0', '{"a":{"b":[{"c":null}]}}']) {
    assert.equal(describeJsonError(text), undefined, text);
  }
});

test('lineAndColumn is 1-based', () => {
  assert.deepEqual(lineAndColumn('ab\ncd', 0), { line: 1, column: 1 });
  assert.deepEqual(lineAndColumn('ab\ncd', 4), { line: 2, column: 2 });
});

test('parseJsonDocument: the same value, and where each value is written', () => {
  const text =
    '\ufeff{\n  "Role": {\n    "RoleName": "r",\n    "Tags": [{"Key": "a b", "Value": "v"}],\n    "AssumeRolePolicyDocument": "{\\"Statement\\": []}"\n  }\n}\n';
  const r = parseJsonDocument(text);
  assert.ok(r.ok);
  assert.deepEqual(r.value, parseJsonText(text).ok && (parseJsonText(text) as { value: unknown }).value);
  const body = text.slice(1);
  const at = (path: string): unknown => {
    const found = r.positions.locate(path);
    return found && { ...found, text: body.slice(found.offset, found.offset + found.length) };
  };
  assert.deepEqual(at('Role.RoleName'), { offset: 30, length: 3, line: 3, column: 17, text: '"r"' });
  assert.deepEqual(at('Role.Tags[0].Key'), { offset: 56, length: 5, line: 4, column: 22, text: '"a b"' });
  assert.deepEqual(at('Role.Tags[0]["Value"]'), { offset: 72, length: 3, line: 4, column: 38, text: '"v"' });
  // A trust policy written as a string: its statements are text inside it, so the string is the nearest place.
  assert.equal((at('Role.AssumeRolePolicyDocument.Statement[0]') as { text: string }).text, '"{\\"Statement\\": []}"');
  assert.equal((at('') as { offset: number }).offset, 0);
  assert.equal(at('Role..RoleName'), undefined);
});

test('parseJsonDocument: errors as parseJsonText reports them', () => {
  assert.deepEqual(parseJsonDocument('{"a": 1,}'), parseJsonText('{"a": 1,}'));
  assert.equal(parseJsonDocument('{"a": 1,}').ok, false);
});

test("nesting deeper than the parser's stack: the value still loads (no positions)", () => {
  const text = '['.repeat(50_000) + ']'.repeat(50_000);
  const r = parseJsonDocument(text);
  assert.ok(r.ok);
  assert.equal(r.positions.locate(''), undefined);
  assert.match((parseJsonText('['.repeat(50_000)) as { message: string }).message, /^invalid JSON/);
});
