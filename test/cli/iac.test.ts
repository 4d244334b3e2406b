/**
 * The commands on templates and Terraform JSON: `lint` with findings at the logical id or address, `test` deciding
 * cases against a plan and a state (a case naming a skipped role is invalid, never a pass), `token` signing for a
 * provider of a plan with no extra file, `explain` saying a role was left out, and `--parameter` checked.
 */
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { REPO_ROOT } from '../helpers/harness.js';
import { assertOneLineError, runMain, tempDir } from './helpers.js';

const IAC = join(REPO_ROOT, 'test', 'fixtures', 'iac');

interface LintJson {
  findings: { severity: string; rule: string; file: string; role: string; path: string; message: string }[];
  errors: number;
  warnings: number;
}

let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ dir, cleanup } = await tempDir('sts-cli-iac-'));
  for (const f of ['terraform/plan.json', 'terraform/state.json', 'cloudformation/github-oidc.yaml'])
    await cp(join(IAC, f), join(dir, f.split('/')[1] as string));
});
after(() => cleanup());

describe('lint', () => {
  test('a YAML template: findings at the logical id, skipped roles as warnings with the value that is unknown', async () => {
    const r = await runMain(['lint', '--policies', join(dir, 'github-oidc.yaml'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as LintJson;
    const file = relative(REPO_ROOT, join(dir, 'github-oidc.yaml')).startsWith('..')
      ? join(dir, 'github-oidc.yaml')
      : relative(REPO_ROOT, join(dir, 'github-oidc.yaml'));
    assert.ok(
      json.findings.every((f) => f.file === file),
      JSON.stringify(json.findings.map((f) => f.file)),
    );
    // github-sub-name-based (an info on every name-based subject) is lint's own tests' concern; here: where findings point.
    assert.deepEqual(
      json.findings.filter((f) => f.rule !== 'github-sub-name-based').map((f) => [f.rule, f.role, f.path]),
      [
        [
          'string-like-without-wildcard',
          'github-staging',
          'Resources.EnvironmentRole.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]',
        ],
        [
          'unresolved-iac-value',
          'github-release',
          'Resources.ReleaseRole.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]["Fn::Sub"]',
        ],
        ['unresolved-iac-value', 'bucket-reader', 'Resources.BucketReader.Properties.AssumeRolePolicyDocument.Statement[0].Principal.AWS'],
      ],
    );
    assert.match(
      json.findings.find((f) => f.role === 'github-release')?.message ?? '',
      /parameter 'ReleaseTopic' has no Default.*; the role ReleaseRole is left out/,
    );
    const strict = await runMain(['lint', '--policies', join(dir, 'github-oidc.yaml'), '--strict']);
    assert.equal(strict.code, 1);
  });

  test('a Terraform plan: the finding of a role left out names its address', async () => {
    const r = await runMain(['lint', '--policies', join(dir, 'plan.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /plan\.json: aws_iam_role\.deploy_any_branch\.assume_role_policy: warning \[unresolved-iac-value\] is known only after apply \(unknown in the plan\); the role aws_iam_role\.deploy_any_branch is left out/,
    );
    assert.match(r.stdout, /\n0 errors, 1 warning, 1 info in 1 roles\n$/);
  });

  test('a Terraform state: a finding in a role points at its address, inside the policy JSON string', async () => {
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as {
      values: { root_module: { resources: { address: string; values: Record<string, unknown> }[] } };
    };
    const deploy = state.values.root_module.resources.find((r) => r.address === 'aws_iam_role.deploy');
    assert.ok(deploy !== undefined);
    deploy.values['assume_role_policy'] = (deploy.values['assume_role_policy'] as string).replace(
      '"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub"',
      '"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub"',
    );
    const file = join(dir, 'state-lint.json');
    await writeFile(file, JSON.stringify(state, null, 2));
    const r = await runMain(['lint', '--policies', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as LintJson;
    assert.deepEqual(
      json.findings.filter((f) => f.rule !== 'github-sub-name-based').map((f) => [f.rule, f.role, f.path]),
      [
        [
          'string-like-without-wildcard',
          'github-deploy-main',
          'aws_iam_role.deploy.assume_role_policy.Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]',
        ],
        [
          'github-sub-any-context',
          'github-deploy-any-branch',
          'aws_iam_role.deploy_any_branch.assume_role_policy.Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]',
        ],
      ],
    );
  });
});

describe('test', () => {
  test('cases against a state and a plan; a case naming a role the plan leaves out is invalid', async () => {
    const cases = join(dir, 'cases.yaml');
    await writeFile(
      cases,
      [
        '- name: main deploys',
        '  role: github-deploy-main',
        '  preset: { name: github, branch: main }',
        '  expect: allow',
        '- name: a feature branch does not',
        '  role: github-deploy-main',
        '  preset: { name: github, branch: feature/x }',
        '  expect: deny',
        '- name: any branch of the repository',
        '  role: github-deploy-any-branch',
        '  preset: { name: github, branch: feature/x }',
        '  expect: allow',
        '',
      ].join('\n'),
    );
    const state = await runMain(['test', cases, '--policies', join(dir, 'state.json')]);
    assert.equal(state.code, 0, state.stdout + state.stderr);
    assert.match(state.stdout, /\n3 passed, 0 failed\n$/);

    const plan = await runMain(['test', cases, '--policies', join(dir, 'plan.json')]);
    assert.equal(plan.code, 1);
    assert.match(
      plan.stdout,
      /^SKIPPED role aws_iam_role\.deploy_any_branch \(plan\.json: aws_iam_role\.deploy_any_branch\.assume_role_policy: is known only after apply/,
    );
    assert.match(
      plan.stdout,
      /FAIL any branch of the repository .*: expected allow, got invalid case\n\s+the role aws_iam_role\.deploy_any_branch .* was left out of the configuration/,
    );
    assert.match(plan.stdout, /\n2 passed, 1 failed\n$/);
  });
});

describe('token and explain', () => {
  test('token signs for the provider a plan defines: no provider file needed', async () => {
    const r = await runMain(['token', '--policies', join(dir, 'plan.json'), '--preset', 'github']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(decodeJwt(r.stdout.trim()).iss, 'https://token.actions.githubusercontent.com');
  });

  test('token names the template when it defines no provider', async () => {
    const file = join(dir, 'roles-only.template.json');
    await writeFile(file, JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }));
    assertOneLineError(
      await runMain(['token', '--policies', file, '--preset', 'github']),
      2,
      new RegExp(`no emulated issuer in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`),
    );
  });

  test('explain says when the role was left out', async () => {
    const r = await runMain(['explain', '--policies', join(dir, 'plan.json'), '--role', 'github-deploy-any-branch', '--preset', 'github']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^sts-emulator explain: the role aws_iam_role\.deploy_any_branch \(plan\.json: .*\) was left out of the configuration\n$/,
    );
  });
});

describe('--parameter', () => {
  test('gives a template parameter', async () => {
    const r = await runMain(['lint', '--policies', join(dir, 'github-oidc.yaml'), '--parameter', 'ReleaseTopic=release', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!(JSON.parse(r.stdout) as LintJson).findings.some((f) => f.role === 'github-release' && f.rule === 'unresolved-iac-value'));
  });

  const refusals: readonly [string[], RegExp][] = [
    [['--parameter', 'NoEquals'], /--parameter must be Key=Value with a template parameter's name as Key, got 'NoEquals'/],
    [['--parameter', 'a b=c'], /--parameter must be Key=Value/],
    [['--parameter', 'A=1', '--parameter', 'A=2'], /--parameter A is given twice/],
  ];
  for (const [args, message] of refusals) {
    test(`usage error: ${args.join(' ')}`, async () => {
      assertOneLineError(await runMain(['lint', '--policies', join(dir, 'github-oidc.yaml'), ...args]), 2, message);
    });
  }

  test('a parameter no template declares is a configuration problem', async () => {
    const r = await runMain(['lint', '--policies', join(dir, 'github-oidc.yaml'), '--parameter', 'Nope=1']);
    assertOneLineError(r, 1, /^sts-emulator: invalid configuration: parameter 'Nope' is declared by no template/);
  });
});
