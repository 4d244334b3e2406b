/**
 * Templates and Terraform JSON as `--policies`: one file or a directory of them (with or without providers/ and roles/),
 * roles and providers validated by the rules of role and provider files with every problem pointing into the source,
 * skipped resources listed, overlays giving a provider's keys, `--parameter` names checked.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfigFrom, type SourceOptions } from '../../src/config/load.js';
import { ConfigError, type ConfigProblem, type LoadedConfig } from '../../src/config/types.js';
import { EXAMPLE_JWKS } from '../helpers/example-jwks.js';
import { REPO_ROOT } from '../helpers/harness.js';
import { ACCOUNT, assertProblems, show } from './helpers.js';

const IAC = path.join(REPO_ROOT, 'test', 'fixtures', 'iac');
const GH = 'token.actions.githubusercontent.com';
const GH_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GH}`;

const temps: string[] = [];
after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

/** A temporary directory holding these files (copied from the fixtures when the value is a fixture path). */
async function tempDir(files: Record<string, string | { fixture: string } | object>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sts-iac-'));
  temps.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    await mkdir(path.dirname(full), { recursive: true });
    if (name.endsWith('/')) await mkdir(full, { recursive: true });
    else if (typeof content === 'object' && 'fixture' in content) await cp(path.join(IAC, content.fixture as string), full);
    else await writeFile(full, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

const load = (dir: string, parameters: Record<string, string> = {}, options: Partial<SourceOptions> = {}): Promise<LoadedConfig> =>
  loadConfigFrom({ dir, parameters }, { accountId: ACCOUNT, region: 'us-east-1', ...options });

async function problemsOf(dir: string, parameters: Record<string, string> = {}): Promise<readonly ConfigProblem[]> {
  try {
    await load(dir, parameters);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  return assert.fail('expected a ConfigError');
}

describe('a YAML CloudFormation template as --policies', () => {
  const file = path.join(IAC, 'cloudformation', 'github-oidc.yaml');

  test('roles and providers, resolved with the defaults; what needs a deployment is skipped with its path', async () => {
    const config = await load(file);
    assert.equal(config.root, path.dirname(file));
    assert.deepEqual(
      config.providers.map((p) => [p.url, p.arn, p.clientIdList, p.keys, p.file]),
      [
        [
          `https://${GH}`,
          GH_ARN,
          ['sts.amazonaws.com'],
          { kind: 'emulated', privateKeyFile: path.join(path.dirname(file), '.sts-emulator', `https_${GH}.key.pem`) },
          'github-oidc.yaml',
        ],
      ],
    );
    assert.deepEqual(
      config.roles.map((r) => [r.roleName, r.arn, r.maxSessionDuration, r.trustPolicyPath, r.file]),
      [
        [
          'us-east-1-deploy',
          `arn:aws:iam::${ACCOUNT}:role/ci/us-east-1-deploy`,
          7200,
          'Resources.DeployRole.Properties.AssumeRolePolicyDocument',
          'github-oidc.yaml',
        ],
        [
          'github-staging',
          `arn:aws:iam::${ACCOUNT}:role/github-staging`,
          3600,
          'Resources.EnvironmentRole.Properties.AssumeRolePolicyDocument',
          'github-oidc.yaml',
        ],
        [
          'StagingOnly',
          `arn:aws:iam::${ACCOUNT}:role/StagingOnly`,
          3600,
          'Resources.StagingOnly.Properties.AssumeRolePolicyDocument',
          'github-oidc.yaml',
        ],
      ],
    );
    const deploy = JSON.parse(config.roles[0]?.trustPolicyJson ?? '{}');
    assert.deepEqual(deploy.Statement[0].Principal, { Federated: GH_ARN });
    assert.deepEqual(deploy.Statement[0].Condition.StringEquals, {
      [`${GH}:aud`]: 'sts.amazonaws.com',
      [`${GH}:sub`]: 'repo:demo-org/demo-app:ref:refs/heads/main',
    });
    assert.deepEqual(
      config.skipped.map((s) => [s.kind, s.resource, s.roleName, s.path]),
      [
        [
          'role',
          'ReleaseRole',
          'github-release',
          `Resources.ReleaseRole.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals["${GH}:sub"]["Fn::Sub"]`,
        ],
        ['role', 'BucketReader', 'bucket-reader', 'Resources.BucketReader.Properties.AssumeRolePolicyDocument.Statement[0].Principal.AWS'],
      ],
    );
    assert.match(
      config.skipped[0]?.message ?? '',
      /parameter 'ReleaseTopic' has no Default; give it with --parameter ReleaseTopic=<value>/,
    );
  });

  test('positions: the trust policy of a role of a YAML template is found at its line', async () => {
    const config = await load(file);
    const role = config.roles[0];
    assert.equal(role?.positions.locate(`${role.trustPolicyPath}.Statement[0].Condition`)?.line, 58);
    assert.equal(role?.positions.locate('Resources.DeployRole.Properties.RoleName')?.line, 47);
  });

  test('--parameter: a condition turns, a role is not created, a skipped role comes in', async () => {
    const config = await load(file, { Environment: 'production', ReleaseTopic: 'release', SessionHours: '1' });
    assert.deepEqual(
      config.roles.map((r) => [r.roleName, r.maxSessionDuration]),
      [
        ['us-east-1-deploy', 3600],
        ['github-production', 3600],
        ['github-release', 3600],
      ],
    );
    assert.deepEqual(
      config.skipped.map((s) => s.resource),
      ['BucketReader'],
    );
  });

  test('a --parameter no template declares is a problem', async () => {
    assertProblems(await problemsOf(file, { Enviroment: 'production', 'AWS::Region': 'x' }), [
      [
        '.',
        '',
        /^parameter 'Enviroment' is declared by no template in the configuration \(declared: Repository, Environment, SessionHours, DeployBranches, ReleaseTopic\)$/,
      ],
      ['.', '', /^parameter 'AWS::Region' is not one a template takes from --parameter/],
    ]);
  });

  test('AWS::Region comes from the options', async () => {
    const config = await load(file, {}, { region: 'eu-central-1' });
    assert.equal(config.roles[0]?.roleName, 'eu-central-1-deploy');
  });
});

test('a JSON template the CDK wrote: the trust policy of a role is found at its line', async () => {
  const file = path.join(IAC, 'cdk', 'GithubDeploy.template.json');
  const config = await load(file);
  const role = config.roles.find((r) => r.roleName === 'github-deploy-main');
  assert.ok(role !== undefined);
  const text = (await import('node:fs/promises')).readFile(file, 'utf8');
  const expected = (await text).split('\n').findIndex((l) => l.includes('"DeployMain')) + 1;
  assert.match(role.trustPolicyPath, /^Resources\.DeployMain[0-9A-F]{8}\.Properties\.AssumeRolePolicyDocument$/);
  const at = role.positions.locate(role.trustPolicyPath);
  assert.ok(at !== undefined && at.line > expected && at.line < expected + 5, `line ${at?.line}, resource at ${expected}`);
});

describe('problems in a template point into it', () => {
  test('IAM validation of a role and a provider, with template paths; a duplicate name across a template and roles/', async () => {
    const dir = await tempDir({
      'stack.template.json': {
        Resources: {
          Gh: {
            Type: 'AWS::IAM::OIDCProvider',
            Properties: { Url: `https://${GH}`, ClientIdList: ['sts.amazonaws.com'], ThumbprintList: ['not-a-thumbprint'] },
          },
          Bad: {
            Type: 'AWS::IAM::Role',
            Properties: {
              RoleName: 'deploy',
              MaxSessionDuration: 60,
              AssumeRolePolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Maybe', Principal: { Federated: GH_ARN }, Action: 'sts:AssumeRoleWithWebIdentity' }],
              },
            },
          },
        },
      },
      'roles/deploy.json': { RoleName: 'Deploy', AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } },
    });
    const problems = await problemsOf(dir);
    const text = problems.map(show).join('\n');
    for (const [file, p, message] of [
      ['stack.template.json', 'Resources.Gh.Properties.ThumbprintList[0]', /40 hexadecimal characters/],
      ['stack.template.json', 'Resources.Bad.Properties.RoleName', /role 'deploy' is already defined in roles\/deploy\.json/],
      ['stack.template.json', 'Resources.Bad.Properties.MaxSessionDuration', /between 3600 and 43200/],
      ['stack.template.json', 'Resources.Bad.Properties.AssumeRolePolicyDocument.Statement[0].Effect', /./],
    ] as const) {
      assert.ok(
        problems.some((x) => x.file === file && x.path === p && message.test(x.message)),
        `expected ${file}: ${p}: ${String(message)} in:\n${text}`,
      );
    }
  });

  test('a file that says it is a template must parse; other files of the directory are left alone', async () => {
    const dir = await tempDir({
      'broken.template.yaml': 'Resources:\n  A: [',
      'manifest.json': { version: '36.0.0' },
      'notes.yaml': '- just: a list',
      'providers/': '',
      'roles/': '',
    });
    assertProblems(await problemsOf(dir), [['broken.template.yaml', '', /^invalid YAML at line 2, column/]]);
  });

  test("a Terraform JSON of a format this reader does not know is refused (the format's rule)", async () => {
    const dir = await tempDir({ 'plan.json': { format_version: '2.0', resource_changes: [] } });
    assertProblems(await problemsOf(path.join(dir, 'plan.json')), [
      ['plan.json', 'format_version', /is "2\.0"; this reader knows Terraform's JSON format 1\.x/],
    ]);
  });
});

describe('Terraform JSON as --policies', () => {
  test('a plan: created and updated roles with known values; unknown values are skipped with the address; deletions are gone', async () => {
    const config = await load(path.join(IAC, 'terraform', 'plan.json'));
    assert.deepEqual(
      config.providers.map((p) => [p.url, p.arn, p.keys.kind]),
      [[`https://${GH}`, GH_ARN, 'emulated']],
    );
    assert.deepEqual(
      config.roles.map((r) => [r.roleName, r.maxSessionDuration, r.trustPolicyPath, r.file]),
      [['github-deploy-main', 7200, 'aws_iam_role.deploy.assume_role_policy', 'plan.json']],
    );
    assert.deepEqual(config.skipped, [
      {
        file: 'plan.json',
        kind: 'role',
        resource: 'aws_iam_role.deploy_any_branch',
        roleName: 'github-deploy-any-branch',
        path: 'aws_iam_role.deploy_any_branch.assume_role_policy',
        message: 'is known only after apply (unknown in the plan)',
      },
    ]);
    // The address stands for the values in the file: lines are found.
    const role = config.roles[0];
    const at = role?.positions.locate(`${role.trustPolicyPath}.Statement[0]`);
    assert.ok(at !== undefined && at.line > 1);
  });

  test('a state: root and child modules, addresses with an instance key', async () => {
    const config = await load(path.join(IAC, 'terraform', 'state.json'));
    assert.deepEqual(
      config.roles.map((r) => [r.roleName, r.arn, r.trustPolicyPath]),
      [
        ['github-deploy-main', `arn:aws:iam::${ACCOUNT}:role/github-deploy-main`, 'aws_iam_role.deploy.assume_role_policy'],
        [
          'github-deploy-any-branch',
          `arn:aws:iam::${ACCOUNT}:role/github-deploy-any-branch`,
          'aws_iam_role.deploy_any_branch.assume_role_policy',
        ],
        [
          'github-deploy-production',
          `arn:aws:iam::${ACCOUNT}:role/ci/github-deploy-production`,
          'module.environments.aws_iam_role.environment["production"].assume_role_policy',
        ],
      ],
    );
    assert.deepEqual(
      config.providers.map((p) => p.url),
      [`https://${GH}`],
    );
    assert.deepEqual(config.skipped, []);
  });

  test("a state of another account: the role's arn names it, with the flag that fixes it", async () => {
    const problems = await loadConfigFrom({ dir: path.join(IAC, 'terraform', 'state.json') }, { accountId: '210987654321' }).then(
      () => assert.fail('expected a ConfigError'),
      (e: ConfigError) => e.problems,
    );
    assert.equal(problems[0]?.path, 'aws_iam_role.deploy.arn');
    assert.match(
      problems[0]?.message ?? '',
      /names account 123456789012, but the emulator runs as account 210987654321; start it with --account-id 123456789012/,
    );
  });

  test('an empty state is an empty configuration', async () => {
    const dir = await tempDir({ 'state.json': { format_version: '1.0', terraform_version: '1.9.8' } });
    const config = await load(path.join(dir, 'state.json'));
    assert.deepEqual([config.roles, config.providers, config.skipped], [[], [], []]);
  });
});

describe('a directory of templates and plans', () => {
  test('needs no providers/ nor roles/, reads every template and plan in it and nothing else', async () => {
    const dir = await tempDir({
      'github.yaml': { fixture: 'cloudformation/github-oidc.yaml' },
      'manifest.json': { version: '36.0.0', artifacts: {} },
      'nested/plan.json': { fixture: 'terraform/plan.json' },
    });
    const config = await load(dir);
    assert.deepEqual(
      config.roles.map((r) => r.file),
      ['github.yaml', 'github.yaml', 'github.yaml'],
    );
  });

  test('the same provider in two sources is registered twice: a problem naming both', async () => {
    const dir = await tempDir({
      'a.yaml': { fixture: 'cloudformation/github-oidc.yaml' },
      'b-state.json': { fixture: 'terraform/state.json' },
    });
    const problems = await problemsOf(dir);
    assert.ok(
      problems.some(
        (p) =>
          p.file === 'b-state.json' &&
          p.path === 'aws_iam_openid_connect_provider.github.url' &&
          /already registered by a\.yaml \(GithubProvider\)/.test(p.message),
      ),
      problems.map(show).join('\n'),
    );
  });

  test('an overlay provider file gives the keys of a provider of a template, matched by Url', async () => {
    const jwks = EXAMPLE_JWKS;
    const dir = await tempDir({
      'plan.json': { fixture: 'terraform/plan.json' },
      'providers/github.json': { Url: `https://${GH}`, Jwks: jwks },
      'roles/': '',
    });
    const config = await load(dir);
    assert.deepEqual(
      config.providers.map((p) => [p.url, p.clientIdList, p.keys, p.file]),
      [[`https://${GH}`, ['sts.amazonaws.com'], { kind: 'inline', jwks }, 'plan.json']],
    );
  });

  test('an overlay that repeats the client ids must agree with the template', async () => {
    const dir = await tempDir({
      'plan.json': { fixture: 'terraform/plan.json' },
      'providers/github.json': { Url: GH, ClientIDList: ['something-else'], JwksUri: 'https://example.com/jwks' },
      'roles/': '',
    });
    assertProblems(await problemsOf(dir), [
      [
        'providers/github.json',
        'ClientIDList',
        /^differs from plan\.json \(aws_iam_openid_connect_provider\.github\) aws_iam_openid_connect_provider\.github\.client_id_list \(\["sts\.amazonaws\.com"\]\); an overlay gives only the keys: leave ClientIDList out$/,
      ],
    ]);
  });

  test('roles put or removed through the API replace roles of a template of the same name', async () => {
    const config = await load(path.join(IAC, 'terraform', 'state.json'), {}, { roleEdits: new Map([['github-deploy-main', null]]) });
    assert.deepEqual(
      config.roles.map((r) => r.roleName),
      ['github-deploy-any-branch', 'github-deploy-production'],
    );
  });
});
