/**
 * The request context of AssumeRoleWithWebIdentity (sts.md §6): exactly the keys AWS provides.
 * Part 1 builds contexts directly (buildWebIdentityContext) and compares the whole key set; part 2 drives
 * trust policies that use those keys through the app, in the default `aws` mode and with `--claim-keys all`.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { OidcProvider } from '../../src/identity/types.js';
import { DEMO } from '../../src/identity/presets.js';
import { presetClaims } from '../../src/identity/provider-kinds.js';
import type { RequestContext } from '../../src/policy/types.js';
import {
  buildWebIdentityContext,
  describeAbsentKey,
  isoSeconds,
  readSessionTags,
  type SessionTags,
  type WebIdentityContextInput,
} from '../../src/sts/request-context.js';
import {
  buildApp,
  circleToken,
  CIRCLE_ISSUER,
  CIRCLE_ORG,
  form,
  githubToken,
  GITHUB_ISSUER,
  webIdentityParams,
} from '../helpers/harness.js';
import { expectAssumed, expectError, postForm, roleFile, tempPolicies } from '../server/helpers.js';

const T = new Date('2026-03-01T10:00:00Z');
const T_S = Math.floor(T.getTime() / 1000);
const CIRCLE = `oidc.circleci.com/org/${CIRCLE_ORG}`;
const GH = 'token.actions.githubusercontent.com';

function provider(url: string, clientIds: string[]): OidcProvider {
  const name = url.replace(/^https:\/\//, '');
  return {
    url,
    name,
    arn: `arn:aws:iam::123456789012:oidc-provider/${name}`,
    clientIdList: clientIds,
    thumbprintList: [],
    keys: { kind: 'inline', jwks: { keys: [] } },
    file: 'test',
  };
}
const circle = provider(CIRCLE_ISSUER, [CIRCLE_ORG]);
const github = provider(GITHUB_ISSUER, ['sts.amazonaws.com']);
const google = provider('https://accounts.google.com', ['client-a.apps.googleusercontent.com']);
const generic = provider('https://idp.example.com/tenant', ['app']);

function context(
  over: Partial<WebIdentityContextInput> & Pick<WebIdentityContextInput, 'provider' | 'claims' | 'audience'>,
): RequestContext {
  return buildWebIdentityContext({
    sessionName: 'ctx-session',
    region: 'us-east-1',
    now: T,
    sourceIp: '192.0.2.10',
    roleTags: [],
    sessionTags: undefined,
    sourceIdentity: undefined,
    claimKeys: 'aws',
    ...over,
  });
}
const asObject = (c: RequestContext): Record<string, readonly string[]> =>
  Object.fromEntries([...c.values].sort(([a], [b]) => a.localeCompare(b)));
const multi = (c: RequestContext): string[] => [...c.multiValued].sort();
const lower = (o: Record<string, readonly string[]>): Record<string, readonly string[]> =>
  Object.fromEntries(
    Object.entries(o)
      .map(([k, v]) => [k.toLowerCase(), v] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

const GLOBALS = {
  'sts:RoleSessionName': ['ctx-session'],
  'aws:RequestedRegion': ['us-east-1'],
  'aws:CurrentTime': ['2026-03-01T10:00:00Z'],
  'aws:EpochTime': [String(T_S)],
  'aws:SourceIp': ['192.0.2.10'],
};

const circleClaims = presetClaims('circleci', CIRCLE_ISSUER, { branch: 'main' }, { now: T, ttlSeconds: 3600 });
const circleSub = circleClaims['sub'] as string;
const ghClaims = presetClaims('github', GITHUB_ISSUER, { branch: 'main' }, { now: T, ttlSeconds: 3600 }, 'jti-1');

interface ContextVector {
  readonly name: string;
  readonly input: Partial<WebIdentityContextInput> & Pick<WebIdentityContextInput, 'provider' | 'claims' | 'audience'>;
  /** The complete context, key -> values (key case as AWS writes it; compared lower-cased). */
  readonly expect: Record<string, readonly string[]>;
  readonly multiValued?: readonly string[];
}

const tagsOf = (claims: Record<string, unknown>): SessionTags => {
  const t = readSessionTags(claims);
  assert.ok(t !== undefined && typeof t !== 'string', String(t));
  return t;
};

