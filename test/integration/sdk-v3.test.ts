/**
 * AWS SDK for JavaScript v3 against the emulator, in-process: STSClient commands, the fromWebToken and
 * fromTokenFile credential providers (and which endpoint their inner STS client uses), the typed errors the
 * SDK builds from our XML, and $metadata.requestId matching the x-amzn-RequestId header.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AssumeRoleWithWebIdentityCommand,
  ExpiredTokenException,
  GetCallerIdentityCommand,
  InvalidIdentityTokenException,
  STSClient,
  STSServiceException,
  type STSClientConfig,
} from '@aws-sdk/client-sts';
import { fromTokenFile, fromWebToken } from '@aws-sdk/credential-providers';
import { circleToken, roleArn, startServer, type TestServer } from '../helpers/harness.js';
import { REGION } from './clients.js';

let server: TestServer;
let home: string;

/** This file runs in its own process: isolate it like a spawned client (no real credentials, empty config). */
before(async () => {
  for (const k of Object.keys(process.env)) if (/^AWS_/i.test(k) || /^(https?|all|no)_proxy$/i.test(k)) delete process.env[k];
  home = await mkdtemp(join(tmpdir(), 'sts-emulator-sdk-'));
  await writeFile(join(home, 'config'), '');
  await writeFile(join(home, 'credentials'), '');
  Object.assign(process.env, {
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  server = await startServer();
});
after(async () => {
  await server.close();
  await rm(home, { recursive: true, force: true });
});

/** Set env vars for one test only. */
function withEnv(t: TestContext, vars: Record<string, string>): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

/** A client whose every raw x-amzn-RequestId header is recorded (middleware just above the HTTP handler). */
function client(config: STSClientConfig = {}): { sts: STSClient; headerIds: string[] } {
  const sts = new STSClient({ endpoint: server.url, region: REGION, maxAttempts: 1, ...config });
  const headerIds: string[] = [];
  sts.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const headers = (out.response as { headers?: Record<string, string> }).headers ?? {};
      headerIds.push(headers['x-amzn-requestid'] ?? '(missing)');
      return out;
    },
    { step: 'deserialize', priority: 'low', name: 'recordRequestIdHeader' },
  );
  return { sts, headerIds };
}

async function whoAmI(credentials: NonNullable<STSClientConfig['credentials']>): Promise<string | undefined> {
  const { sts } = client({ credentials });
  return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
}

test('AssumeRoleWithWebIdentityCommand then GetCallerIdentityCommand with the returned credentials', async () => {
  const { sts, headerIds } = client();
  const out = await sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn('deploy-main'),
      RoleSessionName: 'sdk-v3',
      WebIdentityToken: await circleToken({ branch: 'main' }),
    }),
  );
  const c = out.Credentials;
  assert.ok(c?.AccessKeyId !== undefined && c.SecretAccessKey !== undefined && c.SessionToken !== undefined);
  assert.match(c.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assert.ok(c.Expiration instanceof Date && c.Expiration.getTime() > Date.now() + 3500_000, 'Expiration parsed to a Date one hour ahead');
  assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::123456789012:assumed-role/deploy-main/sdk-v3');
  assert.equal(out.Provider, 'arn:aws:iam::123456789012:oidc-provider/oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d');
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.deepEqual([out.$metadata.requestId], headerIds, '$metadata.requestId is the x-amzn-RequestId header');
  assert.equal(server.audit.at(-1)?.requestId, out.$metadata.requestId);

  const who = client({ credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } });
  const id = await who.sts.send(new GetCallerIdentityCommand({}));
  assert.equal(id.Arn, 'arn:aws:sts::123456789012:assumed-role/deploy-main/sdk-v3');
  assert.equal(id.Account, '123456789012');
  assert.match(id.UserId ?? '', /^AROA[A-Z0-9]{17}:sdk-v3$/);
  assert.deepEqual([id.$metadata.requestId], who.headerIds);
});

test('fromWebToken with clientConfig.endpoint feeds GetCallerIdentity (default session name aws-sdk-js-session-<ms>)', async () => {
  const credentials = fromWebToken({
    roleArn: roleArn('deploy-main'),
    webIdentityToken: await circleToken({ branch: 'main' }),
    clientConfig: { endpoint: server.url, region: REGION },
  });
  assert.match((await whoAmI(credentials)) ?? '', /^arn:aws:sts::123456789012:assumed-role\/deploy-main\/aws-sdk-js-session-\d{13}$/);
});

