/**
 * The Vault target of the CLI: `explain --target vault` and `test` cases with `target: vault`, on the demo mount `jwt`
 * of the default policies (policies/vault/jwt/): the trace names each bound field, the token's value, the pattern and
 * the rule that decided; a failing case shows that trace; case-file problems are reported with their paths.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCases } from '../../src/cli/cases.js';
import { runMain } from './helpers.js';

test('explain --target vault: allow on main, with every check in order', async () => {
  const r = await runMain(['explain', '--target', 'vault', '--role', 'circleci-deploy-main', '--preset', 'circleci']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'Result: ALLOW (a client token with policies default, deploy for 3600 s would be issued)');
  assert.ok(lines.includes("Checks, in Vault's order:"));
  assert.ok(
    lines.some((l) => l.startsWith('  ok   bound_claims["oidc.circleci.com/vcs-ref"]: token "refs/heads/main"  vs  "refs/heads/main"')),
  );
});

test("explain --target vault: a feature branch is refused with Vault's message and the failing bound claim", async () => {
  const r = await runMain([
    'explain',
    '--target',
    'vault',
    '--role',
    'circleci-deploy-main',
    '--preset',
    'circleci',
    '--branch',
    'feature/x',
  ]);
  assert.equal(r.code, 1);
  const lines = r.stdout.split('\n');
  assert.equal(
    lines[0],
    'Result: DENY: HTTP 400 {"errors":["error validating claims: claim \\"oidc.circleci.com/vcs-ref\\" does not match any associated bound claim values"]}',
  );
  assert.ok(
    lines.includes('  FAIL bound_claims["oidc.circleci.com/vcs-ref"]: token "refs/heads/feature/x"  vs  "refs/heads/main"'),
    r.stdout,
  );
  assert.ok(lines.some((l) => l.includes('rule: string mode: Go == on typed values')));
});

test('explain --target vault --json, and usage errors', async () => {
  const r = await runMain([
    'explain',
    '--target',
    'vault',
    '--mount',
    'jwt',
    '--role',
    'circleci-deploy-main',
    '--preset',
    'circleci',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const e = JSON.parse(r.stdout) as { result: string; trace: { field: string; rule: string }[] };
  assert.equal(e.result, 'allow');
  assert.ok(e.trace.some((t) => t.field === 'bound_audiences' && t.rule === 'exactAnyOf'));
  const bad = await runMain(['explain', '--target', 'infisicalx', '--preset', 'circleci']);
  assert.equal(bad.code, 2);
  const noMount = await runMain(['explain', '--target', 'vault', '--mount', 'nope', '--preset', 'circleci']);
  assert.equal(noMount.code, 2);
  assert.match(noMount.stderr, /no Vault mount in vault\/ fits --mount nope: name one \(mounts: jwt\)/);
  const mountWithoutVault = await runMain(['explain', '--role', 'deploy-main', '--mount', 'jwt', '--preset', 'circleci']);
  assert.equal(mountWithoutVault.code, 2);
});

const CASES = `
- name: main logs in
  target: vault
  role: circleci-deploy-main
  preset: circleci
  expect: allow
- name: a feature branch is refused
  target: vault
  mount: jwt
  role: circleci-deploy-main
  preset: { name: circleci, branch: feature/x }
  expect: deny
- name: another project is refused
  target: vault
  role: circleci-deploy-main
  preset: { name: circleci, projectId: 11111111-2222-4333-8444-555555555555 }
  expect: deny
- name: a wrong expectation, to see the trace
  target: vault
  role: circleci-deploy-main
  preset: { name: circleci, tag: v1.0.0 }
  expect: allow
`;

test('test: vault cases pass and fail by the login, a failure shows the trace', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sts-emulator-vault-cases-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'vault.yaml'), CASES);
  const r = await runMain(['test', join(dir, 'vault.yaml')]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(
    lines.some((l) => l.startsWith('ok   main logs in') && l.endsWith(': allow')),
    r.stdout,
  );
  assert.ok(
    lines.some((l) => l.startsWith('ok   a feature branch is refused') && l.endsWith(': deny')),
    r.stdout,
  );
  assert.ok(
    lines.some((l) => l.startsWith('ok   another project is refused')),
    r.stdout,
  );
  assert.ok(
    lines.some((l) => l.startsWith('FAIL a wrong expectation') && l.endsWith('expected allow, got deny')),
    r.stdout,
  );
  assert.ok(
    lines.some((l) => l.includes('FAIL bound_claims["oidc.circleci.com/vcs-ref"]: token "refs/tags/v1.0.0"')),
    r.stdout,
  );
  assert.equal(lines.at(-2), '3 passed, 1 failed');
});

test('test: vault case problems', () => {
  const { problems } = parseCases(
    'c.json',
    JSON.stringify([
      { name: 'a', target: 'vault', sessionName: 's', preset: 'circleci', expect: 'AccessDenied' },
      { name: 'b', target: 'nomad', role: 'r', preset: 'circleci', expect: 'allow' },
      { name: 'c', mount: 'jwt', role: 'r', preset: 'circleci', expect: 'allow' },
    ]),
  );
  assert.deepEqual(
    problems.map((p) => `${p.path}: ${p.message}`),
    [
      '[0].sessionName: applies to an AWS role, not to a vault case',
      '[0].expect: must be allow or deny for a vault case',
      '[1].target: must be aws, vault or infisical, got "nomad"',
      '[2].mount: applies to target: vault',
    ],
  );
});
