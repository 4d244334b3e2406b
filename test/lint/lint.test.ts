/** lintConfig over a configuration built from memory: the loader's record of the file is the only source (no file is read). */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { lintConfig, PROVIDER_NAMES, RULES } from '../../src/lint/index.js';
import { DEMO_POLICIES } from '../helpers/harness.js';
import { ACCOUNT, configOf, GITHUB_ARN, provider } from '../config/helpers.js';

const GH = 'token.actions.githubusercontent.com';

function roleWith(condition: Record<string, unknown>, name = 'deploy'): Record<string, unknown> {
  return {
    RoleName: name,
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: GITHUB_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }],
    },
  };
}

test('every rule has its own id, a severity, the providers it judges and a one-line summary', () => {
  assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
  for (const r of RULES) {
    assert.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, r.id);
    assert.ok(['error', 'warning', 'info'].includes(r.severity), r.id);
    assert.ok(r.providers.length > 0 && r.providers.every((p) => p in PROVIDER_NAMES), r.id);
    assert.ok(r.summary.length > 0 && !/[|\n]/.test(r.summary), `${r.id}: a summary fit for a table row`);
  }
});

test('paths follow the Role wrapper the loader saw; the directory does not exist', () => {
  const condition = { 'ForAnyValue:StringEquals': { [`${GH}:aud`]: 'sts.amazonaws.com' } };
  const config = configOf(
    {
      'providers/gh.json': provider(),
      'roles/plain.json': roleWith(condition),
      'roles/wrapped.json': { Role: roleWith(condition, 'wrapped') },
    },
    { dir: '/nonexistent' },
  );
  const paths = lintConfig(config).map((f) => `${f.file} ${f.rule} ${f.path}`);
  const cond = `Statement[0].Condition["ForAnyValue:StringEquals"]["${GH}:aud"]`;
  assert.deepEqual(paths, [
    `roles/plain.json set-qualifier-on-single-valued-key AssumeRolePolicyDocument.${cond}`,
    `roles/plain.json github-without-sub AssumeRolePolicyDocument.Statement[0].Condition`,
    `roles/wrapped.json set-qualifier-on-single-valued-key Role.AssumeRolePolicyDocument.${cond}`,
    `roles/wrapped.json github-without-sub Role.AssumeRolePolicyDocument.Statement[0].Condition`,
  ]);
});

test('findings per statement: each condition through the condition rules, then each trusted provider', () => {
  const config = configOf({
    'providers/gh.json': provider(),
    'roles/r.json': roleWith({
      StringLike: { [`${GH}:sub`]: 'repo:a/b:ref:refs/heads/main', [`${GH}:actor`]: 'x' },
      StringEquals: { [`${GH}:repository_owner`]: 'a*' },
    }),
  });
  assert.deepEqual(
    lintConfig(config).map((f) => [f.severity, f.rule]),
    [
      ['info', 'string-like-without-wildcard'],
      ['info', 'string-like-without-wildcard'],
      ['error', 'unsupported-condition-key'],
      ['warning', 'wildcard-in-string-equals'],
      ['info', 'audience-only-in-client-id-list'],
      ['info', 'github-sub-name-based'],
    ],
  );
});

test('every finding on the demo policies points at a place the loader recorded in its file', async () => {
  const config = await loadConfig(DEMO_POLICIES, { accountId: ACCOUNT });
  const findings = lintConfig(config);
  assert.ok(findings.length > 0);
  for (const f of findings) {
    const role = config.roles.find((r) => r.file === f.file);
    const region = role?.positions.locate(f.path);
    assert.ok(region, `${f.file}: ${f.path}`);
    const lines = (await readFile(join(DEMO_POLICIES, f.file), 'utf8')).split('\n');
    const lastKey = /(?:\.(\w+)|\["([^"]+)"\])(?:\[\d+\])?$/.exec(f.path);
    // The value's line names its key (a property's value starts on the line of its key in these files).
    assert.ok(lines[region.line - 1]?.includes(`"${lastKey?.[1] ?? lastKey?.[2]}"`), `${f.path} at line ${region.line}`);
  }
});