test('fromTokenFile reads AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME; endpoint from clientConfig', async (t) => {
  const file = join(home, 'token-clientconfig');
  await writeFile(file, `${await circleToken({ branch: 'main' })}\n`);
  withEnv(t, { AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: roleArn('deploy-main'), AWS_ROLE_SESSION_NAME: 'sdk-token-file' });
  assert.equal(
    await whoAmI(fromTokenFile({ clientConfig: { endpoint: server.url, region: REGION } })),
    'arn:aws:sts::123456789012:assumed-role/deploy-main/sdk-token-file',
  );
});

test('fromTokenFile with no clientConfig: AWS_ENDPOINT_URL_STS redirects its inner STS client', async (t) => {
  const file = join(home, 'token-env');
  await writeFile(file, await circleToken({ branch: 'main' }));
  withEnv(t, {
    AWS_WEB_IDENTITY_TOKEN_FILE: file,
    AWS_ROLE_ARN: roleArn('deploy-main'),
    AWS_ROLE_SESSION_NAME: 'sdk-env-endpoint',
    AWS_ENDPOINT_URL_STS: server.url,
  });
  const before = server.audit.length;
  assert.equal(await whoAmI(fromTokenFile()), 'arn:aws:sts::123456789012:assumed-role/deploy-main/sdk-env-endpoint');
  assert.deepEqual(
    server.audit.slice(before).map((a) => a.action),
    ['AssumeRoleWithWebIdentity', 'GetCallerIdentity'],
  );
});

test('fromTokenFile without AWS_ENDPOINT_URL_STS or clientConfig.endpoint targets real STS, not the STSClient endpoint', async (t) => {
  const file = join(home, 'token-real');
  await writeFile(file, await circleToken({ branch: 'main' }));
  withEnv(t, { AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: roleArn('deploy-main'), AWS_ROLE_SESSION_NAME: 'sdk-no-endpoint' });
  // Offline: the inner client's request handler records where it would go and never sends.
  const seen: string[] = [];
  const trap = {
    handle: async (req: { protocol: string; hostname: string; path: string }) => {
      seen.push(`${req.protocol}//${req.hostname}${req.path}`);
      throw Object.assign(new Error('trapped: not sent'), { name: 'Trapped' });
    },
  };
  const before = server.audit.length;
  await assert.rejects(whoAmI(fromTokenFile({ clientConfig: { region: REGION, requestHandler: trap as never } })), /trapped: not sent/);
  assert.deepEqual(seen, ['https://sts.us-east-1.amazonaws.com/']);
  assert.equal(server.audit.length, before, 'the emulator was not called');
});

const refusals: readonly {
  name: string;
  token: () => Promise<string>;
  errorName: string;
  cls?: new (...args: never[]) => STSServiceException;
  status: number;
  message: RegExp;
}[] = [
  // AccessDenied is not a modeled STS error: the SDK names the error after the wire code.
  {
    name: 'a feature/x token',
    token: () => circleToken({ branch: 'feature/x' }),
    errorName: 'AccessDenied',
    status: 403,
    message: /^Not authorized to perform sts:AssumeRoleWithWebIdentity$/,
  },
  {
    name: 'an expired token',
    token: () => circleToken({}, {}, new Date(Date.now() - 3 * 3600e3)),
    errorName: 'ExpiredTokenException',
    cls: ExpiredTokenException,
    status: 400,
    message: /^Token expired: current date\/time /,
  },
  {
    name: 'a token for another audience',
    token: () => circleToken({ branch: 'main', aud: 'someone-else' }),
    errorName: 'InvalidIdentityTokenException',
    cls: InvalidIdentityTokenException,
    status: 400,
    message: /^Incorrect token audience$/,
  },
];

for (const c of refusals) {
  test(`typed error for ${c.name}: name ${c.errorName}`, async () => {
    const { sts, headerIds } = client();
    const err: unknown = await sts
      .send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: roleArn('deploy-main'),
          RoleSessionName: 'sdk-refused',
          WebIdentityToken: await c.token(),
        }),
      )
      .then(
        () => assert.fail('expected a refusal'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof STSServiceException, `an STSServiceException, got ${String(err)}`);
    assert.equal(err.name, c.errorName);
    if (c.cls !== undefined) assert.ok(err instanceof c.cls, `instanceof ${c.cls.name}`);
    assert.match(err.message, c.message);
    assert.equal(err.$fault, 'client');
    assert.equal(err.$metadata.httpStatusCode, c.status);
    assert.deepEqual([err.$metadata.requestId], headerIds, '$metadata.requestId is the x-amzn-RequestId header');
    assert.equal(server.audit.at(-1)?.requestId, err.$metadata.requestId);
  });
}
