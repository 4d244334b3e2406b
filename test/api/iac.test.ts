/**
 * Issue 17, section 1, end to end: a template the CDK synthesized, a Terraform plan JSON and a state JSON each serve as
 * `policies`; the built-in issuer emulates the provider each defines (no extra file), so a token is allowed and another
 * denied by the roles as deployed. Unresolvable values are reported with the logical id or address and path, and the
 * role left out. Reload and watch follow a template file and a directory of them.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/index.js';
import { IAC_KEYS_DIR } from '../../src/config/iac-sources.js';
import { keyFileNameOf } from '../../src/config/providers.js';
import { REPO_ROOT } from '../helpers/harness.js';
import { seedIssuerKey } from '../helpers/identity-tokens.js';

const IAC = join(REPO_ROOT, 'test', 'fixtures', 'iac');
const CDK_TEMPLATE = join(IAC, 'cdk', 'GithubDeploy.template.json');

const temps: string[] = [];
const emulators: Emulator[] = [];
after(async () => {
  for (const e of emulators) await e.stop();
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

/** The providers the fixtures define. */
const ISSUERS = ['https://token.actions.githubusercontent.com', 'https://oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d'];

/** A copy of fixtures in a temporary directory, with keys made in advance where their emulated issuers' keys go. */
async function copied(...fixtures: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sts-iac-api-'));
  temps.push(dir);
  for (const f of fixtures) await cp(f, join(dir, f.split('/').at(-1) as string));
  for (const url of ISSUERS) await seedIssuerKey(join(dir, IAC_KEYS_DIR, keyFileNameOf(url)));
  return dir;
}

async function start(policies: string, options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  const emu = await startEmulator({ policies, ...options });
  emulators.push(emu);
  return emu;
}

async function assume(emu: Emulator, role: string, token: string): Promise<number> {
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: role.startsWith('arn:') ? role : emu.roleArn(role),
    RoleSessionName: 'iac',
    WebIdentityToken: token,
  });
  const res = await fetch(emu.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  await res.text();
  return res.status;
}

const github = (emu: Emulator, options: Record<string, unknown>): Promise<string> =>
  emu.mintToken({ preset: { name: 'github', ...options } });

