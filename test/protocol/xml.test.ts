/**
 * The XML writer (src/protocol/xml.ts): the one escape function as a table, and round trips through a strict
 * parser (xml2js/sax) for any string: what goes in comes out, except characters XML 1.0 cannot carry, which
 * become U+FFFD. Shapes: ErrorResponse and <Action>Response (sts.md §1.4-1.6).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { StsError } from '../../src/protocol/errors.js';
import { anyString } from '../helpers/any-string.js';
import { escapeXml, renderError, renderNode, renderSuccess, STS_XMLNS } from '../../src/protocol/xml.js';
import { elementOrder, parseXml } from '../server/helpers.js';

const escapes: readonly [string, string, string][] = [
  ['plain text', 'abc', 'abc'],
  ['ampersand', 'a&b', 'a&amp;b'],
  ['less than', 'a<b', 'a&lt;b'],
  ['greater than', 'a>b', 'a&gt;b'],
  ['double quote', 'a"b', 'a&quot;b'],
  ['single quote', "a'b", 'a&apos;b'],
  ['an entity is escaped, not kept', '&amp;', '&amp;amp;'],
  ['CR as a character reference (a parser would turn a raw CR into LF)', 'a\rb', 'a&#13;b'],
  ['LF and TAB kept', 'a\n\tb', 'a\n\tb'],
  ['NUL', 'a\u0000b', 'a\uFFFDb'],
  ['C0 controls except TAB LF CR', '\u0001\u0008\u000B\u000C\u000E\u001F', '\uFFFD'.repeat(6)],
  ['DEL and C1 controls are XML characters', '\u007F\u0080\u0085\u009F', '\u007F\u0080\u0085\u009F'],
  ['U+FFFE and U+FFFF', '\uFFFE\uFFFF', '\uFFFD\uFFFD'],
  ['lone high surrogate', 'a\uD800b', 'a\uFFFDb'],
  ['lone low surrogate', 'a\uDC00b', 'a\uFFFDb'],
  ['high surrogate at the end', 'a\uDBFF', 'a\uFFFD'],
  ['two high surrogates then a low', '\uD800\uD800\uDC00', '\uFFFD\uD800\uDC00'],
  ['a valid pair kept', '\uD83D\uDE00', '\uD83D\uDE00'],
  ['U+FFFD kept', '\uFFFD', '\uFFFD'],
  ['CDATA end', ']]>', ']]&gt;'],
  ['empty', '', ''],
];

for (const [name, input, out] of escapes) {
  test(`escapeXml: ${name}`, () => assert.equal(escapeXml(input), out));
}

test('escapeXml: the plain-text shortcut answers as the two replacements do, on any string', () => {
  // eslint-disable-next-line no-control-regex
  const ILLEGAL =
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
  const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };
  const slow = (t: string): string => t.replace(ILLEGAL, '\uFFFD').replace(/[&<>"'\r]/g, (c) => ENTITIES[c] ?? c);
  fc.assert(
    fc.property(anyString({ maxLength: 30 }), (t) => assert.equal(escapeXml(t), slow(t))),
    { numRuns: 5000 },
  );
  for (let c = 0; c <= 0xffff; c++) {
    const t = `a${String.fromCharCode(c)}b`;
    assert.equal(escapeXml(t), slow(t), `U+${c.toString(16)}`);
  }
});

/** What a value must read back as: XML-illegal characters replaced, everything else identical. */
const readBack = (s: string): string =>
  // eslint-disable-next-line no-control-regex
  s.replace(
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );

const anyText = fc.oneof(
  anyString({ maxLength: 80 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
  fc.string({
    unit: fc.constantFrom('<', '>', '&', '"', "'", '\r', '\n', '\t', '\u0000', ']]>', '&amp;', '<![CDATA[', '\uD800', '\uDC00', 'a'),
    maxLength: 40,
  }),
);

test('renderError round-trips any message and code through a strict parser', async () => {
  await fc.assert(
    fc.asyncProperty(anyText, async (message) => {
      const xml = renderError({ type: 'Sender', code: 'ValidationError', message }, 'rid-1');
      const doc = await parseXml(xml);
      const e = (doc['ErrorResponse'] as Record<string, Record<string, string>>)['Error'] as Record<string, string>;
      assert.equal(e['Message'] ?? '', readBack(message));
      assert.equal(e['Code'], 'ValidationError');
    }),
    { numRuns: 2000 },
  );
});

test('renderSuccess round-trips any text value and any request id', async () => {
  await fc.assert(
    fc.asyncProperty(anyText, anyText, async (value, rid) => {
      const xml = renderSuccess('AssumeRoleWithWebIdentity', [['SubjectFromWebIdentityToken', value]], rid);
      const doc = await parseXml(xml);
      const root = doc['AssumeRoleWithWebIdentityResponse'] as Record<string, Record<string, string>>;
      assert.equal(root['AssumeRoleWithWebIdentityResult']?.['SubjectFromWebIdentityToken'] ?? '', readBack(value));
      assert.equal(root['ResponseMetadata']?.['RequestId'] ?? '', readBack(rid));
    }),
    { numRuns: 1000 },
  );
});

test('renderError: the shape botocore and the JS SDK read', async () => {
  const xml = renderError(new StsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity'), 'abc-123');
  assert.equal(
    xml,
    `<ErrorResponse xmlns="${STS_XMLNS}">\n  <Error>\n    <Type>Sender</Type>\n    <Code>AccessDenied</Code>\n    <Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message>\n  </Error>\n  <RequestId>abc-123</RequestId>\n</ErrorResponse>\n`,
  );
  assert.deepEqual(await elementOrder(xml), ['ErrorResponse', 'Error', 'Type', 'Code', 'Message', 'RequestId']);
});

test('renderError: InternalFailure is a Receiver fault', () => {
  assert.match(renderError(new StsError('InternalFailure', 'x'), 'r'), /<Type>Receiver<\/Type>/);
});

test('renderSuccess: skips undefined children, renders numbers, nests in order', async () => {
  const xml = renderSuccess('X', [['A', 'a'], undefined, ['B', [['C', 1], undefined, ['D', '']]], ['E', 0]], 'r');
  assert.equal(
    xml,
    `<XResponse xmlns="${STS_XMLNS}">\n  <XResult><A>a</A><B><C>1</C><D></D></B><E>0</E></XResult>\n  <ResponseMetadata>\n    <RequestId>r</RequestId>\n  </ResponseMetadata>\n</XResponse>\n`,
  );
  assert.deepEqual(await elementOrder(xml), ['XResponse', 'XResult', 'A', 'B', 'C', 'D', 'E', 'ResponseMetadata', 'RequestId']);
});

test("renderNode escapes text but not element names (names are the code's own)", () => {
  assert.equal(renderNode(['Arn', 'a<b>&']), '<Arn>a&lt;b&gt;&amp;</Arn>');
  assert.equal(renderNode(['Empty', []]), '<Empty></Empty>');
});

test('deep nesting of claims never reaches the XML (only flat text is rendered)', () => {
  // A 10,000-deep value can only arrive as text: rendering is linear, no recursion on the value.
  const text = '['.repeat(10_000) + ']'.repeat(10_000);
  assert.equal(renderNode(['V', text]).length, text.length + 7);
});
