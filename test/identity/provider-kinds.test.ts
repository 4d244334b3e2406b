/** The provider-kind table: which names are which kind (case-insensitive, one path segment per wildcard), their keys, their preset. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  GENERIC_CLAIM_KEYS,
  organisationOf,
  presetNamed,
  presetOf,
  presetOfProvider,
  providedClaims,
  providerKindOf,
  PRESETS,
} from '../../src/identity/provider-kinds.js';

const names: [string, string][] = [
  ['oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d', 'circleci'],
  ['OIDC.CircleCI.com/org/x', 'circleci'],
  ['oidc.circleci.com/org/.x', 'circleci'],
  ['oidc.circleci.com/org/', 'generic'],
  ['oidc.circleci.com/org/a/b', 'generic'],
  ['token.actions.githubusercontent.com', 'github'],
  ['token.actions.githubusercontent.com/acme', 'github'],
  ['token.actions.githubusercontent.com/', 'generic'],
  ['token.actions.githubusercontent.com/a/b', 'generic'],
  ['token.actions.acme.ghe.com', 'github'],
  ['token.actions..ghe.com', 'github'],
  ['token.actions.a/b.ghe.com', 'generic'],
  ['github.com/enterprises/acme', 'github'],
  ['github.com/acme', 'generic'],
  ['accounts.google.com', 'google'],
  ['idcs-0123abc.identity.oraclecloud.com', 'oci'],
  ['gitlab.com', 'gitlab'],
  ['gitlab.example.com', 'generic'],
  ['app.terraform.io', 'terraform'],
  ['app.eu.terraform.io', 'terraform'],
  ['tfe.example.com', 'generic'],
  ['api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc', 'bitbucket'],
  ['oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE', 'eks'],
  ['oidc.eks.eu-west-1.amazonaws.com/id/', 'generic'],
  ['ghes.example.com/_services/token', 'generic'],
  ['agent.buildkite.com', 'buildkite'],
  ['issuer.example.com/realms/x', 'generic'],
];

for (const [name, kind] of names) {
  test(`provider kind of ${name}: ${kind}`, () => assert.equal(providerKindOf(name).name, kind));
}

test("provided claims: the generic keys, then the kind's own", () => {
  assert.deepEqual([...providedClaims('issuer.example.com')], GENERIC_CLAIM_KEYS);
  assert.deepEqual([...providedClaims('oidc.circleci.com/org/x')], [...GENERIC_CLAIM_KEYS, 'oidc.circleci.com/project-id']);
  assert.ok(providedClaims('token.actions.githubusercontent.com').has('job_workflow_ref'));
  assert.ok(!providedClaims('token.actions.githubusercontent.com').has('repository_owner'));
});

test('the organisation a provider name carries: CircleCI org, GitHub enterprise, Bitbucket workspace', () => {
  assert.equal(organisationOf('oidc.circleci.com/org/abc'), 'abc');
  assert.equal(organisationOf('token.actions.githubusercontent.com'), undefined);
  assert.equal(organisationOf('token.actions.githubusercontent.com/octocat-inc'), 'octocat-inc');
  assert.equal(organisationOf('token.actions.octocorp.ghe.com'), 'octocorp');
  assert.equal(organisationOf('token.actions..ghe.com'), undefined);
  assert.equal(organisationOf('github.com/enterprises/acme'), 'acme');
  assert.equal(organisationOf('api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc'), 'acme');
  assert.equal(organisationOf('gitlab.com'), undefined);
});

test('presets: each kind with a preset mints it; Google, OCI, Buildkite and generic issuers none', () => {
  assert.deepEqual(PRESETS, ['circleci', 'github', 'gitlab', 'terraform', 'bitbucket', 'eks']);
  assert.equal(presetOfProvider('oidc.circleci.com/org/abc'), 'circleci');
  assert.equal(presetOfProvider('token.actions.acme.ghe.com'), 'github');
  assert.equal(presetOfProvider('gitlab.com'), 'gitlab');
  assert.equal(presetOfProvider('app.terraform.io'), 'terraform');
  assert.equal(presetOfProvider('api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc'), 'bitbucket');
  assert.equal(presetOfProvider('oidc.eks.us-east-1.amazonaws.com/id/ABC'), 'eks');
  for (const name of ['accounts.google.com', 'agent.buildkite.com', 'gitlab.example.com'])
    assert.equal(presetOfProvider(name), undefined, name);
});

test('an emulated issuer\'s "Preset" names its preset; the kind (and the keys AWS provides) still follow the name', () => {
  const ghes = {
    url: 'https://ghes.example.com/_services/token',
    name: 'ghes.example.com/_services/token',
    arn: 'arn:aws:iam::123456789012:oidc-provider/ghes.example.com/_services/token',
    clientIdList: ['sts.amazonaws.com'],
    thumbprintList: [],
    keys: { kind: 'emulated', privateKeyFile: '/nonexistent.pem', preset: 'github' },
    file: 'providers/ghes.json',
  } as const;
  assert.equal(presetOf(ghes), 'github');
  assert.equal(presetOf({ ...ghes, keys: { kind: 'emulated', privateKeyFile: '/nonexistent.pem' } }), undefined);
  assert.equal(providerKindOf(ghes.name).name, 'generic');
  assert.deepEqual([...providedClaims(ghes.name)], GENERIC_CLAIM_KEYS);
});

test('a flag or option name shared by presets means the same kind of value in each', () => {
  const kinds = new Map<string, string>();
  for (const p of PRESETS) {
    for (const [name, o] of Object.entries(presetNamed(p).options)) {
      for (const key of [`option ${name}`, ...(o.flag === undefined ? [] : [`--${o.flag}`])]) {
        assert.equal(kinds.get(key) ?? o.kind, o.kind, `${p} ${key}`);
        kinds.set(key, o.kind);
      }
    }
  }
});
