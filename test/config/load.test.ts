import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isConfigFileName, loadConfig } from '../../src/config/load.js';
import { ConfigError, type ConfigProblem } from '../../src/config/types.js';
import { ACCOUNT, assertProblems, configOf, problemsOf, provider, role, show, trust } from './helpers.js';
import { EXAMPLE_JWKS } from '../helpers/example-jwks.js';

// test/fixtures/config, reached from build-<name>/test/config or dist/test/config.
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/config');

const temps: string[] = [];
after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function tempDir(files: Record<string, string | object>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sts-config-'));
  temps.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    if (name.endsWith('/')) {
      await mkdir(full, { recursive: true });
      continue;
    }
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

async function loadProblems(dir: string, accountId = ACCOUNT): Promise<readonly ConfigProblem[]> {
  try {
    await loadConfig(dir, { accountId });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  return assert.fail('expected loadConfig to fail');
}

test('loads the valid fixture: pasted IAM output, three policy encodings, JwksFile, Emulated', async () => {
  const dir = path.join(FIXTURES, 'valid');
  const config = await loadConfig(dir, { accountId: ACCOUNT });
  assert.equal(config.accountId, ACCOUNT);
  assert.deepEqual(
    config.providers.map((p) => [p.file, p.url, p.arn, p.keys.kind]),
    [
      [
        'providers/github.json',
        'https://token.actions.githubusercontent.com',
        `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
        'discovery',
      ],
      ['providers/local.json', 'https://oidc.local.test/ci', `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.local.test/ci`, 'emulated'],
      [
        'providers/static.json',
        'https://idp.example.com/realms/build',
        `arn:aws:iam::${ACCOUNT}:oidc-provider/idp.example.com/realms/build`,
        'inline',
      ],
    ],
  );
  const [github, local, stat] = config.providers;
  assert.deepEqual(github?.thumbprintList, ['6938fd4d98bab03faadb97b34396831e3780aea1', '1c58a3a8518e8759bf075b76b750d4f2df264fcd']);
  assert.deepEqual(local?.keys, { kind: 'emulated', privateKeyFile: path.join(dir, 'providers/local.key.pem') });
  assert.equal(stat?.keys.kind === 'inline' && stat.keys.jwks.keys[0]?.kid, 'build-2024');
  assert.deepEqual(stat?.clientIdList, ['ci-runner', 'sts.amazonaws.com']);

  assert.deepEqual(
    config.roles.map((r) => [r.file, r.arn, r.roleId, r.maxSessionDuration]),
    [
      ['roles/build-string.json', `arn:aws:iam::${ACCOUNT}:role/build-string`, config.roles[0]?.roleId, 3600],
      ['roles/github-deploy.json', `arn:aws:iam::${ACCOUNT}:role/ci/github-deploy`, 'AROAQXYZ3EXAMPLE4ROLE', 7200],
      ['roles/local-encoded.json', `arn:aws:iam::${ACCOUNT}:role/local-encoded`, config.roles[2]?.roleId, 3600],
    ],
  );
  const deploy = config.roles[1];
  assert.equal(deploy?.path, '/ci/');
  assert.equal(deploy?.description, 'Deploys from GitHub Actions on main');
  assert.deepEqual(deploy?.tags, [{ Key: 'team', Value: 'platform' }]);
  for (const r of config.roles) {
    assert.match(r.roleId, /^AROA[A-Z0-9]{17}$/);
    assert.equal(r.trustPolicy.kind, 'trust');
    assert.equal(JSON.parse(r.trustPolicyJson).Version, '2012-10-17');
  }
});

test('the invalid fixture reports every problem at once, with file and path', async () => {
  const problems = await loadProblems(path.join(FIXTURES, 'invalid'));
  assertProblems(problems, [
    [
      'providers/b-circleci-again.json',
      'Url',
      /https:\/\/oidc\.circleci\.com\/org\/6f1c1f0e-3c1b-4f0e-9d6a-2b7c9a1e5d42 is already registered by providers\/a-circleci\.json/,
    ],
    ['providers/typo.json', 'ClientIdList', /unknown field \(did you mean 'ClientIDList'\?\)/],
    ['providers/typo.json', 'Url', /must begin with https:\/\//],
    ['providers/typo.json', 'ClientIDList', /is required/],
    ['providers/typo.json', 'JwksUri', /must use https:\/\//],
    ['roles/bad-fields.json', 'RoleName', /only letters/],
    ['roles/bad-fields.json', 'MaxSessionDuration', /between 3600 and 43200/],
    ['roles/bad-fields.json', 'AssumeRolePolicyDocument.Statement[0].Effect', /./],
    ['roles/broken.json', '', /^invalid JSON at line 6, column 3: trailing comma before '}'$/],
    ['roles/other-account.json', 'Role.Arn', /names account 210987654321.*--account-id 210987654321/],
  ]);
});

test('ConfigError message lists every problem as file: path: message', async () => {
  try {
    await loadConfig(path.join(FIXTURES, 'invalid'), { accountId: ACCOUNT });
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /^Invalid configuration \(10 problems\):\n/);
    assert.match(err.message, /\n {2}roles\/bad-fields\.json: MaxSessionDuration: must be between 3600 and 43200/);
    assert.match(err.message, /\n {2}roles\/broken\.json: invalid JSON at line 6/);
  }
});

test('the same fixture loads under the account its Arn names', async () => {
  const problems = await loadProblems(path.join(FIXTURES, 'invalid'), '210987654321');
  assert.ok(!problems.some((p) => p.file === 'roles/other-account.json'), problems.map(show).join('\n'));
});

test('a missing directory is a ConfigError, not a stack trace', async () => {
  const missing = path.join(tmpdir(), 'sts-config-does-not-exist-' + process.pid);
  assertProblems(await loadProblems(missing), [['.', '', new RegExp(`configuration directory ${missing}: not found`)]]);
});

test('a file given as the directory must be a template or Terraform JSON', async () => {
  const dir = await tempDir({ 'file.json': '{}' });
  assertProblems(await loadProblems(path.join(dir, 'file.json')), [
    ['file.json', '', /^not a CloudFormation template .* nor the JSON of terraform show -json/],
  ]);
});

test('missing providers/ and roles/ are both reported', async () => {
  const dir = await tempDir({ 'README.md': 'x' });
  assertProblems(await loadProblems(dir), [
    ['providers', '', /^directory not found: .*providers must exist and hold the providers\/\*\.json files$/],
    ['roles', '', /^directory not found: .*roles must exist/],
  ]);
});

test('providers/ as a file is reported', async () => {
  const dir = await tempDir({ providers: 'x', 'roles/': '' });
  assertProblems(await loadProblems(dir), [['providers', '', /^not a directory: /]]);
});

test('empty providers/ and roles/ give an empty configuration', async () => {
  const dir = await tempDir({ 'providers/': '', 'roles/': '' });
  assert.deepEqual(await loadConfig(dir, { accountId: ACCOUNT }), { accountId: ACCOUNT, providers: [], roles: [], skipped: [], root: dir });
});

test('only *.json files directly in providers/ and roles/ are read', async () => {
  const dir = await tempDir({
    'providers/p.json': provider(),
    'providers/p.key.pem': 'not json',
    'providers/README': 'not json',
    'providers/notes.json.bak': 'not json',
    'providers/.editing.json': 'not json',
    'providers/nested/x.json': 'not json',
    'roles/r.json': role(),
    'roles/r.yaml': 'RoleName: x',
    'roles/dir.json/': '',
    'policies.json': 'not json',
  });
  const config = await loadConfig(dir, { accountId: ACCOUNT });
  assert.equal(config.providers.length, 1);
  assert.equal(config.roles.length, 1);
});

test('JwksFile is read relative to the provider file', async () => {
  const jwks = EXAMPLE_JWKS;
  const dir = await tempDir({
    'providers/a.json': provider({ JwksFile: '../keys/a.jwks' }),
    'providers/b.json': provider({ Url: 'https://b.example.com', JwksFile: 'b.jwks.json' }),
    'providers/b.jwks.json': jwks,
    'keys/a.jwks': jwks,
    'roles/': '',
  });
  const config = await loadConfig(dir, { accountId: ACCOUNT });
  assert.deepEqual(
    config.providers.map((p) => p.keys),
    [
      { kind: 'inline', jwks },
      { kind: 'inline', jwks },
    ],
  );
});

test('a missing or broken JwksFile is reported', async () => {
  const dir = await tempDir({
    'providers/a.json': provider({ JwksFile: 'missing.jwks' }),
    'providers/b.json': provider({ Url: 'https://b.example.com', JwksFile: 'keys/' }),
    'providers/c.json': provider({ Url: 'https://c.example.com', JwksFile: 'c.jwks' }),
    'providers/c.jwks': '{"keys": [{"kty": "RSA", "d": "x"}]}',
    'providers/keys/': '',
    'roles/': '',
  });
  assertProblems(await loadProblems(dir), [
    ['providers/a.json', 'JwksFile', /file not found: providers\/missing\.jwks/],
    ['providers/b.json', 'JwksFile', /cannot read providers\/keys: not a regular file/],
    ['providers/c.jwks', 'keys[0].d', /private key material/],
    ['providers/c.json', 'JwksFile', /providers\/c\.jwks is not a usable JWK Set/],
  ]);
});

test('a file over 1 MiB is reported without being parsed', async () => {
  const dir = await tempDir({ 'providers/': '', 'roles/big.json': `{"RoleName": "${'x'.repeat(1024 * 1024)}"}` });
  assertProblems(await loadProblems(dir), [['roles/big.json', '', /file is too large \(\d+ bytes; the limit is 1048576\)/]]);
});

test('symlinked role files are followed', async () => {
  const dir = await tempDir({ 'providers/': '', 'shared/r.json': role() });
  await mkdir(path.join(dir, 'roles'));
  await symlink(path.join(dir, 'shared/r.json'), path.join(dir, 'roles/r.json'));
  assert.equal((await loadConfig(dir, { accountId: ACCOUNT })).roles.length, 1);
});

test('an unreadable file is reported', { skip: process.getuid?.() === 0 ? 'root reads everything' : false }, async () => {
  const dir = await tempDir({ 'providers/': '', 'roles/r.json': role() });
  await chmod(path.join(dir, 'roles/r.json'), 0o000);
  assertProblems(await loadProblems(dir), [['roles/r.json', '', /permission denied/]]);
});

// The pure part: buildConfig.

test('problems from several files and fields are all reported, in file order', () => {
  const problems = problemsOf({
    'roles/b.json': role({ RoleName: 'b', MaxSessionDuration: 60, Tags: 'x' }),
    'providers/p.json': provider({ ClientIDList: 'sts.amazonaws.com', JwksUri: 'http://idp.example.com/k' }),
    'roles/a.json': '{"RoleName": "a",, }',
    'roles/c.json': { Role: { RoleName: 'c', AssumeRolePolicyDocument: '%7B' } },
  });
  assertProblems(problems, [
    ['providers/p.json', 'ClientIDList', /must be an array of strings/],
    ['providers/p.json', 'JwksUri', /must use https/],
    ['roles/a.json', '', /^invalid JSON at line 1, column 18: unexpected ','; expected a double-quoted property name$/],
    ['roles/b.json', 'MaxSessionDuration', /got 60/],
    ['roles/b.json', 'Tags', /must be an array/],
    ['roles/c.json', 'Role.AssumeRolePolicyDocument', /URL-encoded but does not decode to a JSON policy document/],
  ]);
});

const nonJson: [string, string, RegExp][] = [
  ['roles/r.json', '', /file is empty/],
  ['roles/r.json', 'RoleName: deploy', /line 1, column 1: unexpected 'R'; expected a value/],
  ['roles/r.json', '[1, 2]', /must be a JSON object/],
  ['providers/p.json', '"https://x"', /must be a JSON object/],
  ['providers/p.json', '{"Url": "https://x",\n "ClientIDList": ["a"]\n', /line 3, column 1: unexpected end of file; expected ',' or '}'/],
];
for (const [name, text, message] of nonJson) {
  test(`non-JSON or non-object ${name}: ${JSON.stringify(text)}`, () => {
    assertProblems(problemsOf({ [name]: text }), [[name, '', message]]);
  });
}

test('an account ID that is not 12 digits is a problem', () => {
  assertProblems(problemsOf({}, { accountId: '12345' }), [['.', '', /the account ID must be 12 digits \(--account-id\), got '12345'/]]);
});

test('buildConfig ignores names it would not read from disk', () => {
  assert.deepEqual(configOf({ 'roles/x.txt': 'nope', 'other/x.json': 'nope', 'roles/a/b.json': 'nope' }).roles, []);
  for (const [name, ok] of [
    ['roles/a.json', true],
    ['providers/a.json', true],
    ['roles/a.JSON', false],
    ['roles/.a.json', false],
    ['roles/a.json~', false],
    ['roles/sub/a.json', false],
    ['a.json', false],
  ] as const) {
    assert.equal(isConfigFileName(name), ok, name);
  }
});

test('a valid configuration from memory has roles and providers in file-name order', () => {
  const config = configOf({
    'roles/z.json': role({ RoleName: 'z' }),
    'roles/a.json': role({ RoleName: 'a', AssumeRolePolicyDocument: JSON.stringify(trust()) }),
    'providers/github.json': provider(),
  });
  assert.deepEqual(
    config.roles.map((r) => r.roleName),
    ['a', 'z'],
  );
  assert.equal(config.providers[0]?.name, 'token.actions.githubusercontent.com');
});
