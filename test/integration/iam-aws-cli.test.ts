/**
 * aws-cli (v1, and v2 when installed) against the IAM API subset: a setup creates a provider and a role, then
 * `aws sts assume-role-with-web-identity` assumes it with a token of that provider; every `aws iam` command of the
 * subset, each change seen by the next AssumeRoleWithWebIdentity where it matters; errors as aws-cli prints them, `--endpoint-url` and (v1)
 * `AWS_ENDPOINT_URL_IAM`. Skipped visibly for a CLI that is not installed. The commands go through aws-cli's own entry
 * point (what the `aws` script calls) in one Python process per CLI (aws-driver.ts), each with exactly its environment;
 * the `aws` executable itself is exercised by aws-cli-v1.test.ts and aws-cli-v2.test.ts.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, assume, fixture, GITHUB, githubTrust } from '../iam/helpers.js';
import { awsCli, json, need, outcome, sandbox, type RunResult } from './clients.js';
import { startAwsDriver } from './aws-driver.js';

const MAIN = 'repo:demo-org/demo-app:ref:refs/heads/main';
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB}`;
const KEYS = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

for (const major of [1, 2] as const) {
  test(`aws-cli v${major}: a setup creates a provider and a role, STS assumes it; aws iam reads, updates, deletes and errors`, async (t: TestContext) => {
    const cli = await need(t, `aws-cli v${major}`, awsCli(major), major === 1 ? 'pip install awscli' : 'apt-get install -y awscli');
    if (cli === undefined) return;
    const f = await fixture({ empty: true, iamLimits: { tagsPerRole: 2 } });
    t.after(() => f.close());
    const sb = await sandbox(t, KEYS);
    const trust = await sb.file('trust.json', githubTrust(MAIN));
    const driver = await startAwsDriver(t, cli);
    const aws = (args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> =>
      driver.run([...args.slice(0, 2), '--endpoint-url', f.emu.endpoint, '--output', 'json', ...args.slice(2)], {
        env: { ...sb.env, ...env },
      });
    const okJson = async (args: readonly string[]): Promise<Record<string, unknown>> => {
      const r = await aws(args);
      assert.equal(r.code, 0, outcome(r));
      return r.stdout.trim() === '' ? {} : json(r);
    };
    const fails = async (args: readonly string[], code: string, operation: string, message: string): Promise<void> => {
      const r = await aws(args);
      assert.notEqual(r.code, 0, outcome(r));
      assert.ok(r.stderr.includes(`An error occurred (${code}) when calling the ${operation} operation: ${message}`), outcome(r));
    };

    const created = await okJson([
      'iam',
      'create-open-id-connect-provider',
      '--url',
      `https://${GITHUB}`,
      '--client-id-list',
      'sts.amazonaws.com',
      '--thumbprint-list',
      '6938fd4d98bab03faadb97b34396831e3780aea1',
    ]);
    assert.equal(created['OpenIDConnectProviderArn'], PROVIDER_ARN);
    const role = await okJson([
      'iam',
      'create-role',
      '--role-name',
      'gha-deploy',
      '--assume-role-policy-document',
      `file://${trust}`,
      '--max-session-duration',
      '7200',
      '--tags',
      'Key=team,Value=platform',
    ]);
    assert.equal((role['Role'] as Record<string, unknown>)['Arn'], `arn:aws:iam::${ACCOUNT}:role/gha-deploy`);

    const token = await f.emu.mintToken({ preset: { name: 'github', repository: 'demo-org/demo-app', branch: 'main' } });
    const assumed = await okJson([
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      `arn:aws:iam::${ACCOUNT}:role/gha-deploy`,
      '--role-session-name',
      'cli',
      '--web-identity-token',
      token,
      '--duration-seconds',
      '7200',
    ]);
    assert.equal((assumed['AssumedRoleUser'] as Record<string, unknown>)['Arn'], `arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/cli`);

    const provider = await okJson(['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', PROVIDER_ARN]);
    assert.equal(provider['Url'], GITHUB);
    assert.deepEqual(provider['ClientIDList'], ['sts.amazonaws.com']);
    const providers = await okJson(['iam', 'list-open-id-connect-providers']);
    assert.deepEqual(providers['OpenIDConnectProviderList'], [{ Arn: PROVIDER_ARN }]);
    await okJson([
      'iam',
      'add-client-id-to-open-id-connect-provider',
      '--open-id-connect-provider-arn',
      PROVIDER_ARN,
      '--client-id',
      'second',
    ]);
    await okJson([
      'iam',
      'remove-client-id-from-open-id-connect-provider',
      '--open-id-connect-provider-arn',
      PROVIDER_ARN,
      '--client-id',
      'sts.amazonaws.com',
    ]);
    await okJson([
      'iam',
      'update-open-id-connect-provider-thumbprint',
      '--open-id-connect-provider-arn',
      PROVIDER_ARN,
      '--thumbprint-list',
      '1c58a3a8518e8759bf075b76b750d4f2df264fcd',
    ]);
    const changed = await okJson(['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', PROVIDER_ARN]);
    assert.deepEqual(changed['ClientIDList'], ['second']);
    assert.deepEqual(changed['ThumbprintList'], ['1c58a3a8518e8759bf075b76b750d4f2df264fcd']);
    assert.equal((await assume(f.emu, 'gha-deploy', token)).code, 'InvalidIdentityToken', 'the audience is no longer a client ID');
    await okJson([
      'iam',
      'add-client-id-to-open-id-connect-provider',
      '--open-id-connect-provider-arn',
      PROVIDER_ARN,
      '--client-id',
      'sts.amazonaws.com',
    ]);
    assert.equal((await assume(f.emu, 'gha-deploy', token)).status, 200);

    const release = await sb.file('release.json', githubTrust('repo:demo-org/demo-app:ref:refs/heads/release'));
    await okJson(['iam', 'update-assume-role-policy', '--role-name', 'gha-deploy', '--policy-document', `file://${release}`]);
    assert.equal((await assume(f.emu, 'gha-deploy', token)).code, 'AccessDenied', 'the next call evaluates the new trust policy');
    await okJson(['iam', 'update-assume-role-policy', '--role-name', 'gha-deploy', '--policy-document', `file://${trust}`]);
    assert.equal((await assume(f.emu, 'gha-deploy', token)).status, 200);

    const got = (await okJson(['iam', 'get-role', '--role-name', 'gha-deploy']))['Role'] as Record<string, unknown>;
    assert.deepEqual(got['AssumeRolePolicyDocument'], JSON.parse(githubTrust(MAIN)), 'aws-cli prints the decoded trust policy');
    assert.equal(got['MaxSessionDuration'], 7200);
    await okJson(['iam', 'create-role', '--role-name', 'b-role', '--path', '/cli/', '--assume-role-policy-document', `file://${trust}`]);
    const page = await okJson(['iam', 'list-roles', '--max-items', '1']);
    assert.equal((page['Roles'] as unknown[]).length, 1);
    assert.equal(typeof page['NextToken'], 'string', 'aws-cli pages with the Marker IAM returned');
    const all = await okJson(['iam', 'list-roles']);
    assert.deepEqual(
      (all['Roles'] as Record<string, unknown>[]).map((r) => r['RoleName']),
      ['b-role', 'gha-deploy'],
    );
    await okJson(['iam', 'update-role', '--role-name', 'b-role', '--description', 'from the cli', '--max-session-duration', '3600']);
    const b = (await okJson(['iam', 'get-role', '--role-name', 'b-role']))['Role'] as Record<string, unknown>;
    assert.equal(b['Description'], 'from the cli');
    await okJson(['iam', 'tag-role', '--role-name', 'b-role', '--tags', 'Key=a,Value=1', 'Key=b,Value=2']);
    await okJson(['iam', 'untag-role', '--role-name', 'b-role', '--tag-keys', 'a']);
    assert.deepEqual((await okJson(['iam', 'list-role-tags', '--role-name', 'b-role']))['Tags'], [{ Key: 'b', Value: '2' }]);

    await fails(
      ['iam', 'create-role', '--role-name', 'gha-deploy', '--assume-role-policy-document', `file://${trust}`],
      'EntityAlreadyExists',
      'CreateRole',
      'Role with name gha-deploy already exists.',
    );
    await fails(['iam', 'get-role', '--role-name', 'nope'], 'NoSuchEntity', 'GetRole', 'The role with name nope cannot be found.');
    await fails(
      ['iam', 'create-role', '--role-name', 'bad', '--assume-role-policy-document', '{"Version":'],
      'MalformedPolicyDocument',
      'CreateRole',
      'This policy contains invalid Json',
    );
    await fails(
      ['iam', 'get-role', '--role-name', 'a b'],
      'ValidationError',
      'GetRole',
      "1 validation error detected: Value 'a b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
    await fails(
      ['iam', 'list-roles', '--no-sign-request'],
      'MissingAuthenticationToken',
      'ListRoles',
      'Request is missing Authentication Token',
    );
    // aws-cli 2.9's model still requires --thumbprint-list (IAM made it optional in 2023).
    await fails(
      [
        'iam',
        'create-open-id-connect-provider',
        '--url',
        'http://idp.example.com',
        '--client-id-list',
        'x',
        '--thumbprint-list',
        '6938fd4d98bab03faadb97b34396831e3780aea1',
      ],
      'InvalidInput',
      'CreateOpenIDConnectProvider',
      'Invalid Open ID Connect Provider URL.',
    );
    await fails(
      ['iam', 'tag-role', '--role-name', 'b-role', '--tags', 'Key=x,Value=1', 'Key=y,Value=2'],
      'LimitExceeded',
      'TagRole',
      'Cannot exceed quota for TagsPerRole: 2',
    );

    if (major === 1) {
      // botocore >= 1.31 reads AWS_ENDPOINT_URL_IAM: no --endpoint-url at all.
      const r = await driver.run(['iam', 'get-role', '--role-name', 'b-role', '--output', 'json'], {
        env: { ...sb.env, AWS_ENDPOINT_URL_IAM: f.emu.endpoint },
      });
      assert.equal(r.code, 0, outcome(r));
      assert.equal((json(r)['Role'] as Record<string, unknown>)['RoleName'], 'b-role');
    }

    for (const name of ['b-role', 'gha-deploy']) await okJson(['iam', 'delete-role', '--role-name', name]);
    await okJson(['iam', 'delete-open-id-connect-provider', '--open-id-connect-provider-arn', PROVIDER_ARN]);
    assert.deepEqual((await okJson(['iam', 'list-roles']))['Roles'], []);
  });
}
