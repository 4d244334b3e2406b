/** Typed value parsers: exact decimals, dates, booleans, base64, IP addresses and CIDR blocks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains, parseCidr } from '../../src/policy/ip.js';
import { compareDecimal, parseBase64, parseBool, parseDate, parseDecimal } from '../../src/policy/values.js';

const decimals: readonly [string, string, number][] = [
  ['1', '1.0', 0],
  ['0', '-0', 0],
  ['0.1', '0.10000', 0],
  ['1e2', '100', 0],
  ['1E-2', '0.01', 0],
  ['-5', '3', -1],
  ['-5', '-3', -1],
  ['10', '9', 1],
  ['123456789012345678901234567890', '123456789012345678901234567891', -1],
  ['+7', '7', 0],
  ['.5', '0.5', 0],
  ['5.', '5', 0],
];
for (const [a, b, want] of decimals) {
  test(`decimal ${a} vs ${b} -> ${want}`, () => {
    const da = parseDecimal(a);
    const db = parseDecimal(b);
    assert.ok(da && db);
    assert.equal(compareDecimal(da, db), want);
    assert.equal(compareDecimal(db, da), -want || 0);
  });
}

for (const bad of ['', '.', '+', '-', 'e5', '1e', '0x10', '1,5', ' 1', '1 ', 'NaN', 'Infinity', '1..2']) {
  test(`decimal refuses ${JSON.stringify(bad)}`, () => assert.equal(parseDecimal(bad), null));
}

const dates: readonly [string, number | null][] = [
  ['1704067200', Date.UTC(2024, 0, 1)],
  ['2024-01-01', Date.UTC(2024, 0, 1)],
  ['2024-01-01T00:00', Date.UTC(2024, 0, 1)],
  ['2024-01-01T12:34:56Z', Date.UTC(2024, 0, 1, 12, 34, 56)],
  ['2024-01-01T12:34:56.789Z', Date.UTC(2024, 0, 1, 12, 34, 56, 789)],
  ['2024-01-01T12:00:00-0130', Date.UTC(2024, 0, 1, 13, 30)],
  ['2024-02-29', Date.UTC(2024, 1, 29)],
  ['2023-02-29', null],
  ['2024-00-10', null],
  ['2024-01-01T24:00:00Z', null],
  ['2024-01-01Z', null],
  ['01/02/2024', null],
  ['', null],
];
for (const [text, want] of dates) {
  test(`date ${JSON.stringify(text)}`, () => assert.equal(parseDate(text), want));
}

test('bool and base64', () => {
  assert.equal(parseBool('TrUe'), true);
  assert.equal(parseBool('false'), false);
  assert.equal(parseBool('1'), null);
  assert.deepEqual(parseBase64('QUJD'), new Uint8Array([65, 66, 67]));
  assert.deepEqual(parseBase64(''), new Uint8Array([]));
  for (const bad of ['QUJ', 'QU=D', 'Q===', 'QUJD\n', 'QUJ-']) assert.equal(parseBase64(bad), null, bad);
});

const v6: readonly [string, string | null][] = [
  ['::', '00000000000000000000000000000000'],
  ['::1', '00000000000000000000000000000001'],
  ['2001:db8::', '20010db8000000000000000000000000'],
  ['2001:db8:0:0:0:0:0:1', '20010db8000000000000000000000001'],
  ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
  ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
  ['1:2:3:4:5:6:7:8:9', null],
  ['1::2::3', null],
  ['12345::', null],
  ['1:2:3:4:5:6:7::8', null],
  [':1::', null],
  ['g::', null],
];
// The address a text parses to, through the public API: as a bare address it is a /128, which contains exactly
// the address `hex` spells (its eight groups written out) and not its neighbour.
const groups = (hex: string): string => (hex.match(/.{4}/g) as string[]).join(':');
for (const [text, hex] of v6) {
  test(`IPv6 ${text}`, () => {
    const block = parseCidr(text);
    if (hex === null) return assert.equal(block, null);
    assert.ok(block);
    assert.equal(block.family, 6);
    assert.equal(cidrContains(block, groups(hex)), true);
    const neighbour = hex.slice(0, -1) + (parseInt(hex.slice(-1), 16) ^ 1).toString(16);
    assert.equal(cidrContains(block, groups(neighbour)), false);
  });
}

const cidrs: readonly [string, string, boolean][] = [
  ['10.0.0.0/8', '10.255.255.255', true],
  ['10.0.0.0/8', '9.255.255.255', false],
  ['10.1.2.3/8', '10.9.9.9', true],
  ['192.0.2.0/31', '192.0.2.1', true],
  ['192.0.2.0/31', '192.0.2.2', false],
  ['0.0.0.0/0', '1.2.3.4', true],
  ['2001:db8::/127', '2001:db8::1', true],
  ['2001:db8::/127', '2001:db8::2', false],
  ['::/0', '::ffff:1.2.3.4', true],
  ['1.2.3.0/24', '::ffff:1.2.3.99', true],
  ['1.2.3.0/24', '1.2.3.4/32', false],
  ['1.2.3.0/24', 'fe80::1%eth0', false],
];
for (const [block, addr, want] of cidrs) {
  test(`CIDR ${block} contains ${addr} -> ${want}`, () => {
    const c = parseCidr(block);
    assert.ok(c);
    assert.equal(cidrContains(c, addr), want);
  });
}
