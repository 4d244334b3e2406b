/**
 * boto3's IAM client against the IAM API subset: a setup script creates a provider and a role, then boto3's STS
 * client assumes the role with a token of that provider; every operation of the subset (list_roles through boto3's
 * paginator, the trust policy decoded by botocore), and the error codes, messages, statuses and exception classes
 * boto3 raises. Skipped visibly without boto3.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, fixture, GITHUB, githubTrust, type Fixture } from '../iam/helpers.js';
import { json, need, outcome, python, run, sandbox, type Client, type Sandbox } from './clients.js';

const HINT = 'needs a python3 that can `import boto3` (pip install boto3), or set STS_EMULATOR_PYTHON';
const MAIN = 'repo:demo-org/demo-app:ref:refs/heads/main';

const CLIENTS = String.raw`
import json, os, boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
endpoint = os.environ['ENDPOINT']
keys = dict(aws_access_key_id='AKIAIOSFODNN7EXAMPLE', aws_secret_access_key='wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region_name='us-east-1')
iam = boto3.client('iam', endpoint_url=endpoint, **keys)
sts = boto3.client('sts', endpoint_url=endpoint, **keys)
def failure(f):
    try:
        f()
    except ClientError as e:
        return {'class': type(e).__name__, 'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'],
                'status': e.response['ResponseMetadata']['HTTPStatusCode']}
    return None
`;

/** Creates the provider and the role, as a setup script would. */
const SETUP =
  CLIENTS +
  String.raw`
p = iam.create_open_id_connect_provider(Url='https://${GITHUB}', ClientIDList=['sts.amazonaws.com'],
                                       ThumbprintList=['6938fd4d98bab03faadb97b34396831e3780aea1'], Tags=[{'Key': 'team', 'Value': 'platform'}])
r = iam.create_role(RoleName='gha-deploy', AssumeRolePolicyDocument=os.environ['TRUST'], MaxSessionDuration=7200)
print(json.dumps({'providerArn': p['OpenIDConnectProviderArn'], 'tags': p['Tags'], 'roleArn': r['Role']['Arn'],
                  'policy': r['Role']['AssumeRolePolicyDocument'], 'created': r['Role']['CreateDate'].isoformat()}))
`;

/** Assumes the role, then every other operation and error. */
const REST =
  CLIENTS +
  String.raw`
out = {}
arn = os.environ['PROVIDER_ARN']
a = sts.assume_role_with_web_identity(RoleArn=os.environ['ROLE_ARN'], RoleSessionName='boto3', WebIdentityToken=os.environ['TOKEN'], DurationSeconds=7200)
out['assumed'] = a['AssumedRoleUser']['Arn']
g = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
out['provider'] = {'Url': g['Url'], 'ClientIDList': g['ClientIDList'], 'ThumbprintList': g['ThumbprintList'], 'Tags': g['Tags'], 'dated': hasattr(g['CreateDate'], 'isoformat')}
out['providers'] = [x['Arn'] for x in iam.list_open_id_connect_providers()['OpenIDConnectProviderList']]
iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID='second')
iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID='second')
iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=['1c58a3a8518e8759bf075b76b750d4f2df264fcd'])
g = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
out['after'] = {'ClientIDList': g['ClientIDList'], 'ThumbprintList': g['ThumbprintList']}
for name in ('b-role', 'c-role'):
    iam.create_role(RoleName=name, Path='/boto3/', AssumeRolePolicyDocument=os.environ['TRUST'])
out['paged'] = [r['RoleName'] for page in iam.get_paginator('list_roles').paginate(PaginationConfig={'PageSize': 1}) for r in page['Roles']]
out['prefixed'] = [r['RoleName'] for r in iam.list_roles(PathPrefix='/boto3/')['Roles']]
iam.update_role(RoleName='b-role', Description='boto3', MaxSessionDuration=3600)
iam.update_assume_role_policy(RoleName='b-role', PolicyDocument=os.environ['TRUST'].replace('main', 'dev'))
role = iam.get_role(RoleName='b-role')['Role']
out['b'] = {'Description': role['Description'], 'sub': role['AssumeRolePolicyDocument']['Statement'][0]['Condition']['StringEquals']}
iam.tag_role(RoleName='b-role', Tags=[{'Key': 'a', 'Value': '1'}, {'Key': 'b', 'Value': '2'}])
iam.untag_role(RoleName='b-role', TagKeys=['a'])
out['tags'] = iam.list_role_tags(RoleName='b-role')['Tags']
out['errors'] = {
    'exists': failure(lambda: iam.create_role(RoleName='gha-deploy', AssumeRolePolicyDocument=os.environ['TRUST'])),
    'missing': failure(lambda: iam.get_role(RoleName='nope')),
    'malformed': failure(lambda: iam.create_role(RoleName='bad', AssumeRolePolicyDocument='{')),
    'limit': failure(lambda: iam.tag_role(RoleName='b-role', Tags=[{'Key': 'x', 'Value': '1'}, {'Key': 'y', 'Value': '2'}])),
    'invalid': failure(lambda: iam.create_open_id_connect_provider(Url='http://plain.example')),
    'validation': failure(lambda: iam.create_role(RoleName='bad name', AssumeRolePolicyDocument=os.environ['TRUST'])),
    'noProvider': failure(lambda: iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn + 'x')),
    'unsigned': failure(lambda: boto3.client('iam', endpoint_url=endpoint, region_name='us-east-1',
                                             config=Config(signature_version=UNSIGNED)).list_roles()),
}
for name in ('b-role', 'c-role', 'gha-deploy'):
    iam.delete_role(RoleName=name)
iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
out['deniedAfterDelete'] = failure(lambda: sts.assume_role_with_web_identity(RoleArn=os.environ['ROLE_ARN'], RoleSessionName='boto3', WebIdentityToken=os.environ['TOKEN']))
print(json.dumps(out))
`;

