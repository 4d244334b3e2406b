/**
 * The AWS SDK for JavaScript v3's IAMClient against the IAM API subset, in-process: a setup creates a provider and a
 * role, STSClient assumes the role with a token of that provider; every operation of the subset through its
 * Command (ListRoles through the SDK's paginator), and the typed exceptions the SDK builds from IAM's errors.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
  DeleteRoleCommand,
  EntityAlreadyExistsException,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  IAMClient,
  IAMServiceException,
  InvalidInputException,
  LimitExceededException,
  ListOpenIDConnectProvidersCommand,
  ListRoleTagsCommand,
  ListRolesCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  paginateListRoles,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ACCOUNT, fixture, GITHUB, githubTrust, type Fixture } from '../iam/helpers.js';
import { REGION } from './clients.js';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB}`;
const MAIN = 'repo:demo-org/demo-app:ref:refs/heads/main';

let f: Fixture;
let iam: IAMClient;
let home: string;

/** This file runs in its own process: isolate it like a spawned client (no real credentials, empty config). */
before(async () => {
  for (const k of Object.keys(process.env)) if (/^AWS_/i.test(k) || /^(https?|all|no)_proxy$/i.test(k)) delete process.env[k];
  home = await mkdtemp(join(tmpdir(), 'sts-emulator-iam-sdk-'));
  await writeFile(join(home, 'config'), '');
  await writeFile(join(home, 'credentials'), '');
  Object.assign(process.env, {
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  f = await fixture({ empty: true, iamLimits: { tagsPerRole: 2 } });
  iam = new IAMClient({ endpoint: f.emu.endpoint, region: REGION, credentials, maxAttempts: 1 });
});
after(async () => {
  iam.destroy();
  await f.close();
  await rm(home, { recursive: true, force: true });
});

/** The error a command rejects with. */
async function rejection(p: Promise<unknown>): Promise<IAMServiceException> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof IAMServiceException, String(e));
    return e;
  }
  assert.fail('the command succeeded');
}

