import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findRole, findRoleByName } from '../../src/config/lookup.js';
import { ACCOUNT, configOf, role } from './helpers.js';

const config = configOf({
  'roles/a.json': role({ RoleName: 'deploy' }),
  'roles/b.json': role({ RoleName: 'reader', Path: '/ci/' }),
});

const cases: [string, string | undefined][] = [
  [`arn:aws:iam::${ACCOUNT}:role/deploy`, 'deploy'],
  [`arn:aws:iam::${ACCOUNT}:role/ci/reader`, 'reader'],
  [`arn:aws:iam::${ACCOUNT}:role/reader`, undefined],
  [`arn:aws:iam::${ACCOUNT}:role/Deploy`, undefined],
  [`arn:aws:iam::000000000000:role/deploy`, undefined],
  [`arn:aws:iam::${ACCOUNT}:role/deploy `, undefined],
  ['deploy', undefined],
  ['', undefined],
];
for (const [arn, expected] of cases) {
  test(`findRole(${JSON.stringify(arn)})`, () => assert.equal(findRole(config, arn)?.roleName, expected));
}

test('findRoleByName matches the exact name', () => {
  assert.equal(findRoleByName(config, 'reader')?.arn, `arn:aws:iam::${ACCOUNT}:role/ci/reader`);
  assert.equal(findRoleByName(config, 'Reader'), undefined);
  assert.equal(findRoleByName(config, 'nope'), undefined);
});