const vectors: readonly ContextVector[] = [
  {
    name: 'CircleCI (aws): sub, aud, project-id and the globals; no vcs-ref, vcs-origin, context-ids, ssh-rerun, iss, iat, exp',
    input: { provider: circle, claims: circleClaims, audience: CIRCLE_ORG },
    expect: {
      [`${CIRCLE}:sub`]: [circleSub],
      [`${CIRCLE}:aud`]: [CIRCLE_ORG],
      [`${CIRCLE}:oidc.circleci.com/project-id`]: [DEMO.circleci.projectId],
      ...GLOBALS,
    },
  },
  {
    name: 'CircleCI (all): every top-level claim, arrays as sets, booleans and numbers as text',
    input: { provider: circle, claims: circleClaims, audience: CIRCLE_ORG, claimKeys: 'all' },
    expect: {
      [`${CIRCLE}:iss`]: [CIRCLE_ISSUER],
      [`${CIRCLE}:sub`]: [circleSub],
      [`${CIRCLE}:aud`]: [CIRCLE_ORG],
      [`${CIRCLE}:iat`]: [String(T_S)],
      [`${CIRCLE}:exp`]: [String(T_S + 3600)],
      [`${CIRCLE}:oidc.circleci.com/project-id`]: [DEMO.circleci.projectId],
      [`${CIRCLE}:oidc.circleci.com/pipeline-definition-id`]: [DEMO.circleci.pipelineDefinitionId],
      [`${CIRCLE}:oidc.circleci.com/context-ids`]: [DEMO.circleci.contextId],
      [`${CIRCLE}:oidc.circleci.com/vcs-origin`]: ['github.com/demo-org/demo-app'],
      [`${CIRCLE}:oidc.circleci.com/vcs-ref`]: ['refs/heads/main'],
      [`${CIRCLE}:oidc.circleci.com/ssh-rerun`]: ['false'],
      ...GLOBALS,
    },
    multiValued: [`${CIRCLE}:oidc.circleci.com/context-ids`],
  },
  {
    name: 'GitHub (aws): the SAR keys only (no jti, sha, run_id, event_name, ref_type, workflow_ref, runner_environment ...)',
    input: { provider: github, claims: ghClaims, audience: 'sts.amazonaws.com' },
    expect: {
      [`${GH}:sub`]: ['repo:demo-org/demo-app:ref:refs/heads/main'],
      [`${GH}:aud`]: ['sts.amazonaws.com'],
      [`${GH}:actor`]: ['demo-user'],
      [`${GH}:actor_id`]: ['400000004'],
      [`${GH}:job_workflow_ref`]: ['demo-org/demo-app/.github/workflows/deploy.yml@refs/heads/main'],
      [`${GH}:ref`]: ['refs/heads/main'],
      [`${GH}:repository`]: ['demo-org/demo-app'],
      [`${GH}:repository_id`]: ['200000002'],
      [`${GH}:repository_owner_id`]: ['100000001'],
      [`${GH}:workflow`]: ['deploy'],
      ...GLOBALS,
    },
  },
  {
    name: 'GitHub (aws) with environment and enterprise_id',
    input: {
      provider: github,
      claims: { ...presetClaims('github', GITHUB_ISSUER, { environment: 'prod' }, { now: T, ttlSeconds: 60 }, 'j'), enterprise_id: '77' },
      audience: 'sts.amazonaws.com',
    },
    expect: {
      [`${GH}:sub`]: ['repo:demo-org/demo-app:environment:prod'],
      [`${GH}:aud`]: ['sts.amazonaws.com'],
      [`${GH}:actor`]: ['demo-user'],
      [`${GH}:actor_id`]: ['400000004'],
      [`${GH}:job_workflow_ref`]: ['demo-org/demo-app/.github/workflows/deploy.yml@refs/heads/main'],
      [`${GH}:ref`]: ['refs/heads/main'],
      [`${GH}:repository`]: ['demo-org/demo-app'],
      [`${GH}:repository_id`]: ['200000002'],
      [`${GH}:repository_owner_id`]: ['100000001'],
      [`${GH}:workflow`]: ['deploy'],
      [`${GH}:environment`]: ['prod'],
      [`${GH}:enterprise_id`]: ['77'],
      ...GLOBALS,
    },
  },
  {
    name: 'generic provider: sub, aud, azp, amr (a set), email; nothing else',
    input: {
      provider: generic,
      claims: {
        iss: generic.url,
        sub: 'u1',
        aud: ['other', 'app'],
        azp: 'app2',
        amr: ['pwd', 'mfa'],
        email: 'u1@example.com',
        groups: ['admins'],
        name: 'U',
      },
      audience: 'app',
    },
    expect: {
      'idp.example.com/tenant:sub': ['u1'],
      'idp.example.com/tenant:aud': ['app'],
      'idp.example.com/tenant:azp': ['app2'],
      'idp.example.com/tenant:amr': ['pwd', 'mfa'],
      'idp.example.com/tenant:email': ['u1@example.com'],
      ...GLOBALS,
    },
    multiValued: ['idp.example.com/tenant:amr'],
  },
  {
    name: 'amr as a single string is still a multivalued key',
    input: { provider: generic, claims: { sub: 'u1', aud: 'app', amr: 'pwd' }, audience: 'app' },
    expect: {
      'idp.example.com/tenant:sub': ['u1'],
      'idp.example.com/tenant:aud': ['app'],
      'idp.example.com/tenant:amr': ['pwd'],
      ...GLOBALS,
    },
    multiValued: ['idp.example.com/tenant:amr'],
  },
  {
    name: 'an empty amr array is an empty set',
    input: { provider: generic, claims: { sub: 'u1', aud: 'app', amr: [] }, audience: 'app' },
    expect: { 'idp.example.com/tenant:sub': ['u1'], 'idp.example.com/tenant:aud': ['app'], 'idp.example.com/tenant:amr': [], ...GLOBALS },
    multiValued: ['idp.example.com/tenant:amr'],
  },
  {
    name: 'claims that are objects, nested arrays or null give no key',
    input: { provider: generic, claims: { sub: 'u1', aud: 'app', email: { a: 1 }, amr: [['x']], azp: null }, audience: 'app' },
    expect: { 'idp.example.com/tenant:sub': ['u1'], 'idp.example.com/tenant:aud': ['app'], ...GLOBALS },
  },
  {
    name: 'a non-string sub is still the claim value as text (number)',
    input: { provider: generic, claims: { sub: 42, aud: 'app' }, audience: 'app' },
    expect: { 'idp.example.com/tenant:sub': ['42'], 'idp.example.com/tenant:aud': ['app'], ...GLOBALS },
  },
  {
    name: 'Google with azp: aud is azp, oaud is the token audience (IAM UG)',
    input: {
      provider: google,
      claims: {
        sub: 'g1',
        aud: 'client-a.apps.googleusercontent.com',
        azp: 'client-b.apps.googleusercontent.com',
        email: 'g@example.com',
        'google/organization_number': 123456,
        oaud: 'forged',
        hd: 'example.com',
      },
      audience: 'client-a.apps.googleusercontent.com',
    },
    expect: {
      'accounts.google.com:sub': ['g1'],
      'accounts.google.com:aud': ['client-b.apps.googleusercontent.com'],
      'accounts.google.com:oaud': ['client-a.apps.googleusercontent.com'],
      'accounts.google.com:azp': ['client-b.apps.googleusercontent.com'],
      'accounts.google.com:email': ['g@example.com'],
      'accounts.google.com:google/organization_number': ['123456'],
      ...GLOBALS,
    },
  },
  {
    name: 'Google without azp: aud is the audience and there is no oaud (a token oaud claim is ignored)',
    input: {
      provider: google,
      claims: { sub: 'g1', aud: 'client-a.apps.googleusercontent.com', oaud: 'forged' },
      audience: 'client-a.apps.googleusercontent.com',
    },
    expect: { 'accounts.google.com:sub': ['g1'], 'accounts.google.com:aud': ['client-a.apps.googleusercontent.com'], ...GLOBALS },
  },
  {
    name: 'a non-Google provider with azp: aud stays the matched audience',
    input: { provider: generic, claims: { sub: 'u1', aud: 'app', azp: 'other-client' }, audience: 'app' },
    expect: {
      'idp.example.com/tenant:sub': ['u1'],
      'idp.example.com/tenant:aud': ['app'],
      'idp.example.com/tenant:azp': ['other-client'],
      ...GLOBALS,
    },
  },
  {
    name: 'session tags: aws:RequestTag/*, aws:TagKeys and sts:TransitiveTagKeys (sets)',
    input: {
      provider: generic,
      claims: { sub: 'u1', aud: 'app' },
      audience: 'app',
      sessionTags: tagsOf({
        'https://aws.amazon.com/tags': {
          principal_tags: { Project: ['Automation'], CostCenter: ['42'] },
          transitive_tag_keys: ['Project'],
        },
      }),
    },
    expect: {
      'idp.example.com/tenant:sub': ['u1'],
      'idp.example.com/tenant:aud': ['app'],
      ...GLOBALS,
      'aws:RequestTag/Project': ['Automation'],
      'aws:RequestTag/CostCenter': ['42'],
      'aws:TagKeys': ['Project', 'CostCenter'],
      'sts:TransitiveTagKeys': ['Project'],
    },
    multiValued: ['aws:tagkeys', 'sts:transitivetagkeys'],
  },
  {
    name: 'session tags without transitive keys: an empty sts:TransitiveTagKeys set',
    input: {
      provider: generic,
      claims: { sub: 'u1', aud: 'app' },
      audience: 'app',
      sessionTags: tagsOf({ 'https://aws.amazon.com/tags': { principal_tags: { A: ['b'] } } }),
    },
    expect: {
      'idp.example.com/tenant:sub': ['u1'],
      'idp.example.com/tenant:aud': ['app'],
      ...GLOBALS,
      'aws:RequestTag/A': ['b'],
      'aws:TagKeys': ['A'],
      'sts:TransitiveTagKeys': [],
    },
    multiValued: ['aws:tagkeys', 'sts:transitivetagkeys'],
  },
  {
    name: 'source identity: sts:SourceIdentity; role tags: aws:ResourceTag/* and iam:ResourceTag/*',
    input: {
      provider: generic,
      claims: { sub: 'u1', aud: 'app' },
      audience: 'app',
      sourceIdentity: 'user-alice',
      roleTags: [{ Key: 'team', Value: 'platform' }],
    },
    expect: {
      'idp.example.com/tenant:sub': ['u1'],
      'idp.example.com/tenant:aud': ['app'],
      ...GLOBALS,
      'sts:SourceIdentity': ['user-alice'],
      'aws:ResourceTag/team': ['platform'],
      'iam:ResourceTag/team': ['platform'],
    },
  },
  {
    name: 'no source address: no aws:SourceIp',
    input: { provider: generic, claims: { sub: 'u1', aud: 'app' }, audience: 'app', sourceIp: undefined },
    expect: {
      'idp.example.com/tenant:sub': ['u1'],
      'idp.example.com/tenant:aud': ['app'],
      'sts:RoleSessionName': ['ctx-session'],
      'aws:RequestedRegion': ['us-east-1'],
      'aws:CurrentTime': ['2026-03-01T10:00:00Z'],
      'aws:EpochTime': [String(T_S)],
    },
  },
  {
    name: 'a __proto__ claim is a claim like any other (all), never a prototype',
    input: {
      provider: generic,
      claims: JSON.parse('{"sub":"u1","aud":"app","__proto__":"p","constructor":"c"}') as Record<string, unknown>,
      audience: 'app',
      claimKeys: 'all',
    },
    expect: {
      'idp.example.com/tenant:sub': ['u1'],
      'idp.example.com/tenant:aud': ['app'],
      'idp.example.com/tenant:__proto__': ['p'],
      'idp.example.com/tenant:constructor': ['c'],
      ...GLOBALS,
    },
  },
  {
    name: 'all mode: a claim differing only in case (before or after sub) never shadows sub',
    input: {
      provider: generic,
      claims: JSON.parse('{"Sub":"evil2","sub":"good","SUB":"evil","aud":"app","AUD":"forged"}') as Record<string, unknown>,
      audience: 'app',
      claimKeys: 'all',
    },
    expect: { 'idp.example.com/tenant:sub': ['good'], 'idp.example.com/tenant:aud': ['app'], ...GLOBALS },
  },
  {
    name: 'all mode, Google without azp: an OAUD claim (any case) gives no oaud key',
    input: {
      provider: google,
      claims: JSON.parse('{"OAUD":"forged","Oaud":"forged2","sub":"g1","aud":"client-a.apps.googleusercontent.com"}') as Record<
        string,
        unknown
      >,
      audience: 'client-a.apps.googleusercontent.com',
      claimKeys: 'all',
    },
    expect: { 'accounts.google.com:sub': ['g1'], 'accounts.google.com:aud': ['client-a.apps.googleusercontent.com'], ...GLOBALS },
  },
  {
    name: 'all mode: two non-AWS claims differing in case: the first in the token wins',
    input: {
      provider: generic,
      claims: JSON.parse('{"sub":"u1","aud":"app","Team":"a","team":"b"}') as Record<string, unknown>,
      audience: 'app',
      claimKeys: 'all',
    },
    expect: {
      'idp.example.com/tenant:sub': ['u1'],
      'idp.example.com/tenant:aud': ['app'],
      'idp.example.com/tenant:team': ['a'],
      ...GLOBALS,
    },
  },
];