test('a setup creates a provider and a role; STSClient assumes the role with a token of that provider', async () => {
  const created = await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: `https://${GITHUB}`,
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
      Tags: [{ Key: 'team', Value: 'platform' }],
    }),
  );
  assert.equal(created.OpenIDConnectProviderArn, PROVIDER_ARN);
  assert.deepEqual(created.Tags, [{ Key: 'team', Value: 'platform' }]);
  const role = await iam.send(
    new CreateRoleCommand({ RoleName: 'gha-deploy', AssumeRolePolicyDocument: githubTrust(MAIN), MaxSessionDuration: 7200 }),
  );
  assert.equal(role.Role?.Arn, `arn:aws:iam::${ACCOUNT}:role/gha-deploy`);
  assert.ok(role.Role?.CreateDate instanceof Date);
  assert.equal(role.Role?.MaxSessionDuration, 7200);
  assert.deepEqual(JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '')), JSON.parse(githubTrust(MAIN)));

  const sts = new STSClient({ endpoint: f.emu.endpoint, region: REGION, maxAttempts: 1, credentials });
  const token = await f.emu.mintToken({ preset: { name: 'github', repository: 'demo-org/demo-app', branch: 'main' } });
  const assumed = await sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: role.Role?.Arn,
      RoleSessionName: 'sdk',
      WebIdentityToken: token,
      DurationSeconds: 7200,
    }),
  );
  assert.equal(assumed.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/sdk`);
  assert.equal(assumed.Provider, PROVIDER_ARN);
  sts.destroy();
});

test('provider operations: Get, List, AddClientID, RemoveClientID, UpdateThumbprint', async () => {
  const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: PROVIDER_ARN }));
  assert.equal(got.Url, GITHUB);
  assert.deepEqual(got.ClientIDList, ['sts.amazonaws.com']);
  assert.ok(got.CreateDate instanceof Date);
  assert.deepEqual(got.Tags, [{ Key: 'team', Value: 'platform' }]);
  const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  assert.deepEqual(list.OpenIDConnectProviderList, [{ Arn: PROVIDER_ARN }]);
  await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: PROVIDER_ARN, ClientID: 'second' }));
  await iam.send(
    new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: PROVIDER_ARN, ClientID: 'sts.amazonaws.com' }),
  );
  const tp = '1c58a3a8518e8759bf075b76b750d4f2df264fcd';
  await iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: PROVIDER_ARN, ThumbprintList: [tp] }));
  const after = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: PROVIDER_ARN }));
  assert.deepEqual(after.ClientIDList, ['second']);
  assert.deepEqual(after.ThumbprintList, [tp]);
  await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: PROVIDER_ARN, ClientID: 'sts.amazonaws.com' }));
});

test('role operations: Get, ListRoles through the paginator, UpdateAssumeRolePolicy, UpdateRole, Tag, Untag, ListRoleTags', async () => {
  for (const name of ['b-role', 'c-role'])
    await iam.send(new CreateRoleCommand({ RoleName: name, Path: '/sdk/', AssumeRolePolicyDocument: githubTrust(MAIN) }));
  const names: string[] = [];
  for await (const page of paginateListRoles({ client: iam, pageSize: 1 }, {}))
    names.push(...(page.Roles ?? []).map((r) => r.RoleName ?? ''));
  assert.deepEqual(names, ['b-role', 'c-role', 'gha-deploy']);
  const sdkOnly: string[] = [];
  for await (const page of paginateListRoles({ client: iam, pageSize: 1 }, { PathPrefix: '/sdk/' }))
    sdkOnly.push(...(page.Roles ?? []).map((r) => r.RoleName ?? ''));
  assert.deepEqual(sdkOnly, ['b-role', 'c-role']);
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'b-role', PolicyDocument: githubTrust('repo:o/r:ref:refs/heads/dev') }));
  await iam.send(new UpdateRoleCommand({ RoleName: 'b-role', Description: 'dev only', MaxSessionDuration: 3600 }));
  const got = await iam.send(new GetRoleCommand({ RoleName: 'b-role' }));
  assert.equal(got.Role?.Description, 'dev only');
  assert.match(decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? ''), /refs\/heads\/dev/);
  await iam.send(
    new TagRoleCommand({
      RoleName: 'b-role',
      Tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ],
    }),
  );
  await iam.send(new UntagRoleCommand({ RoleName: 'b-role', TagKeys: ['a'] }));
  const tags = await iam.send(new ListRoleTagsCommand({ RoleName: 'b-role' }));
  assert.deepEqual(tags.Tags, [{ Key: 'b', Value: '2' }]);
  assert.equal(tags.IsTruncated, false);
  await iam.send(new DeleteRoleCommand({ RoleName: 'c-role' }));
  await rejection(iam.send(new GetRoleCommand({ RoleName: 'c-role' })));
});

test('the SDK builds its typed exceptions from IAM errors, with their HTTP statuses', async () => {
  const exists = await rejection(iam.send(new CreateRoleCommand({ RoleName: 'gha-deploy', AssumeRolePolicyDocument: githubTrust(MAIN) })));
  assert.ok(exists instanceof EntityAlreadyExistsException);
  assert.equal(exists.$metadata.httpStatusCode, 409);
  assert.equal(exists.message, 'Role with name gha-deploy already exists.');
  const missing = await rejection(iam.send(new GetRoleCommand({ RoleName: 'nope' })));
  assert.ok(missing instanceof NoSuchEntityException);
  assert.equal(missing.$metadata.httpStatusCode, 404);
  assert.equal(missing.message, 'The role with name nope cannot be found.');
  const malformed = await rejection(iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: '{' })));
  assert.ok(malformed instanceof MalformedPolicyDocumentException);
  assert.equal(malformed.message, 'This policy contains invalid Json');
  const limit = await rejection(
    iam.send(
      new TagRoleCommand({
        RoleName: 'b-role',
        Tags: [
          { Key: 'x', Value: '1' },
          { Key: 'y', Value: '2' },
        ],
      }),
    ),
  );
  assert.ok(limit instanceof LimitExceededException);
  assert.equal(limit.$metadata.httpStatusCode, 409);
  const invalid = await rejection(iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'http://plain.example' })));
  assert.ok(invalid instanceof InvalidInputException);
  const validation = await rejection(
    iam.send(new CreateRoleCommand({ RoleName: 'bad name', AssumeRolePolicyDocument: githubTrust(MAIN) })),
  );
  assert.equal(validation.name, 'ValidationError');
  assert.equal(validation.$metadata.httpStatusCode, 400);
  assert.match(validation.message, /^1 validation error detected: Value 'bad name' at 'roleName'/);
  const providerMissing = await rejection(iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: `${PROVIDER_ARN}x` })));
  assert.ok(providerMissing instanceof NoSuchEntityException);
});

test('an unsigned call (the signature taken off after the SDK signed) is MissingAuthenticationToken, 403', async () => {
  const unsigned = new IAMClient({ endpoint: f.emu.endpoint, region: REGION, credentials, maxAttempts: 1 });
  unsigned.middlewareStack.add(
    (next) => (args) => {
      const headers = (args.request as { headers: Record<string, string> }).headers;
      for (const k of Object.keys(headers)) if (/^(authorization|x-amz-)/i.test(k)) delete headers[k];
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'dropSignature' },
  );
  try {
    const e = await rejection(unsigned.send(new ListRolesCommand({})));
    assert.equal(e.name, 'MissingAuthenticationToken');
    assert.equal(e.$metadata.httpStatusCode, 403);
    assert.equal(e.message, 'Request is missing Authentication Token');
  } finally {
    unsigned.destroy();
  }
});

test('deleting the role and the provider: the next AssumeRoleWithWebIdentity fails', async () => {
  const token = await f.emu.mintToken({ preset: { name: 'github', repository: 'demo-org/demo-app', branch: 'main' } });
  await iam.send(new DeleteRoleCommand({ RoleName: 'gha-deploy' }));
  const sts = new STSClient({ endpoint: f.emu.endpoint, region: REGION, maxAttempts: 1, credentials });
  const denied = new AssumeRoleWithWebIdentityCommand({
    RoleArn: `arn:aws:iam::${ACCOUNT}:role/gha-deploy`,
    RoleSessionName: 'sdk',
    WebIdentityToken: token,
  });
  await assert.rejects(sts.send(denied), { name: 'AccessDenied' });
  await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: PROVIDER_ARN }));
  await assert.rejects(sts.send(denied), { name: 'InvalidIdentityTokenException' });
  sts.destroy();
  await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: PROVIDER_ARN }));
  const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  assert.deepEqual(list.OpenIDConnectProviderList ?? [], []);
});
