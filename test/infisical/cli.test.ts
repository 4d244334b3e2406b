/**
 * explain --target infisical and test cases with `target: infisical`, over the default policies (the demo identity for
 * the emulated CircleCI issuer, main of demo-app only): the same login as the server, its trace (each bound field, the
 * token's value, the pattern, the rule that decided), exit codes, and the usage errors.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runMain } from '../cli/helpers.js';

const IDENTITY = '7c1f2a9e-3b4d-4e5f-8a6b-9c0d1e2f3a4b';

test('explain --target infisical: a feature branch is refused by boundSubject, with the rule that decided', async () => {
  const r = await runMain(['explain', '--target', 'infisical', '--preset', 'circleci', '--branch', 'feature/x']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^Result: DENY: ForbiddenError \(HTTP 403\): Access denied: OIDC subject not allowed\.$/m);
  assert.match(r.stdout, /^Identity: 7c1f2a9e-3b4d-4e5f-8a6b-9c0d1e2f3a4b \(infisical\/identities\/circleci-deploy-main\.json\)/m);
  assert.match(
    r.stdout,
    /^ {2}boundSubject: sub = ".*\/vcs-ref\/refs\/heads\/feature\/x" vs '.*\/user\/\*\/.*\/refs\/heads\/main' -> no match \(picomatch \(no options: \* and \? stop at \/\)\) {4}<- decided$/m,
  );
  assert.match(r.stdout, /^ {2}boundAudiences: aud = "b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d" vs '.*' -> matched by exact equality$/m);
});

test('explain --target infisical --identity --json: main is allowed', async () => {
  const r = await runMain([
    'explain',
    '--target',
    'infisical',
    '--identity',
    IDENTITY,
    '--preset',
    'circleci',
    '--branch',
    'main',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const e = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(e['result'], 'allow');
  assert.equal(e['status'], 200);
  assert.deepEqual(
    (e['trace'] as { field: string; outcome: string; rule: string }[]).map((t) => [t.field, t.outcome, t.rule]),
    [
      ['boundSubject', 'matched', 'glob'],
      ['boundAudiences', 'matched', 'equal'],
    ],
  );
});

test('explain usage errors', async () => {
  const cases: [string[], RegExp][] = [
    [['explain', '--target', 'vault-ish', '--preset', 'circleci'], /--target must be/],
    [['explain', '--target', 'infisical', '--role', 'deploy-main', '--preset', 'circleci'], /without --role/],
    [['explain', '--role', 'deploy-main', '--identity', 'x', '--preset', 'circleci'], /--identity applies to --target infisical/],
    [
      ['explain', '--target', 'infisical', '--identity', 'nobody', '--preset', 'circleci'],
      /no Infisical identity in infisical\/identities fits --identity nobody/,
    ],
  ];
  for (const [argv, message] of cases) {
    const r = await runMain(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, message);
  }
});

test('test: cases with target: infisical, and the trace of a mismatch', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sts-emulator-infisical-cases-'));
  try {
    await writeFile(
      join(dir, 'cases.yaml'),
      [
        '- name: main logs in',
        '  target: infisical',
        '  preset: { name: circleci, branch: main }',
        '  expect: allow',
        '- name: a feature branch is refused (403)',
        '  target: infisical',
        '  preset: { name: circleci, branch: feature/x }',
        '  expect: ForbiddenError',
        '- name: deny covers the 401s too',
        `  target: infisical`,
        `  identity: ${IDENTITY}`,
        '  preset: { name: circleci, branch: main, aud: another-audience }',
        '  expect: deny',
        '- name: a wrong expectation shows the trace',
        '  target: infisical',
        '  preset: { name: circleci, branch: dev }',
        '  expect: allow',
      ].join('\n'),
    );
    const r = await runMain(['test', join(dir, 'cases.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^ok {3}main logs in .*: allow$/m);
    assert.match(r.stdout, /^ok {3}a feature branch is refused \(403\) .*: ForbiddenError$/m);
    assert.match(r.stdout, /^ok {3}deny covers the 401s too .*: UnauthorizedError$/m);
    assert.match(r.stdout, /^FAIL a wrong expectation shows the trace/m);
    assert.match(r.stdout, /boundSubject: sub = .*refs\/heads\/dev.*<- decided/);
    assert.match(r.stdout, /3 passed, 1 failed/);

    await writeFile(join(dir, 'bad.yaml'), '- { name: x, target: infisical, role: deploy-main, preset: circleci, expect: NoSuchError }\n');
    const bad = await runMain(['test', join(dir, 'bad.yaml')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout + bad.stderr, /role: applies to a role, not to an infisical case/);
    assert.match(bad.stdout + bad.stderr, /expect: must be allow, deny or the error of Infisical's answer/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