for (const v of vectors) {
  test(`context: ${v.name}`, () => {
    const c = context(v.input);
    assert.deepEqual(asObject(c), lower(v.expect));
    assert.deepEqual(multi(c), [...(v.multiValued ?? [])].map((k) => k.toLowerCase()).sort());
  });
}

test('context: the CircleCI claims AWS does not provide are absent in aws mode, present in all mode', () => {
  const absent = [
    'oidc.circleci.com/vcs-ref',
    'oidc.circleci.com/vcs-origin',
    'oidc.circleci.com/context-ids',
    'oidc.circleci.com/ssh-rerun',
    'oidc.circleci.com/pipeline-definition-id',
    'iss',
    'iat',
    'exp',
  ];
  const aws = context({ provider: circle, claims: circleClaims, audience: CIRCLE_ORG });
  const all = context({ provider: circle, claims: circleClaims, audience: CIRCLE_ORG, claimKeys: 'all' });
  for (const claim of absent) {
    assert.equal(aws.values.has(`${CIRCLE}:${claim}`), false, claim);
    assert.equal(all.values.has(`${CIRCLE}:${claim}`), true, claim);
  }
});

test('context: key names are stored lower-cased, values keep their case', () => {
  const c = context({
    provider: generic,
    claims: { sub: 'MiXeD', aud: 'app' },
    audience: 'app',
    roleTags: [{ Key: 'Team', Value: 'Platform' }],
  });
  assert.deepEqual(c.values.get('aws:resourcetag/team'), ['Platform']);
  assert.deepEqual(c.values.get('idp.example.com/tenant:sub'), ['MiXeD']);
  for (const k of c.values.keys()) assert.equal(k, k.toLowerCase());
});

