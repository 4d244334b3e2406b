/**
 * boto3 against the emulator: the explicit exchange then GetCallerIdentity with the returned keys, the
 * implicit web-identity provider (token file + role env vars) redirected by AWS_ENDPOINT_URL_STS, and the
 * ClientError codes, messages and exception classes boto3 raises for refused tokens. Each script runs as its own
 * process, forked from one interpreter that has imported boto3 (python-driver.ts): most of a script's CPU was that.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { circleToken, roleArn, startServer, type TestServer } from '../helpers/harness.js';
import { outcome, json, need, python, sandbox, type Client, type Sandbox } from './clients.js';
import { startPythonDriver, type PythonDriver } from './python-driver.js';

const HINT = 'needs a python3 that can `import boto3` (pip install boto3), or set STS_EMULATOR_PYTHON';

/** Explicit exchange; prints the outcome as JSON, a ClientError included (exit 0 either way). */
const EXPLICIT = String.raw`
import json, os, boto3
from botocore.exceptions import ClientError
endpoint = os.environ['STS_ENDPOINT']
sts = boto3.client('sts', endpoint_url=endpoint, region_name='us-east-1')
try:
    r = sts.assume_role_with_web_identity(RoleArn=os.environ['ROLE_ARN'], RoleSessionName=os.environ['SESSION'], WebIdentityToken=os.environ['TOKEN'])
except ClientError as e:
    print(json.dumps({'exception': type(e).__name__, 'operation': e.operation_name, 'error': e.response['Error'],
                      'status': e.response['ResponseMetadata']['HTTPStatusCode'], 'requestId': e.response['ResponseMetadata'].get('RequestId')}))
    raise SystemExit(0)
c = r['Credentials']
session = boto3.Session(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])
who = session.client('sts', endpoint_url=endpoint, region_name='us-east-1').get_caller_identity()
print(json.dumps({'accessKeyId': c['AccessKeyId'], 'expiration': c['Expiration'].isoformat(), 'assumedRoleArn': r['AssumedRoleUser']['Arn'],
                  'identity': {k: who[k] for k in ('Arn', 'Account', 'UserId')}}))
`;

/** The implicit provider: nothing in code but a default session; prints the identity or the ClientError. */
const IMPLICIT = String.raw`
import json, boto3
from botocore.exceptions import ClientError
session = boto3.Session()
try:
    who = session.client('sts').get_caller_identity()
except ClientError as e:
    print(json.dumps({'exception': type(e).__name__, 'operation': e.operation_name, 'error': e.response['Error']}))
    raise SystemExit(0)
print(json.dumps({'method': session.get_credentials().method, 'identity': {k: who[k] for k in ('Arn', 'Account', 'UserId')}}))
`;

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

/** The file's one driver, started by the first test and closed after the last. */
let driver: Promise<PythonDriver> | undefined;
const closeDriver: (() => void)[] = [];
after(() => {
  for (const close of closeDriver) close();
});

async function setup(t: TestContext): Promise<{ py: PythonDriver; sb: Sandbox } | undefined> {
  const py: Client | undefined = await need(t, 'boto3', python(), HINT);
  if (py === undefined) return undefined;
  driver ??= startPythonDriver({ diagnostic: (m) => t.diagnostic(m), after: (close) => closeDriver.push(close) }, py);
  return { py: await driver, sb: await sandbox(t) };
}

async function script(
  py: PythonDriver,
  sb: Sandbox,
  name: string,
  source: string,
  env: Record<string, string>,
): Promise<Record<string, unknown>> {
  const file = await sb.file(name, source);
  const r = await py.run(file, { env: { ...sb.env, ...env } });
  assert.equal(r.code, 0, outcome(r));
  return json(r);
}

