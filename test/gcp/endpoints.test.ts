/**
 * Google's endpoints over HTTP, on the one server, with a fixed clock: POST /v1/token (form with snake_case keys, JSON
 * with camelCase keys) and every error text of the reference's key facts (shared/reference/gcp-wif.md §1.3, §2.5,
 * §3.1); generateAccessToken (bindings by principal and principal set, 401, 403 with Google's body, lifetimes,
 * expireTime without fractional seconds); tokeninfo.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/index.js';
import { makeKey, makeToken, NOW, NOW_S, type TestKey } from '../helpers/identity-tokens.js';

const ISSUER = 'https://issuer.example.com';
const PROJECT = '1234567890';
const POOL = `projects/${PROJECT}/locations/global/workloadIdentityPools/test-pool`;
const NAME = `${POOL}/providers/with-aud`;
const DEFAULTS = `${POOL}/providers/defaults`;
const OFF = `${POOL}/providers/disabled`;
const AUD = `//iam.googleapis.com/${NAME}`;
const SA = 'deployer@proj.iam.gserviceaccount.com';
const SA_BY_SET = 'blue@proj.iam.gserviceaccount.com';
const SA_NOBODY = 'nobody@proj.iam.gserviceaccount.com';
const OTHER_ROLE = 'viewer@proj.iam.gserviceaccount.com';

let emu: Emulator;
let dir: string;
let rsa: TestKey;
let ec: TestKey;
let stranger: TestKey;

function provider(name: string, fields: Record<string, unknown> = {}, oidc: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.branch': 'assertion.branch', 'attribute.team': 'assertion.team' },
    attributeCondition: "attribute.branch == 'main' && assertion.team != 'red'",
    oidc: { issuerUri: ISSUER, jwksJson: JSON.stringify({ keys: [rsa.jwk, ec.jwk] }), ...oidc },
    ...fields,
  };
}

before(async () => {
  rsa = await makeKey('rsa', 'r1');
  ec = await makeKey('ec256', 'e1');
  stranger = await makeKey('rsa', 'r1');
  dir = await mkdtemp(join(tmpdir(), 'sts-emulator-gcp-'));
  for (const sub of ['providers', 'roles', 'gcp/pools', 'gcp/service-accounts']) await mkdir(join(dir, sub), { recursive: true });
  const files: Record<string, unknown> = {
    'gcp/pools/with-aud.json': provider(NAME, {}, { allowedAudiences: ['aud-1', 'aud-2'] }),
    'gcp/pools/defaults.json': provider(DEFAULTS),
    'gcp/pools/disabled.json': provider(OFF, { disabled: true }),
    'gcp/service-accounts/deployer.json': {
      email: SA,
      bindings: [{ role: 'roles/iam.workloadIdentityUser', members: [`principal://iam.googleapis.com/${POOL}/subject/alice`] }],
    },
    'gcp/service-accounts/blue.json': {
      email: SA_BY_SET,
      bindings: [
        { role: 'roles/iam.serviceAccountTokenCreator', members: [`principalSet://iam.googleapis.com/${POOL}/attribute.team/blue`] },
      ],
    },
    'gcp/service-accounts/nobody.json': { email: SA_NOBODY, bindings: [] },
    'gcp/service-accounts/viewer.json': {
      email: OTHER_ROLE,
      bindings: [{ role: 'roles/viewer', members: [`principalSet://iam.googleapis.com/${POOL}/*`] }],
    },
  };
  for (const [name, doc] of Object.entries(files)) await writeFile(join(dir, name), JSON.stringify(doc, null, 2));
  emu = await startEmulator({ policies: dir, clock: () => new Date(NOW) });
});
after(async () => {
  await emu.stop();
  await rm(dir, { recursive: true, force: true });
});

const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISSUER,
  aud: 'aud-1',
  sub: 'alice',
  branch: 'main',
  team: 'blue',
  iat: NOW_S - 10,
  exp: NOW_S + 600,
  ...over,
});
const token = (over: Record<string, unknown> = {}, key?: TestKey, header?: Record<string, unknown>): string =>
  makeToken({ key: key ?? rsa, claims: claims(over), ...(header === undefined ? {} : { header }) });

const FORM = {
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  audience: AUD,
  scope: 'https://www.googleapis.com/auth/cloud-platform',
  requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
};

async function sts(fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; reason: string | null }> {
  const r = await fetch(`${emu.endpoint}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown>, reason: r.headers.get('x-sts-emulator-reason') };
}

async function exchange(over: Record<string, string> = {}): Promise<string> {
  const r = await sts({ ...FORM, subject_token: token(), ...over });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body['access_token'] as string;
}

test("/v1/token: a form exchange answers Google's shape, expires_in = min(exp − now, 3600) as an integer", async () => {
  const r = await sts({ ...FORM, subject_token: `${token()}\n` }); // echo's newline: trimmed
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.body).sort(), ['access_token', 'expires_in', 'issued_token_type', 'token_type']);
  assert.equal(r.body['issued_token_type'], 'urn:ietf:params:oauth:token-type:access_token');
  assert.equal(r.body['token_type'], 'Bearer');
  assert.equal(r.body['expires_in'], 600);
  const long = await sts({ ...FORM, subject_token: token({ exp: NOW_S + 11 * 365 * 86400 }) }); // no maximum lifetime
  assert.equal(long.body['expires_in'], 3600);
  const justPast = await sts({ ...FORM, subject_token: token({ exp: NOW_S - 59 }) }); // MEAS: accepted, expires_in 59
  assert.equal(justPast.status, 200);
  assert.equal(justPast.body['expires_in'], 59);
});

test('/v1/token: JSON with camelCase keys (google-github-actions/auth), and snake_case in JSON', async () => {
  for (const body of [
    {
      grantType: FORM.grant_type,
      audience: `https:${AUD}`,
      requestedTokenType: FORM.requested_token_type,
      scope: FORM.scope,
      subjectTokenType: 'urn:ietf:params:oauth:token-type:id_token',
      subjectToken: token(),
    },
    { ...FORM, subject_token: token() },
  ]) {
    const r = await fetch(`${emu.endpoint}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal(((await r.json()) as Record<string, unknown>)['token_type'], 'Bearer');
  }
});

test('/v1/token: default audiences (both forms) when allowedAudiences is empty; a non-empty list replaces them', async () => {
  for (const aud of [`//iam.googleapis.com/${DEFAULTS}`, `https://iam.googleapis.com/${DEFAULTS}`]) {
    const r = await sts({ ...FORM, audience: `//iam.googleapis.com/${DEFAULTS}`, subject_token: token({ aud }) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const replaced = await sts({ ...FORM, subject_token: token({ aud: AUD }) });
  assert.equal(replaced.status, 400);
  assert.equal(replaced.body['error_description'], `The audience in ID Token [${AUD}] does not match the expected audience.`);
});

const refusals: { name: string; fields: () => Record<string, string>; error: string; description: string }[] = [
  {
    name: 'audience is a pool, not a provider',
    fields: () => ({ ...FORM, audience: `//iam.googleapis.com/${POOL}`, subject_token: token() }),
    error: 'invalid_request',
    description:
      'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.',
  },
  {
    name: 'audience is a project id',
    fields: () => ({ ...FORM, audience: 'my-project', subject_token: token() }),
    error: 'invalid_request',
    description:
      'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.',
  },
  {
    name: 'no such provider',
    fields: () => ({ ...FORM, audience: `//iam.googleapis.com/${POOL}/providers/nosuch`, subject_token: token() }),
    error: 'invalid_target',
    description:
      'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
  },
  {
    name: 'a disabled provider',
    fields: () => ({ ...FORM, audience: `//iam.googleapis.com/${OFF}`, subject_token: token({ aud: `//iam.googleapis.com/${OFF}` }) }),
    error: 'invalid_target',
    description:
      'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
  },
  {
    name: 'the same kid, another key: bad signature',
    fields: () => ({ ...FORM, subject_token: token({}, stranger) }),
    error: 'invalid_grant',
    description: 'Unable to verify the ID Token signature.',
  },
  {
    name: 'an unknown kid',
    fields: () => ({ ...FORM, subject_token: token({}, rsa, { kid: 'nosuch' }) }),
    error: 'invalid_grant',
    description: "Error connecting to the given credential's issuer.",
  },
  {
    name: 'no kid',
    fields: () => ({ ...FORM, subject_token: token({}, rsa, { kid: undefined }) }),
    error: 'invalid_grant',
    description: "Error connecting to the given credential's issuer.",
  },
  {
    name: 'expired more than 60 s ago',
    fields: () => ({ ...FORM, subject_token: token({ iat: NOW_S - 4000, exp: NOW_S - 61 }) }),
    error: 'invalid_grant',
    description: `ID Token issued at ${NOW_S - 4000} is stale to sign-in.`,
  },
  {
    name: 'no iat',
    fields: () => ({ ...FORM, subject_token: token({ iat: undefined }) }),
    error: 'invalid_grant',
    description: 'ID Token issued at null is stale to sign-in.',
  },
  {
    name: 'iat more than 60 s ahead',
    fields: () => ({ ...FORM, subject_token: token({ iat: NOW_S + 119 }) }),
    error: 'invalid_grant',
    description: `ID Token issued at ${NOW_S + 119} is stale to sign-in.`,
  },
  {
    name: 'audience not allowed',
    fields: () => ({ ...FORM, subject_token: token({ aud: 'sts.amazonaws.com' }) }),
    error: 'invalid_grant',
    description: 'The audience in ID Token [sts.amazonaws.com] does not match the expected audience.',
  },
  {
    name: 'no aud',
    fields: () => ({ ...FORM, subject_token: token({ aud: undefined }) }),
    error: 'invalid_grant',
    description: 'The audience in ID Token [] does not match the expected audience.',
  },
  {
    name: 'another issuer',
    fields: () => ({ ...FORM, subject_token: token({ iss: 'https://elsewhere.example.com' }) }),
    error: 'invalid_grant',
    description: `The issuer in ID Token https://elsewhere.example.com does not match the expected one in config: ${ISSUER}`,
  },
  {
    name: 'the attribute condition is false',
    fields: () => ({ ...FORM, subject_token: token({ branch: 'feature' }) }),
    error: 'unauthorized_client',
    description: 'The given credential is rejected by the attribute condition.',
  },
  {
    name: 'the attribute condition errors (a claim it reads is missing)',
    fields: () => ({ ...FORM, subject_token: token({ team: undefined }) }),
    error: 'unauthorized_client',
    description: 'The given credential is rejected by the attribute condition.',
  },
  {
    name: 'google.subject over 127 bytes',
    fields: () => ({ ...FORM, subject_token: token({ sub: 's'.repeat(128) }) }),
    error: 'invalid_request',
    description:
      'The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.',
  },
  {
    name: 'HS256 is not accepted',
    fields: () => ({ ...FORM, subject_token: token({}, rsa, { alg: 'HS256' }) }),
    error: 'invalid_grant',
    description: 'Unable to verify the ID Token signature.',
  },
  {
    name: 'not a JWT',
    fields: () => ({ ...FORM, subject_token: 'not-a-jwt' }),
    error: 'invalid_grant',
    description: 'Unable to parse the ID Token.',
  },
  {
    name: 'another grant_type',
    fields: () => ({ ...FORM, grant_type: 'client_credentials', subject_token: token() }),
    error: 'invalid_request',
    description: 'Invalid value for "grant_type".',
  },
  {
    name: 'no subject_token',
    fields: () => ({ ...FORM }),
    error: 'invalid_request',
    description: 'Invalid value for "subject_token".',
  },
];

for (const v of refusals) {
  test(`/v1/token refuses: ${v.name}`, async () => {
    const r = await sts(v.fields());
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { error: v.error, error_description: v.description });
    assert.ok(r.reason !== null && r.reason.length > 0, 'the emulator says why in x-sts-emulator-reason');
  });
}

test('/v1/token: an ES256 token verifies with an EC key of the JWKS', async () => {
  const r = await sts({ ...FORM, subject_token: makeToken({ key: ec, alg: 'ES256', claims: claims() }) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
});

test('/v1/token: the condition names its failing clause in x-sts-emulator-reason', async () => {
  const r = await sts({ ...FORM, subject_token: token({ branch: 'feature' }) });
  assert.equal(r.reason, 'attribute condition: attribute.branch == "main" gave false');
});

async function generate(
  account: string,
  bearer: string | undefined,
  body: unknown = { scope: ['https://www.googleapis.com/auth/cloud-platform'] },
  project = '-',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${emu.endpoint}/v1/projects/${project}/serviceAccounts/${account}:generateAccessToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }) },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const DENIED = {
  error: {
    code: 403,
    message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
    status: 'PERMISSION_DENIED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'iam.googleapis.com',
        metadata: { permission: 'iam.serviceAccounts.getAccessToken' },
      },
    ],
  },
};

test('generateAccessToken: a principal:// binding, then a principalSet:// attribute binding; expireTime without fractions', async () => {
  const federated = await exchange();
  for (const account of [SA, SA_BY_SET]) {
    const r = await generate(account, federated, { scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '600s' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(Object.keys(r.body).sort(), ['accessToken', 'expireTime']);
    assert.equal(r.body['expireTime'], new Date(NOW.getTime() + 600_000).toISOString().replace('.000Z', 'Z'));
    assert.match(String(r.body['expireTime']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const info = await fetch(`${emu.endpoint}/_emulator/gcp/tokeninfo?access_token=${encodeURIComponent(String(r.body['accessToken']))}`);
    const who = (await info.json()) as Record<string, unknown>;
    assert.equal(who['email'], account);
    assert.equal(who['impersonated_by'], `principal://iam.googleapis.com/${POOL}/subject/alice`);
  }
});

test("generateAccessToken: 403 PERMISSION_DENIED, Google's body: no binding, another subject, a role without the permission, no such account", async () => {
  const alice = await exchange();
  const bob = await exchange({ subject_token: token({ sub: 'bob', team: 'green' }) });
  for (const [account, bearer] of [
    [SA_NOBODY, alice],
    [SA, bob],
    [SA_BY_SET, bob],
    [OTHER_ROLE, alice],
    ['ghost@proj.iam.gserviceaccount.com', alice],
  ] as const) {
    const r = await generate(account, bearer);
    assert.equal(r.status, 403, account);
    assert.deepEqual(r.body, DENIED);
  }
});

test('generateAccessToken: 401 UNAUTHENTICATED without a live federated token', async () => {
  const federated = await exchange();
  const access = (await generate(SA, federated)).body['accessToken'] as string;
  for (const bearer of [undefined, 'ya29.bogus', access]) {
    const r = await generate(SA, bearer);
    assert.equal(r.status, 401);
    const error = r.body['error'] as Record<string, unknown>;
    assert.equal(error['status'], 'UNAUTHENTICATED');
    assert.equal(error['code'], 401);
    assert.match(String(error['message']), /^Request had invalid authentication credentials\. Expected OAuth 2 access token/);
  }
});

test("generateAccessToken: lifetimes 0s and over 3600s are 400 with Google's texts; scope is required; project must be -", async () => {
  const federated = await exchange();
  const cases: [unknown, string, RegExp][] = [
    [{ scope: ['s'], lifetime: '0s' }, '-', /^Lifetime of access token must be larger then zero\.$/],
    [
      { scope: ['s'], lifetime: '3601s' },
      '-',
      /can not have lifetimes of more than 1 hour\. Use the Org Policy Constraint constraints\/iam\.allowServiceAccountCredentialLifetimeExtension to allow up to 12 hours\.$/,
    ],
    [{ scope: [] }, '-', /^Request contains an invalid argument\.$/],
    [{ scope: ['s'] }, 'my-project', /^Request contains an invalid argument\.$/],
  ];
  for (const [body, project, message] of cases) {
    const r = await generate(SA, federated, body, project);
    assert.equal(r.status, 400, JSON.stringify(body));
    const error = r.body['error'] as Record<string, unknown>;
    assert.equal(error['status'], 'INVALID_ARGUMENT');
    assert.match(String(error['message']), message);
  }
});

test('tokeninfo: a federated token names its principal and attributes; junk is invalid_token', async () => {
  const federated = await exchange();
  const r = await fetch(`${emu.endpoint}/oauth2/v3/tokeninfo?access_token=${encodeURIComponent(federated)}`);
  const info = (await r.json()) as Record<string, unknown>;
  assert.equal(info['principal'], `principal://iam.googleapis.com/${POOL}/subject/alice`);
  assert.deepEqual(info['attributes'], { branch: 'main', team: 'blue' });
  const junk = await fetch(`${emu.endpoint}/_emulator/gcp/tokeninfo?access_token=junk`);
  assert.equal(junk.status, 400);
  assert.deepEqual(await junk.json(), { error: 'invalid_token', error_description: 'Invalid Value' });
});

test("the AWS road is untouched: a GET on /v1/token is answered by Google's road, STS actions elsewhere still by STS", async () => {
  const r = await fetch(`${emu.endpoint}/v1/token`);
  assert.equal(r.status, 405);
  const aws = await fetch(`${emu.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15`);
  assert.match(await aws.text(), /<ErrorResponse/);
});