const absentReasons: readonly { key: string; mode: 'aws' | 'all'; expect: RegExp | undefined }[] = [
  {
    key: `${CIRCLE}:oidc.circleci.com/vcs-ref`,
    mode: 'aws',
    expect: /AWS provides no such key for this provider \(the token has a 'oidc\.circleci\.com\/vcs-ref' claim/,
  },
  { key: `${CIRCLE}:nonexistent`, mode: 'aws', expect: /^AWS provides no such key for this provider$/ },
  { key: `${CIRCLE}:email`, mode: 'aws', expect: /the token has no 'email' claim/ },
  { key: `${CIRCLE}:oidc.circleci.com/vcs-ref`, mode: 'all', expect: undefined },
  { key: 'token.actions.githubusercontent.com/x:sub', mode: 'aws', expect: /names another provider/ },
  { key: 'aws:SourceIdentity', mode: 'aws', expect: undefined },
];
for (const a of absentReasons) {
  test(`describeAbsentKey ${a.key} (${a.mode})`, () => {
    const text = describeAbsentKey(a.key, circle, circleClaims, a.mode);
    if (a.expect === undefined) assert.equal(text, undefined);
    else assert.match(text ?? '', a.expect);
  });
}

// ---- part 2: trust policies on those keys, through the app ----

const fed = (name: string): string => `arn:aws:iam::123456789012:oidc-provider/${name}`;
const circleRole = (name: string, condition: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  roleFile(
    name,
    [{ Effect: 'Allow', Principal: { Federated: fed(CIRCLE) }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }],
    extra,
  );
const ghRole = (name: string, condition: Record<string, unknown>): Record<string, unknown> =>
  roleFile(name, [{ Effect: 'Allow', Principal: { Federated: fed(GH) }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }]);

const policies = await tempPolicies({
  'c-project-id': circleRole('c-project-id', { StringEquals: { [`${CIRCLE}:oidc.circleci.com/project-id`]: DEMO.circleci.projectId } }),
  'c-vcs-ref': circleRole('c-vcs-ref', { StringEquals: { [`${CIRCLE}:oidc.circleci.com/vcs-ref`]: 'refs/heads/main' } }),
  'c-context-ids': circleRole('c-context-ids', {
    'ForAnyValue:StringEquals': { [`${CIRCLE}:oidc.circleci.com/context-ids`]: DEMO.circleci.contextId },
  }),
  'c-vcs-ref-null': circleRole('c-vcs-ref-null', { Null: { [`${CIRCLE}:oidc.circleci.com/vcs-ref`]: 'true' } }),
  'c-sub-like': circleRole('c-sub-like', { StringLike: { [`${CIRCLE}:sub`]: `org/${CIRCLE_ORG}/project/*/vcs-ref/refs/heads/main` } }),
  'c-key-case': circleRole('c-key-case', {
    StringEquals: { [`${CIRCLE.toUpperCase()}:AUD`]: CIRCLE_ORG, 'AWS:requestedREGION': 'us-east-1' },
  }),
  'c-source-ip': circleRole('c-source-ip', { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } }),
  'c-source-ip-other': circleRole('c-source-ip-other', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }),
  'c-time': circleRole('c-time', {
    DateGreaterThan: { 'aws:CurrentTime': '2026-03-01T09:59:59Z' },
    DateLessThan: { 'aws:CurrentTime': '2026-03-01T10:00:01Z' },
    NumericEquals: { 'aws:EpochTime': String(T_S) },
  }),
  'c-region': circleRole('c-region', { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } }),
  'c-session-name': circleRole('c-session-name', { StringLike: { 'sts:RoleSessionName': 'ci-*' } }),
  'c-resource-tag': circleRole(
    'c-resource-tag',
    { StringEquals: { 'aws:ResourceTag/team': 'platform', 'iam:ResourceTag/team': 'platform' } },
    { Tags: [{ Key: 'team', Value: 'platform' }] },
  ),
  'c-amr': circleRole('c-amr', { 'ForAnyValue:StringEquals': { [`${CIRCLE}:amr`]: 'mfa' } }),
  'c-amr-all': circleRole('c-amr-all', { 'ForAllValues:StringEquals': { [`${CIRCLE}:amr`]: ['pwd', 'mfa'] } }),
  'g-keys': ghRole('g-keys', {
    StringEquals: {
      [`${GH}:aud`]: 'sts.amazonaws.com',
      [`${GH}:repository`]: 'demo-org/demo-app',
      [`${GH}:repository_id`]: '200000002',
      [`${GH}:repository_owner_id`]: '100000001',
      [`${GH}:actor`]: 'demo-user',
      [`${GH}:actor_id`]: '400000004',
      [`${GH}:ref`]: 'refs/heads/main',
      [`${GH}:workflow`]: 'deploy',
    },
    StringLike: { [`${GH}:job_workflow_ref`]: 'demo-org/demo-app/.github/workflows/*@refs/heads/main' },
  }),
  'g-event-name': ghRole('g-event-name', { StringEquals: { [`${GH}:event_name`]: 'push' } }),
  'g-environment': ghRole('g-environment', { StringEquals: { [`${GH}:environment`]: 'prod' } }),
});
after(() => policies.remove());

