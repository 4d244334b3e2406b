import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineAndColumn, locateJsonError, MAX_FILE_BYTES, parseJsonText } from '../../src/config/json-file.js';

const rejected: { name: string; text: string; message: RegExp }[] = [
  { name: 'trailing comma in object', text: '{\n  "a": 1,\n}', message: /^invalid JSON at line 3, column 1: trailing comma before '}'$/ },
  { name: 'trailing comma in array', text: '{"a": [1, 2,]}', message: /^invalid JSON at line 1, column 13: trailing comma before '\]'$/ },
  { name: 'missing comma', text: '{\n  "a": 1\n  "b": 2\n}', message: /^invalid JSON at line 3, column 3: unexpected '"'; expected ',' or '}'$/ },
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

test('locateJsonError finds nothing in valid JSON', () => {
  for (const text of ['{}', '[]', '"x"', '0', '{"a":{"b":[{"c":null}]}}']) {
    assert.equal(locateJsonError(text), undefined, text);
  }
});

test('lineAndColumn is 1-based', () => {
  assert.deepEqual(lineAndColumn('ab\ncd', 0), { line: 1, column: 1 });
  assert.deepEqual(lineAndColumn('ab\ncd', 4), { line: 2, column: 2 });
});
