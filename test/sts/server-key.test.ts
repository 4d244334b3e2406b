/** resolveServerKey: sources and their precedence, key formats, clear errors that never echo the key, key files. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseServerKey, resolveServerKey, ServerKeyError } from '../../src/sts/server-key.js';

const dir = mkdtempSync(join(tmpdir(), 'server-key-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const bytes32 = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1));
const HEX = bytes32.toString('hex');
const B64 = bytes32.toString('base64');
const fixed = (fill: number) => (n: number) => new Uint8Array(n).fill(fill);

const good: [string, string, Buffer][] = [
  ['64 hex digits', HEX, bytes32],
  ['upper-case hex with 0x', '0x' + HEX.toUpperCase(), bytes32],
  ['base64', B64, bytes32],
  ['base64 without padding', B64.replace(/=+$/, ''), bytes32],
  ['base64url', bytes32.toString('base64url'), bytes32],
  ['surrounding whitespace', `  ${HEX}\n`, bytes32],
  ['a longer key', 'ab'.repeat(64), Buffer.alloc(64, 0xab)],
];
for (const [name, text, want] of good) {
  test(`parses ${name}`, () => assert.deepEqual(Buffer.from(parseServerKey(text, '--server-key')), want));
}

const bad: [string, string, RegExp][] = [
  ['empty', '   ', /^--server-key: the key is empty; expected at least 32 bytes/],
  ['31 bytes of hex', HEX.slice(0, 62), /^--server-key: the key is 31 bytes, too short; expected at least 32 bytes as hex or base64/],
  ['16 bytes of base64', Buffer.alloc(16, 9).toString('base64'), /the key is 16 bytes, too short/],
  ['odd hex', HEX + 'a', /odd number of hex digits \(65\)/],
  ['not hex or base64', 'correct horse battery staple!!', /^--server-key: not hex or base64;/],
  ['bad base64 length', 'Z'.repeat(45), /not valid base64/],
];
for (const [name, text, message] of bad) {
  test(`rejects ${name} without echoing it`, () => {
    assert.throws(
      () => parseServerKey(text, '--server-key'),
      (e: unknown) => {
        assert.ok(e instanceof ServerKeyError);
        assert.match(e.message, message);
        if (text.trim().length > 8) assert.ok(!e.message.includes(text.trim()), 'key material echoed');
        return true;
      },
    );
  });
}

test('precedence: flag, then env, then file, then generated', () => {
  const file = join(dir, 'precedence.key');
  writeFileSync(file, Buffer.alloc(32, 3).toString('hex'));
  const env = { STS_EMULATOR_SERVER_KEY: Buffer.alloc(32, 2).toString('hex') };
  const flag = Buffer.alloc(32, 1).toString('hex');
  const random = fixed(4);
  assert.deepEqual(resolveServerKey({ flag, env, file, randomBytes: random }), { key: new Uint8Array(32).fill(1), source: 'flag' });
  assert.deepEqual(resolveServerKey({ env, file, randomBytes: random }), { key: new Uint8Array(32).fill(2), source: 'env' });
  assert.deepEqual(resolveServerKey({ env: {}, file, randomBytes: random }), { key: new Uint8Array(32).fill(3), source: 'file' });
  assert.deepEqual(resolveServerKey({ env: { STS_EMULATOR_SERVER_KEY: '' }, randomBytes: random }), {
    key: new Uint8Array(32).fill(4),
    source: 'generated',
  });
});

test('an invalid env key names the variable', () => {
  assert.throws(
    () => resolveServerKey({ env: { STS_EMULATOR_SERVER_KEY: 'abcd' } }),
    /^ServerKeyError: STS_EMULATOR_SERVER_KEY: the key is 2 bytes, too short/,
  );
});

test('a missing key file is created with mode 0600 and read back on restart', () => {
  const file = join(dir, 'nested', 'deeper', 'server.key');
  const first = resolveServerKey({ env: {}, file, randomBytes: fixed(5) });
  assert.deepEqual(first, { key: new Uint8Array(32).fill(5), source: 'file', created: true });
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readFileSync(file, 'utf8'), Buffer.alloc(32, 5).toString('hex') + '\n');
  const restart = resolveServerKey({ env: {}, file, randomBytes: fixed(6) });
  assert.deepEqual(restart, { key: new Uint8Array(32).fill(5), source: 'file' });
});

test('a key file holding base64 is read', () => {
  const file = join(dir, 'b64.key');
  writeFileSync(file, B64 + '\n');
  assert.deepEqual(Buffer.from(resolveServerKey({ env: {}, file }).key), bytes32);
});

test('a bad key file names its path', () => {
  const file = join(dir, 'short.key');
  writeFileSync(file, 'abcd');
  assert.throws(() => resolveServerKey({ env: {}, file }), {
    name: 'ServerKeyError',
    message: new RegExp(`^--server-key-file ${file}: the key is 2 bytes, too short`),
  });
});

test('an unreadable key file is a clear error', () => {
  const path = join(dir, 'a-directory');
  mkdirSync(path);
  assert.throws(() => resolveServerKey({ env: {}, file: path }), {
    name: 'ServerKeyError',
    message: `--server-key-file ${path}: cannot read the file (EISDIR)`,
  });
});

test('generated keys come from randomBytes and default to crypto', () => {
  const a = resolveServerKey({ env: {} });
  const b = resolveServerKey({ env: {} });
  assert.equal(a.source, 'generated');
  assert.equal(a.key.length, 32);
  assert.notDeepEqual(a.key, b.key);
});