let f: Fixture;
before(async () => {
  f = await fixture({ empty: true, iamLimits: { tagsPerRole: 2 } });
});
after(() => f.close());

async function script(
  t: TestContext,
  py: Client,
  sb: Sandbox,
  name: string,
  source: string,
  env: Record<string, string>,
): Promise<Record<string, unknown>> {
  const path = await sb.file(name, source);
  const r = await run(py.path, [path], { env: { ...sb.env, ENDPOINT: f.emu.endpoint, TRUST: githubTrust(MAIN), ...env } });
  assert.equal(r.code, 0, outcome(r));
  t.diagnostic(r.stdout.trim().slice(0, 200));
  return json(r);
}

test('boto3: a setup creates a provider and a role, STS assumes it; every IAM operation and error', async (t) => {
  const py = await need(t, 'boto3', python(), HINT);
  if (py === undefined) return;
  const sb = await sandbox(t);
  const setup = await script(t, py, sb, 'setup.py', SETUP, {});
  const providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB}`;
  assert.equal(setup['providerArn'], providerArn);
  assert.deepEqual(setup['tags'], [{ Key: 'team', Value: 'platform' }]);
  assert.equal(setup['roleArn'], `arn:aws:iam::${ACCOUNT}:role/gha-deploy`);
  assert.deepEqual(setup['policy'], JSON.parse(githubTrust(MAIN)), 'botocore URL-decodes and parses the trust policy');

  const token = await f.emu.mintToken({ preset: { name: 'github', repository: 'demo-org/demo-app', branch: 'main' } });
  const out = await script(t, py, sb, 'rest.py', REST, { TOKEN: token, ROLE_ARN: String(setup['roleArn']), PROVIDER_ARN: providerArn });
  assert.equal(out['assumed'], `arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/boto3`);
  assert.deepEqual(out['provider'], {
    Url: GITHUB,
    ClientIDList: ['sts.amazonaws.com'],
    ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
    Tags: [{ Key: 'team', Value: 'platform' }],
    dated: true,
  });
  assert.deepEqual(out['providers'], [providerArn]);
  assert.deepEqual(out['after'], { ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['1c58a3a8518e8759bf075b76b750d4f2df264fcd'] });
  assert.deepEqual(out['paged'], ['b-role', 'c-role', 'gha-deploy']);
  assert.deepEqual(out['prefixed'], ['b-role', 'c-role']);
  assert.deepEqual(out['b'], {
    Description: 'boto3',
    sub: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:demo-org/demo-app:ref:refs/heads/dev' },
  });
  assert.deepEqual(out['tags'], [{ Key: 'b', Value: '2' }]);
  const errors = out['errors'] as Record<string, Record<string, unknown>>;
  assert.deepEqual(errors['exists'], {
    class: 'EntityAlreadyExistsException',
    code: 'EntityAlreadyExists',
    message: 'Role with name gha-deploy already exists.',
    status: 409,
  });
  assert.deepEqual(errors['missing'], {
    class: 'NoSuchEntityException',
    code: 'NoSuchEntity',
    message: 'The role with name nope cannot be found.',
    status: 404,
  });
  assert.deepEqual(errors['malformed'], {
    class: 'MalformedPolicyDocumentException',
    code: 'MalformedPolicyDocument',
    message: 'This policy contains invalid Json',
    status: 400,
  });
  assert.deepEqual(errors['limit'], {
    class: 'LimitExceededException',
    code: 'LimitExceeded',
    message: 'Cannot exceed quota for TagsPerRole: 2',
    status: 409,
  });
  assert.deepEqual(errors['invalid'], {
    class: 'InvalidInputException',
    code: 'InvalidInput',
    message: 'Invalid Open ID Connect Provider URL.',
    status: 400,
  });
  assert.equal(errors['validation']?.['code'], 'ValidationError');
  assert.equal(errors['validation']?.['status'], 400);
  assert.equal(errors['noProvider']?.['class'], 'NoSuchEntityException');
  assert.deepEqual(errors['unsigned'], {
    class: 'ClientError',
    code: 'MissingAuthenticationToken',
    message: 'Request is missing Authentication Token',
    status: 403,
  });
  assert.equal((out['deniedAfterDelete'] as Record<string, unknown>)['code'], 'InvalidIdentityToken', 'the provider is gone');
});
