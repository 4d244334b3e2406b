/** `sts-emulator token`: claim sets, flags, errors, and tokens that verify with a stock JOSE library and the server. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { DEMO } from '../../src/identity/presets.js';
import {
  CIRCLE_ISSUER,
  DEMO_POLICIES,
  form,
  GITHUB_ISSUER,
  REPO_ROOT,
  startServer,
  webIdentityParams,
  type TestServer,
} from '../helpers/harness.js';
import { assertOneLineError, cleanEnv, GH, ORG, policiesWith, runMain, spawnCli, tempDir } from './helpers.js';

const P = ['--policies', DEMO_POLICIES];

async function claimsOf(args: readonly string[]): Promise<Record<string, unknown>> {
  const r = await runMain(['token', ...P, ...args]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  return decodeJwt(r.stdout.trim()) as Record<string, unknown>;
}

describe('token: output', () => {
  test('prints exactly one token line on stdout and nothing on stderr (spawned)', async () => {
    const r = await spawnCli(['token']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    assert.equal(decodeProtectedHeader(r.stdout.trim()).alg, 'RS256');
  });
});

describe('token --preset circleci (default)', () => {
  test("CircleCI's claim set with the V2 sub, aud = org id, exp = iat + 3600", async () => {
    const c = await claimsOf([]);
    const v1 = `org/${ORG}/project/${DEMO.circleci.projectId}/user/${DEMO.circleci.userId}`;
    assert.equal(c['iss'], CIRCLE_ISSUER);
    assert.equal(c['sub'], `${v1}/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main`);
    assert.equal(c['aud'], ORG);
    assert.equal(typeof c['iat'], 'number');
    assert.equal(c['exp'], (c['iat'] as number) + 3600);
    assert.ok(Math.abs((c['iat'] as number) - Date.now() / 1000) < 60);
    assert.equal(c['oidc.circleci.com/project-id'], DEMO.circleci.projectId);
    assert.equal(c['oidc.circleci.com/vcs-origin'], 'github.com/demo-org/demo-app');
    assert.equal(c['oidc.circleci.com/vcs-ref'], 'refs/heads/main');
    assert.deepEqual(c['oidc.circleci.com/context-ids'], [DEMO.circleci.contextId]);
    assert.equal(c['oidc.circleci.com/ssh-rerun'], false);
  });

  const cases: { name: string; args: string[]; expect: Record<string, unknown>; sub?: RegExp }[] = [
    {
      name: '--branch',
      args: ['--branch', 'feature/x'],
      expect: { 'oidc.circleci.com/vcs-ref': 'refs/heads/feature/x' },
      sub: /\/vcs-ref\/refs\/heads\/feature\/x$/,
    },
    {
      name: '--ref',
      args: ['--ref', 'refs/tags/v1'],
      expect: { 'oidc.circleci.com/vcs-ref': 'refs/tags/v1' },
      sub: /\/vcs-ref\/refs\/tags\/v1$/,
    },
    {
      name: '--vcs-origin',
      args: ['--vcs-origin', 'github.com/fork/app'],
      expect: { 'oidc.circleci.com/vcs-origin': 'github.com/fork/app' },
      sub: /\/vcs-origin\/github\.com\/fork\/app\/vcs-ref\//,
    },
    { name: '--org-id', args: ['--org-id', 'other-org'], expect: { aud: 'other-org' }, sub: /^org\/other-org\/project\// },
    {
      name: '--project-id',
      args: ['--project-id', 'p-1'],
      expect: { 'oidc.circleci.com/project-id': 'p-1' },
      sub: /\/project\/p-1\/user\//,
    },
    { name: '--user-id', args: ['--user-id', 'u-1'], expect: {}, sub: /\/user\/u-1\/vcs-origin\// },
    {
      name: '--context-id (repeatable)',
      args: ['--context-id', 'c-1', '--context-id', 'c-2'],
      expect: { 'oidc.circleci.com/context-ids': ['c-1', 'c-2'] },
    },
    { name: '--aud', args: ['--aud', 'custom'], expect: { aud: 'custom' } },
    { name: '--v1', args: ['--v1'], expect: { sub: `org/${ORG}/project/${DEMO.circleci.projectId}/user/${DEMO.circleci.userId}` } },
    {
      name: '--claims merges',
      args: ['--claims', '{"extra":"x","oidc.circleci.com/ssh-rerun":true}'],
      expect: { extra: 'x', 'oidc.circleci.com/ssh-rerun': true, aud: ORG },
    },
    {
      name: '--claims overrides',
      args: ['--branch', 'main', '--claims', '{"sub":"forced","aud":"a2"}'],
      expect: { sub: 'forced', aud: 'a2' },
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const claims = await claimsOf(c.args);
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(claims[k], v, k);
      if (c.sub !== undefined) assert.match(String(claims['sub']), c.sub);
    });
  }

  test('--ttl sets exp = iat + ttl', async () => {
    const c = await claimsOf(['--ttl', '600']);
    assert.equal(c['exp'], (c['iat'] as number) + 600);
  });
});

describe('token --preset github', () => {
  test('GitHub claims with sub repo:<o>/<r>:ref:<ref>', async () => {
    const c = await claimsOf(['--preset', 'github', '--branch', 'main']);
    assert.equal(c['iss'], GITHUB_ISSUER);
    assert.equal(c['aud'], 'sts.amazonaws.com');
    assert.equal(c['repository'], 'demo-org/demo-app');
    assert.equal(c['ref'], 'refs/heads/main');
    assert.equal(c['sub'], 'repo:demo-org/demo-app:ref:refs/heads/main');
    assert.equal(c['job_workflow_ref'], 'demo-org/demo-app/.github/workflows/deploy.yml@refs/heads/main');
    assert.equal(c['environment'], undefined);
    assert.equal(c['exp'], (c['iat'] as number) + 3600);
  });

  test('--environment gives sub repo:<o>/<r>:environment:<env>', async () => {
    const c = await claimsOf([
      '--preset',
      'github',
      '--repository',
      'acme/api',
      '--environment',
      'prod',
      '--job-workflow-ref',
      'acme/wf/.github/workflows/d.yml@refs/heads/main',
    ]);
    assert.equal(c['sub'], 'repo:acme/api:environment:prod');
    assert.equal(c['environment'], 'prod');
    assert.equal(c['repository'], 'acme/api');
    assert.equal(c['job_workflow_ref'], 'acme/wf/.github/workflows/d.yml@refs/heads/main');
  });

  test('--issuer picks the issuer among several, and the preset follows it', async () => {
    for (const issuer of [GITHUB_ISSUER, GH]) {
      const c = await claimsOf(['--issuer', issuer]);
      assert.equal(c['iss'], GITHUB_ISSUER);
      assert.equal(c['sub'], 'repo:demo-org/demo-app:ref:refs/heads/main');
    }
    const circle = await claimsOf(['--issuer', CIRCLE_ISSUER]);
    assert.equal(circle['iss'], CIRCLE_ISSUER);
  });
});

describe('token: the GitHub triggers and subjects, and every other preset', () => {
  const EX = (p: string): string[] => ['--policies', `${REPO_ROOT}/examples/${p}/policies`];
  const cases: { name: string; args: string[]; expect: Record<string, unknown> }[] = [
    {
      name: 'github --trigger pull_request',
      args: [...P, '--preset', 'github', '--trigger', 'pull_request', '--branch', 'fix-x', '--pull-request', '9'],
      expect: { sub: 'repo:demo-org/demo-app:pull_request', ref: 'refs/pull/9/merge', head_ref: 'fix-x', event_name: 'pull_request' },
    },
    {
      name: 'github --trigger pull_request_target --base-branch develop',
      args: [...P, '--preset', 'github', '--trigger', 'pull_request_target', '--base-branch', 'develop'],
      expect: { sub: 'repo:demo-org/demo-app:pull_request', ref: 'refs/heads/develop', base_ref: 'develop' },
    },
    {
      name: 'github --tag',
      args: [...P, '--preset', 'github', '--tag', 'v1'],
      expect: { sub: 'repo:demo-org/demo-app:ref:refs/tags/v1', ref_type: 'tag' },
    },
    {
      name: 'github --include-claim-key (repeatable) and --immutable-sub',
      args: [
        ...P,
        '--preset',
        'github',
        '--immutable-sub',
        '--include-claim-key',
        'repo',
        '--include-claim-key',
        'context',
        '--include-claim-key',
        'job_workflow_ref',
      ],
      expect: {
        sub: 'repo:demo-org@100000001/demo-app@200000002:ref:refs/heads/main:job_workflow_ref:demo-org/demo-app/.github/workflows/deploy.yml@refs/heads/main',
      },
    },
    {
      name: 'circleci --trigger webhook --ssh-rerun',
      args: [...P, '--trigger', 'webhook', '--ssh-rerun'],
      expect: { 'oidc.circleci.com/ssh-rerun': true, 'oidc.circleci.com/vcs-ref': undefined },
    },
    {
      name: 'gitlab (examples/gitlab/policies)',
      args: [...EX('gitlab'), '--preset', 'gitlab', '--tag', 'v1', '--trigger', 'web'],
      expect: {
        iss: 'https://gitlab.com',
        sub: 'project_path:demo-group/demo-project:ref_type:tag:ref:v1',
        pipeline_source: 'web',
        aud: 'https://gitlab.com',
      },
    },
    {
      name: 'terraform (examples/terraform/policies)',
      args: [...EX('terraform'), '--preset', 'terraform', '--run-phase', 'plan'],
      expect: {
        iss: 'https://app.terraform.io',
        sub: 'organization:demo-org:project:Default Project:workspace:demo-workspace:run_phase:plan',
      },
    },
    {
      name: 'bitbucket, the preset following the only issuer (examples/bitbucket/policies)',
      args: [...EX('bitbucket'), '--environment-uuid', '{d4c3b2a1-0f9e-4d8c-b7a6-958473625140}'],
      expect: {
        iss: 'https://api.bitbucket.org/2.0/workspaces/demo-workspace/pipelines-config/identity/oidc',
        deploymentEnvironmentUuid: '{d4c3b2a1-0f9e-4d8c-b7a6-958473625140}',
      },
    },
    {
      name: 'eks (examples/eks/policies)',
      args: [...EX('eks'), '--preset', 'eks', '--namespace', 'payments', '--service-account', 'api'],
      expect: { sub: 'system:serviceaccount:payments:api', aud: ['sts.amazonaws.com'] },
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await runMain(['token', ...c.args]);
      assert.equal(r.code, 0, r.stderr);
      const claims = decodeJwt(r.stdout.trim()) as Record<string, unknown>;
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(claims[k], v, k);
    });
  }

  test('an issuer its Url does not reveal (GHES) mints the preset its provider file names', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { mkdir, writeFile } = await import('node:fs/promises');
      await mkdir(`${dir}/p/providers`, { recursive: true });
      await mkdir(`${dir}/p/roles`);
      await writeFile(
        `${dir}/p/providers/ghes.json`,
        JSON.stringify({
          Url: 'https://ghes.example.com/_services/token',
          ClientIDList: ['sts.amazonaws.com'],
          Emulated: true,
          Preset: 'github',
        }),
      );
      const r = await runMain(['token', '--policies', `${dir}/p`, '--preset', 'github', '--branch', 'main']);
      assert.equal(r.code, 0, r.stderr);
      const claims = decodeJwt(r.stdout.trim());
      assert.equal(claims.iss, 'https://ghes.example.com/_services/token');
      assert.equal(claims.sub, 'repo:demo-org/demo-app:ref:refs/heads/main');
      const byIssuer = decodeJwt((await runMain(['token', '--policies', `${dir}/p`])).stdout.trim());
      assert.equal(byIssuer.sub, 'repo:demo-org/demo-app:ref:refs/heads/main', 'the only issuer: its named preset');
    } finally {
      await cleanup();
    }
  });
});

describe('token: errors are one line on stderr, exit 2 (usage) or 1 (configuration)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let noEmulated: string;
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    noEmulated = await policiesWith(dir, {}, { providers: false });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      `${noEmulated}/providers/gh.json`,
      JSON.stringify({ Url: 'https://token.actions.githubusercontent.com', ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [] }),
    );
  });
  after(() => cleanup());

  const cases: { name: string; args: () => string[]; code: number; pattern: RegExp }[] = [
    {
      name: 'unknown preset',
      args: () => ['--preset', 'azure'],
      code: 2,
      pattern: /unknown preset 'azure' \(known: circleci, github, gitlab, terraform, bitbucket, eks\)/,
    },
    { name: 'bad --claims JSON', args: () => ['--claims', '{bad'], code: 2, pattern: /--claims is not valid JSON/ },
    { name: '--claims not an object', args: () => ['--claims', '[1]'], code: 2, pattern: /--claims must be a JSON object/ },
    {
      name: 'no emulated issuer',
      args: () => ['--policies', noEmulated],
      code: 2,
      pattern: /no emulated issuer in .*providers: add "Emulated": true/,
    },
    {
      name: 'unknown --issuer',
      args: () => ['--issuer', 'https://nope.example'],
      code: 2,
      pattern: /no emulated issuer 'https:\/\/nope\.example'; emulated issuers: https:\/\/oidc\.circleci\.com/,
    },
    { name: 'bad --ttl', args: () => ['--ttl', '0'], code: 2, pattern: /--ttl must be a positive whole number/ },
    { name: 'negative --ttl', args: () => ['--ttl', '-5'], code: 2, pattern: /--ttl/ },
    {
      name: '--branch and --ref',
      args: () => ['--branch', 'a', '--ref', 'refs/heads/b'],
      code: 2,
      pattern: /give --branch or --ref, not both/,
    },
    {
      name: 'flag of the other preset',
      args: () => ['--preset', 'github', '--v1'],
      code: 2,
      pattern: /--v1 applies to --preset circleci, not github/,
    },
    {
      name: "a value outside a flag's choices",
      args: () => ['--preset', 'github', '--trigger', 'release'],
      code: 2,
      pattern: /--trigger must be one of push, pull_request, pull_request_target, workflow_dispatch, schedule, got 'release'/,
    },
    {
      name: 'a pull request number for a push',
      args: () => ['--preset', 'github', '--pull-request', '3'],
      code: 2,
      pattern: /--pull-request applies only to pull requests \(--trigger push\)/,
    },
    {
      name: 'a flag shared by other presets, not this one',
      args: () => ['--preset', 'github', '--run-phase', 'plan'],
      code: 2,
      pattern: /--run-phase applies to --preset terraform, not github/,
    },
    {
      name: 'a preset without an emulated issuer of its kind',
      args: () => ['--preset', 'gitlab'],
      code: 2,
      pattern: /no emulated GitLab CI\/CD issuer in .*providers/,
    },
    { name: 'unknown flag', args: () => ['--bogus'], code: 2, pattern: /Unknown option '--bogus'/ },
    {
      name: 'a flag of an earlier version names its successor',
      args: () => ['--preset', 'github', '--event-name=pull_request'],
      code: 2,
      pattern: /--event-name was renamed --trigger/,
    },
    { name: 'missing flag value', args: () => ['--branch'], code: 2, pattern: /--branch/ },
    { name: 'positional argument', args: () => ['extra'], code: 2, pattern: /Unexpected argument 'extra'/ },
    { name: 'bad --account-id', args: () => ['--account-id', '12'], code: 2, pattern: /--account-id must be 12 digits/ },
    {
      name: 'non-existent --policies',
      args: () => ['--policies', '/nonexistent/policies'],
      code: 1,
      pattern: /invalid configuration: configuration directory \/nonexistent\/policies: not found/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const args = c.args();
      const r = await runMain(['token', ...(args.includes('--policies') ? [] : P), ...args]);
      assertOneLineError(r, c.code, c.pattern);
    });
  }
});

test('explain refuses a renamed flag the same way (the flags are the same)', async () => {
  const r = await runMain(['explain', ...P, '--role', 'github-deploy-main', '--event-name', 'push']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--event-name was renamed --trigger/);
});

describe('token: the tokens work against the emulator', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  async function assume(token: string, role: string): Promise<{ status: number; body: string }> {
    const res = await fetch(server.url + '/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form(webIdentityParams(token, role)),
    });
    return { status: res.status, body: await res.text() };
  }

  test('default policies: --branch main assumes deploy-main; --branch feature/x is AccessDenied', async () => {
    const main = await runMain(['token', '--branch', 'main']);
    assert.equal(main.code, 0, main.stderr);
    const ok = await assume(main.stdout.trim(), 'deploy-main');
    assert.equal(ok.status, 200, ok.body);
    assert.match(ok.body, /<AssumeRoleWithWebIdentityResponse/);
    const feature = await runMain(['token', '--branch', 'feature/x']);
    const denied = await assume(feature.stdout.trim(), 'deploy-main');
    assert.equal(denied.status, 403);
    assert.match(denied.body, /<Code>AccessDenied<\/Code>/);
  });

  test('a GitHub token for main assumes github-deploy-main', async () => {
    const r = await runMain(['token', ...P, '--preset', 'github', '--branch', 'main']);
    const ok = await assume(r.stdout.trim(), 'github-deploy-main');
    assert.equal(ok.status, 200, ok.body);
  });

  for (const [preset, issuer, name, audience] of [
    ['circleci', CIRCLE_ISSUER, `oidc.circleci.com/org/${ORG}`, ORG],
    ['github', GITHUB_ISSUER, GH, 'sts.amazonaws.com'],
  ] as const) {
    test(`${preset}: verifies with jose createRemoteJWKSet against the published JWKS`, async () => {
      const r = await runMain(['token', ...P, '--preset', preset]);
      const token = r.stdout.trim();
      const jwks = createRemoteJWKSet(new URL(`${server.url}/oidc/${name}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ['RS256'] });
      assert.equal(payload.iss, issuer);
      assert.equal(typeof protectedHeader.kid, 'string');
    });

    test(`${preset}: the discovery document keeps the real issuer and points at that JWKS`, async () => {
      const res = await fetch(`${server.url}/oidc/${name}/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as { issuer: string; jwks_uri: string };
      assert.equal(doc.issuer, issuer);
      const r = await runMain(['token', ...P, '--preset', preset]);
      await jwtVerify(r.stdout.trim(), createRemoteJWKSet(new URL(doc.jwks_uri)), { issuer, audience });
    });
  }

  test('a token signed with another key does not verify against the JWKS', async () => {
    const r = await runMain(['token', ...P, '--preset', 'github']);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/oidc/oidc.circleci.com/org/${ORG}/.well-known/jwks.json`));
    await assert.rejects(
      jwtVerify(r.stdout.trim(), jwks),
      (e: { code?: string }) => e.code === 'ERR_JWKS_NO_MATCHING_KEY' || e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
  });
});

test('STS_EMULATOR_POLICIES is read when --policies is absent', async () => {
  const r = await runMain(['token'], cleanEnv({ STS_EMULATOR_POLICIES: '/nonexistent/env-policies' }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\/nonexistent\/env-policies/);
});