const awsApp = (await buildApp({ policies: policies.dir, clock: () => T })).app;
const allApp = (await buildApp({ policies: policies.dir, clock: () => T, claimKeys: 'all' })).app;

interface E2E {
  readonly role: string;
  readonly token: () => Promise<string>;
  readonly session?: string;
  /** Allowed in the default mode / with --claim-keys all. */
  readonly aws: boolean;
  readonly all: boolean;
  /** Text the reason header must contain when denied in the default mode. */
  readonly reason?: RegExp;
}

const circleTok =
  (extra: Record<string, unknown> = {}): (() => Promise<string>) =>
  () =>
    circleToken({ branch: 'main' }, extra, T);
const e2e: readonly E2E[] = [
  { role: 'c-project-id', token: circleTok(), aws: true, all: true },
  { role: 'c-vcs-ref', token: circleTok(), aws: false, all: true, reason: /oidc\.circleci\.com\/vcs-ref is false \(key absent/ },
  { role: 'c-context-ids', token: circleTok(), aws: false, all: true, reason: /context-ids is false \(key absent/ },
  { role: 'c-vcs-ref-null', token: circleTok(), aws: true, all: false },
  { role: 'c-sub-like', token: circleTok(), aws: true, all: true },
  { role: 'c-key-case', token: circleTok(), aws: true, all: true },
  { role: 'c-source-ip', token: circleTok(), aws: true, all: true },
  { role: 'c-source-ip-other', token: circleTok(), aws: false, all: false, reason: /IpAddress aws:SourceIp is false/ },
  { role: 'c-time', token: circleTok(), aws: true, all: true },
  { role: 'c-region', token: circleTok(), aws: true, all: true },
  { role: 'c-session-name', token: circleTok(), session: 'ci-42', aws: true, all: true },
  { role: 'c-session-name', token: circleTok(), session: 'dev-42', aws: false, all: false, reason: /sts:RoleSessionName is false/ },
  { role: 'c-resource-tag', token: circleTok(), aws: true, all: true },
  { role: 'c-amr', token: circleTok({ amr: ['pwd', 'mfa'] }), aws: true, all: true },
  { role: 'c-amr', token: circleTok({ amr: ['pwd'] }), aws: false, all: false },
  { role: 'c-amr', token: circleTok(), aws: false, all: false, reason: /key absent/ },
  { role: 'c-amr-all', token: circleTok({ amr: ['pwd'] }), aws: true, all: true },
  { role: 'c-amr-all', token: circleTok({ amr: ['pwd', 'otp'] }), aws: false, all: false },
  { role: 'c-amr-all', token: circleTok(), aws: true, all: true }, // ForAllValues on an absent key is true
  { role: 'g-keys', token: () => githubToken({ branch: 'main' }, {}, T), aws: true, all: true },
  { role: 'g-keys', token: () => githubToken({ branch: 'dev' }, {}, T), aws: false, all: false, reason: /ref is false/ },
  {
    role: 'g-event-name',
    token: () => githubToken({ branch: 'main' }, {}, T),
    aws: false,
    all: true,
    reason: /event_name is false \(key absent/,
  },
  { role: 'g-environment', token: () => githubToken({ environment: 'prod' }, {}, T), aws: true, all: true },
];

for (const [i, c] of e2e.entries()) {
  test(`policy on context keys #${i} ${c.role}${c.session === undefined ? '' : ` (${c.session})`}: aws ${c.aws ? 'allow' : 'deny'}, all ${c.all ? 'allow' : 'deny'}`, async () => {
    const params = form(webIdentityParams(await c.token(), c.role, c.session ?? 'ctx-e2e'));
    for (const [mode, app, allowed] of [
      ['aws', awsApp, c.aws],
      ['all', allApp, c.all],
    ] as const) {
      const res = await postForm(app, params);
      if (allowed) await expectAssumed(res);
      else {
        await expectError(res, 403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
        if (mode === 'aws' && c.reason !== undefined) assert.match(String(res.headers['x-sts-emulator-reason']), c.reason);
      }
    }
  });
}

const isoVectors: readonly [string, Date, string][] = [
  ['whole second', new Date('2026-03-01T12:00:00.000Z'), '2026-03-01T12:00:00Z'],
  ['fraction dropped, not rounded', new Date('2026-03-01T12:00:00.999Z'), '2026-03-01T12:00:00Z'],
  ['before 1970', new Date('1969-12-31T23:59:59.500Z'), '1969-12-31T23:59:59Z'],
  ['epoch', new Date(0), '1970-01-01T00:00:00Z'],
  ['extended year', new Date(8.64e15), '+275760-09-13T00:00:00Z'],
];
for (const [name, d, want] of isoVectors) {
  test(`isoSeconds: ${name}`, () => {
    assert.equal(isoSeconds(d), want);
    assert.equal(isoSeconds(d), want, 'the cached answer is the same');
  });
}

test('isoSeconds: many distinct seconds (cache refills) and an invalid date throws', () => {
  for (let i = 0; i < 200; i++) {
    const d = new Date(Date.UTC(2026, 0, 1) + i * 1500);
    assert.equal(isoSeconds(d), d.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  }
  assert.throws(() => isoSeconds(new Date(Number.NaN)), RangeError);
});