test('assume_role_with_web_identity then get_caller_identity with the returned credentials', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const out = await script(s.py, s.sb, 'explicit.py', EXPLICIT, {
    STS_ENDPOINT: server.url,
    ROLE_ARN: roleArn('deploy-main'),
    SESSION: 'boto3-explicit',
    TOKEN: await circleToken({ branch: 'main' }),
  });
  assert.match(String(out['accessKeyId']), /^ASIA[A-Z2-7]{16}$/);
  assert.match(String(out['expiration']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/, 'botocore parses Expiration to an aware UTC datetime');
  assert.equal(out['assumedRoleArn'], 'arn:aws:sts::123456789012:assumed-role/deploy-main/boto3-explicit');
  assert.deepEqual(
    { ...(out['identity'] as object), UserId: undefined },
    { Arn: 'arn:aws:sts::123456789012:assumed-role/deploy-main/boto3-explicit', Account: '123456789012', UserId: undefined },
  );
  assert.match(String((out['identity'] as Record<string, unknown>)['UserId']), /^AROA[A-Z0-9]{17}:boto3-explicit$/);
});

test('implicit provider: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN + AWS_ROLE_SESSION_NAME + AWS_ENDPOINT_URL_STS', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const tokenFile = await s.sb.file('token', `${await circleToken({ branch: 'main' })}\n`);
  const out = await script(s.py, s.sb, 'implicit.py', IMPLICIT, {
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_ROLE_ARN: roleArn('deploy-main'),
    AWS_ROLE_SESSION_NAME: 'boto3-implicit',
    AWS_ENDPOINT_URL_STS: server.url,
  });
  assert.equal(out['method'], 'assume-role-with-web-identity');
  assert.equal((out['identity'] as Record<string, unknown>)['Arn'], 'arn:aws:sts::123456789012:assumed-role/deploy-main/boto3-implicit');
});

test('implicit provider with a feature/x token: the deferred exchange raises AccessDenied from AssumeRoleWithWebIdentity', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const tokenFile = await s.sb.file('token', await circleToken({ branch: 'feature/x' }));
  const out = await script(s.py, s.sb, 'implicit.py', IMPLICIT, {
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_ROLE_ARN: roleArn('deploy-main'),
    AWS_ROLE_SESSION_NAME: 'boto3-implicit',
    AWS_ENDPOINT_URL_STS: server.url,
  });
  assert.equal(out['operation'], 'AssumeRoleWithWebIdentity');
  assert.deepEqual(out['error'], {
    Type: 'Sender',
    Code: 'AccessDenied',
    Message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
  });
});

const refusals: readonly {
  name: string;
  token: () => Promise<string>;
  exception: string;
  code: string;
  status: number;
  message: RegExp;
}[] = [
  {
    name: 'a feature/x token is AccessDenied',
    token: () => circleToken({ branch: 'feature/x' }),
    exception: 'ClientError',
    code: 'AccessDenied',
    status: 403,
    message: /^Not authorized to perform sts:AssumeRoleWithWebIdentity$/,
  },
  {
    name: 'a token that expired two hours ago is ExpiredTokenException',
    token: () => circleToken({}, {}, new Date(Date.now() - 3 * 3600e3)),
    exception: 'ExpiredTokenException',
    code: 'ExpiredTokenException',
    status: 400,
    message: /^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/,
  },
  {
    name: 'a token for another audience is InvalidIdentityToken',
    token: () => circleToken({ branch: 'main', aud: 'someone-else' }),
    exception: 'InvalidIdentityTokenException',
    code: 'InvalidIdentityToken',
    status: 400,
    message: /^Incorrect token audience$/,
  },
];

for (const c of refusals) {
  test(`ClientError: ${c.name}`, async (t) => {
    const s = await setup(t);
    if (s === undefined) return;
    const out = await script(s.py, s.sb, 'explicit.py', EXPLICIT, {
      STS_ENDPOINT: server.url,
      ROLE_ARN: roleArn('deploy-main'),
      SESSION: 'boto3-refused',
      TOKEN: await c.token(),
    });
    const error = out['error'] as Record<string, string>;
    assert.equal(out['exception'], c.exception);
    assert.equal(out['operation'], 'AssumeRoleWithWebIdentity');
    assert.equal(error['Code'], c.code);
    assert.equal(error['Type'], 'Sender');
    assert.match(error['Message'] ?? '', c.message);
    assert.equal(out['status'], c.status);
    assert.match(String(out['requestId']), /^[0-9a-f-]{36}$/);
  });
}