describe('a CDK-synthesized template as policies', () => {
  test('the GitHub provider of OpenIdConnectProvider is emulated: main is allowed, another branch denied', async () => {
    const emu = await start(join(await copied(CDK_TEMPLATE), 'GithubDeploy.template.json'));
    assert.deepEqual(
      emu.config().providers.map((p) => [p.url, p.keys.kind]),
      [['https://token.actions.githubusercontent.com', 'emulated']],
    );
    assert.equal(await assume(emu, 'github-deploy-main', await github(emu, { branch: 'main' })), 200);
    assert.equal(await assume(emu, 'github-deploy-main', await github(emu, { branch: 'feature/x' })), 403);
    // WebIdentityPrincipal with a path, and a role named by its logical id.
    assert.equal(await assume(emu, emu.roleArn('ci/github-deploy-production'), await github(emu, { environment: 'production' })), 200);
    assert.equal(await assume(emu, emu.roleArn('ci/github-deploy-production'), await github(emu, { environment: 'staging' })), 403);
    const readOnly = emu.config().roles.find((r) => r.roleName.startsWith('ReadOnly'));
    assert.ok(readOnly, 'the role without roleName is named by its logical id');
    assert.equal(await assume(emu, readOnly.roleName, await github(emu, { branch: 'anything' })), 200);
  });

  test("Fn::ImportValue cannot be known: the role is skipped with its logical id and path; CDK's long-named handler role too", async () => {
    const emu = await start(join(await copied(CDK_TEMPLATE), 'GithubDeploy.template.json'));
    const skipped = emu.config().skipped;
    const cross = skipped.find((s) => s.roleName === 'github-cross-stack');
    assert.ok(cross, JSON.stringify(skipped));
    assert.match(cross.resource, /^CrossStack/);
    assert.equal(
      cross.path,
      `Resources.${cross.resource}.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]`,
    );
    assert.match(cross.message, /^Fn::ImportValue reads another stack's export, known only when deployed$/);
    assert.ok(skipped.some((s) => s.resource.startsWith('CustomAWSCDKOpenIdConnectProviderCustomResourceProviderRole')));
    assert.equal(await assume(emu, 'github-cross-stack', await github(emu, { branch: 'main' })), 403);
  });

  test('--parameter reaches the template: another repository', async () => {
    const emu = await start(join(await copied(CDK_TEMPLATE), 'GithubDeploy.template.json'), {
      parameters: { Repository: 'demo-org/other' },
    });
    assert.equal(await assume(emu, 'github-deploy-main', await github(emu, { branch: 'main' })), 403);
    assert.equal(await assume(emu, 'github-deploy-main', await github(emu, { repository: 'demo-org/other', branch: 'main' })), 200);
  });

  test("CDK's OidcProviderNative (AWS::IAM::OIDCProvider): a CircleCI project's pipelines are allowed, another project's denied", async () => {
    const emu = await start(join(await copied(join(IAC, 'cdk', 'CircleciDeploy.template.json')), 'CircleciDeploy.template.json'));
    const circle = (project: string): Promise<string> => emu.mintToken({ preset: { name: 'circleci', projectId: project } });
    assert.equal(await assume(emu, 'circleci-project', await circle('2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5')), 200);
    assert.equal(await assume(emu, 'circleci-project', await circle('00000000-0000-4000-8000-000000000000')), 403);
  });
});

describe('Terraform JSON as policies', () => {
  test('a plan: the role created with a known policy; main allowed, another branch denied; the unknown one skipped', async () => {
    const emu = await start(join(await copied(join(IAC, 'terraform', 'plan.json')), 'plan.json'));
    assert.equal(await assume(emu, 'github-deploy-main', await github(emu, { branch: 'main' })), 200);
    assert.equal(await assume(emu, 'github-deploy-main', await github(emu, { branch: 'dev' })), 403);
    assert.deepEqual(
      emu.config().skipped.map((s) => [s.resource, s.path]),
      [['aws_iam_role.deploy_any_branch', 'aws_iam_role.deploy_any_branch.assume_role_policy']],
    );
  });

  test('a state: a role of a child module allows its environment and denies another', async () => {
    const emu = await start(join(await copied(join(IAC, 'terraform', 'state.json')), 'state.json'));
    const production = emu.roleArn('ci/github-deploy-production');
    assert.equal(await assume(emu, production, await github(emu, { environment: 'production' })), 200);
    assert.equal(await assume(emu, production, await github(emu, { environment: 'staging' })), 403);
    assert.equal(await assume(emu, 'github-deploy-any-branch', await github(emu, { branch: 'feature/y' })), 200);
    assert.equal(await assume(emu, 'github-deploy-any-branch', await github(emu, { repository: 'demo-org/other' })), 403);
  });
});

describe('reload and watch follow templates', () => {
  /** Polls until `check` holds (watch events arrive asynchronously). */
  async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
    const until = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > until) assert.fail('the change never took effect');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('a template file: an edit is seen (also when written by rename), a broken edit keeps the last good configuration', async () => {
    const dir = await copied(join(IAC, 'terraform', 'state.json'));
    const file = join(dir, 'state.json');
    const logs: string[] = [];
    const emu = await start(file, { watch: true, log: (t) => void logs.push(t) });
    const original = await readFile(file, 'utf8');
    assert.equal(await assume(emu, 'github-deploy-main', await github(emu, { branch: 'release' })), 403);
    const edited = original.replaceAll('ref:refs/heads/main', 'ref:refs/heads/release');
    await writeFile(`${file}.tmp`, edited);
    await rename(`${file}.tmp`, file);
    await eventually(async () => (await assume(emu, 'github-deploy-main', await github(emu, { branch: 'release' }))) === 200);
    await writeFile(file, '{"format_version": "1.0", "values": ');
    await eventually(async () => logs.some((l) => l.includes('configuration not reloaded')));
    assert.equal(await assume(emu, 'github-deploy-main', await github(emu, { branch: 'release' })), 200);
    // Another file of the directory is not the configuration: no reload for it.
    const reloads = logs.filter((l) => l.includes('reloaded')).length;
    await writeFile(join(dir, 'unrelated.json'), '{}');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(logs.filter((l) => l.includes('reloaded')).length, reloads);
  });

  test('a directory: a template added to it is read; reload() reports the roles left out', async () => {
    const dir = await copied(join(IAC, 'terraform', 'state.json'));
    const logs: string[] = [];
    const emu = await start(dir, { watch: true, log: (t) => void logs.push(t) });
    assert.equal(emu.config().roles.length, 3);
    await cp(join(IAC, 'cloudformation', 'github-oidc.yaml'), join(dir, 'github.yaml'));
    // The same GitHub provider in two sources is refused until one goes.
    await eventually(async () => logs.some((l) => l.includes('already registered by')));
    await rm(join(dir, 'state.json'));
    await eventually(async () => emu.config().roles.some((r) => r.roleName === 'us-east-1-deploy'));
    assert.equal(await emu.reload(), true);
    assert.match(logs.at(-1) ?? '', /^sts-emulator: skipped role ReleaseRole \(github\.yaml: Resources\.ReleaseRole\.Properties/m);
  });
});
