import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoleId, ROLE_ID_PATTERN } from '../../src/config/role-id.js';

test('deriveRoleId: AROA + 17 base32 characters', () => {
  for (const [account, name] of [
    ['123456789012', 'deploy'],
    ['000000000000', 'a'],
    ['999999999999', 'x'.repeat(64)],
    ['123456789012', 'with+=,.@_-chars'],
  ] as const) {
    const id = deriveRoleId(account, name);
    assert.match(id, /^AROA[A-Z2-7]{17}$/);
    assert.match(id, ROLE_ID_PATTERN);
    assert.equal(id.length, 21);
  }
});

test('deriveRoleId is deterministic (pinned value)', () => {
  assert.equal(deriveRoleId('123456789012', 'deploy'), deriveRoleId('123456789012', 'deploy'));
  assert.equal(deriveRoleId('123456789012', 'deploy'), PINNED);
});

test('deriveRoleId depends on account and name (case included)', () => {
  const ids = new Set([
    deriveRoleId('123456789012', 'deploy'),
    deriveRoleId('123456789013', 'deploy'),
    deriveRoleId('123456789012', 'Deploy'),
    deriveRoleId('123456789012', 'deploy2'),
  ]);
  assert.equal(ids.size, 4);
});

const patternCases: [string, boolean][] = [
  ['AROAUH3H6EGKDE7GWMPWA', true],
  ['AROASBWKLLBJFBLYSYIDR', true],
  ['AROA0123456789ABCDEFG', true],
  ['AIDAUH3H6EGKDE7GWMPWA', false],
  ['AROAUH3H6EGKDE7GWMPW', false],
  ['AROAUH3H6EGKDE7GWMPWAA', false],
  ['aroauh3h6egkde7gwmpwa', false],
  ['AROAUH3H6EGKDE7GWMPW_', false],
];
for (const [id, ok] of patternCases) {
  test(`ROLE_ID_PATTERN ${ok ? 'accepts' : 'rejects'} ${id}`, () => assert.equal(ROLE_ID_PATTERN.test(id), ok));
}

// Changing the derivation changes every RoleId users have seen: keep it.
const PINNED = 'AROAJTLZH5JEUSK2LZ473';
