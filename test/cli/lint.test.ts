/** `sts-emulator lint`: one table row per rule, each in its own policies directory; the default policies; exit codes. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDER_NAMES, RULES } from '../../src/lint/index.js';
import { DEMO_POLICIES, REPO_ROOT } from '../helpers/harness.js';
import {
  assertOneLineError,
  CIRCLE,
  CIRCLE_ARN,
  GH,
  GH_ARN,
  ORG,
  policiesWith,
  PROJECT,
  runMain,
  spawnCli,
  tempDir,
  trustRole,
} from './helpers.js';

interface Finding {
  severity: 'error' | 'warning' | 'info';
  rule: string;
  file: string;
  role: string;
  path: string;
  message: string;
  fix: string;
}
interface LintJson {
  findings: Finding[];
  errors: number;
  warnings: number;
  infos: number;
}

const AUD = { [`${CIRCLE}:aud`]: ORG };
const PINNED_SUB = { [`${CIRCLE}:sub`]: `org/${ORG}/project/${PROJECT}/user/*` };
const GH_AUD = { [`${GH}:aud`]: 'sts.amazonaws.com' };
const GH_SUB = { [`${GH}:sub`]: 'repo:demo-org/demo-app:ref:refs/heads/main' };
const S0 = 'AssumeRolePolicyDocument.Statement[0]';
/** A UUID matched with '?' only, as a RegExp source. */
const UUID_Q = '\\?{8}-\\?{4}-\\?{4}-\\?{4}-\\?{12}';
const ANY_UUID = '????????-????-????-????-????????????';
const SUB_KEY = `${CIRCLE}:sub`;
const at = (op: string, key: string): string =>
  `${S0}.Condition${/^[A-Za-z_$][\w$]*$/.test(op) ? `.${op}` : `[${JSON.stringify(op)}]`}[${JSON.stringify(key)}]`;

let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ dir, cleanup } = await tempDir('sts-cli-lint-'));
});
after(() => cleanup());

async function lintRoles(
  name: string,
  roles: Record<string, unknown>,
  extra: string[] = [],
): Promise<{ code: number; json: LintJson; stderr: string }> {
  const policies = await policiesWith(join(dir, name), roles);
  const r = await runMain(['lint', '--policies', policies, '--json', ...extra]);
  return {
    code: r.code,
    json: r.stdout === '' ? { findings: [], errors: 0, warnings: 0, infos: 0 } : (JSON.parse(r.stdout) as LintJson),
    stderr: r.stderr,
  };
}

interface Row {
  readonly name: string;
  readonly federated?: string;
  readonly condition?: Record<string, unknown>;
  readonly statement?: Record<string, unknown>;
  /** Expected findings: [severity, rule, path]; exactly these, in any order. `message` and `fix` check the first one's. */
  readonly expect: readonly (readonly [Finding['severity'], string, string])[];
  readonly message?: RegExp;
  readonly fix?: RegExp;
}

const ROWS: Row[] = [
  {
    name: 'unsupported key: vcs-ref (seed 004), with a sub-based fix carrying its value',
    condition: { StringEquals: { ...AUD, [`${CIRCLE}:oidc.circleci.com/vcs-ref`]: 'refs/heads/main' }, StringLike: PINNED_SUB },
    expect: [['error', 'unsupported-condition-key', at('StringEquals', `${CIRCLE}:oidc.circleci.com/vcs-ref`)]],
    message: /AWS does not put .*vcs-ref' in the request context .*always false, so the statement never allows/,
    fix: new RegExp(
      `StringLike "${CIRCLE.replace(/[./]/g, '\\$&')}:sub": "org/${ORG}/project/<project-id>/user/${UUID_Q}/vcs-origin/<vcs-origin>/vcs-ref/refs/heads/main"`,
    ),
  },
  {
    name: 'unsupported key: vcs-origin (seed 004)',
    condition: { StringEquals: AUD, StringLike: { ...PINNED_SUB, [`${CIRCLE}:oidc.circleci.com/vcs-origin`]: 'github.com/demo-org/*' } },
    expect: [['error', 'unsupported-condition-key', at('StringLike', `${CIRCLE}:oidc.circleci.com/vcs-origin`)]],
    fix: /The V2 sub carries both: StringLike ".*:sub": "org\/.*\/vcs-origin\/github\.com\/demo-org\/\*\/vcs-ref\/<ref>"/,
  },
  {
    name: 'unsupported key: context-ids (no set-qualifier noise on a key that is absent anyway)',
    condition: {
      StringEquals: AUD,
      StringLike: PINNED_SUB,
      'ForAnyValue:StringEquals': { [`${CIRCLE}:oidc.circleci.com/context-ids`]: 'ctx' },
    },
    expect: [['error', 'unsupported-condition-key', at('ForAnyValue:StringEquals', `${CIRCLE}:oidc.circleci.com/context-ids`)]],
    fix: /oidc\.circleci\.com\/project-id/,
  },
  {
    name: 'unsupported key: project-id without its oidc.circleci.com/ prefix',
    condition: { StringEquals: { ...AUD, [`${CIRCLE}:project-id`]: PROJECT } },
    // The misspelt key pins nothing, so the role is also open to the organisation.
    expect: [
      ['error', 'unsupported-condition-key', at('StringEquals', `${CIRCLE}:project-id`)],
      ['warning', 'subject-open-to-organisation', `${S0}.Condition`],
    ],
  },
  {
    name: 'unsupported key under a negated operator is always true',
    condition: {
      StringEquals: AUD,
      StringLike: PINNED_SUB,
      StringNotEquals: { [`${CIRCLE}:oidc.circleci.com/vcs-ref`]: 'refs/heads/dev' },
    },
    expect: [['error', 'unsupported-condition-key', at('StringNotEquals', `${CIRCLE}:oidc.circleci.com/vcs-ref`)]],
    message: /always true, so it restricts nothing/,
  },
  {
    name: 'unsupported key under ...IfExists is always true',
    condition: {
      StringEquals: AUD,
      StringLike: PINNED_SUB,
      StringEqualsIfExists: { [`${CIRCLE}:oidc.circleci.com/vcs-ref`]: 'refs/heads/main' },
    },
    expect: [['error', 'unsupported-condition-key', at('StringEqualsIfExists', `${CIRCLE}:oidc.circleci.com/vcs-ref`)]],
    message: /always true, so it restricts nothing/,
  },
  {
    name: 'unsupported key in a Deny: the Deny never applies',
    condition: { StringEquals: { [`${CIRCLE}:oidc.circleci.com/vcs-ref`]: 'refs/heads/dev' } },
    statement: { Effect: 'Deny' },
    expect: [['error', 'unsupported-condition-key', at('StringEquals', `${CIRCLE}:oidc.circleci.com/vcs-ref`)]],
    message: /the Deny never applies/,
  },
  {
    name: 'a key of a provider the statement does not trust',
    condition: { StringEquals: { ...AUD, [`${GH}:sub`]: 'repo:demo-org/demo-app:ref:refs/heads/main' }, StringLike: PINNED_SUB },
    expect: [['error', 'condition-key-of-other-provider', at('StringEquals', `${GH}:sub`)]],
    fix: new RegExp(`"${CIRCLE.replace(/[./]/g, '\\$&')}:sub"`),
  },
  {
    name: 'wildcard in StringEquals',
    condition: { StringEquals: { ...AUD, [`${CIRCLE}:sub`]: `org/${ORG}/project/${PROJECT}/user/*` } },
    expect: [['warning', 'wildcard-in-string-equals', at('StringEquals', `${CIRCLE}:sub`)]],
    fix: /use StringLike/,
  },
  {
    name: 'StringLike without a wildcard',
    condition: { StringEquals: AUD, StringLike: { [`${CIRCLE}:sub`]: `org/${ORG}/project/${PROJECT}/user/u-1` } },
    expect: [['info', 'string-like-without-wildcard', at('StringLike', `${CIRCLE}:sub`)]],
    fix: /use StringEquals/,
  },
  {
    name: 'no audience condition, the ClientIDList holding one client id: info',
    condition: { StringLike: PINNED_SUB },
    expect: [['info', 'audience-only-in-client-id-list', `${S0}.Condition`]],
    fix: new RegExp(`"StringEquals": \\{".*:aud": "${ORG}"\\}`),
  },
  {
    name: 'CircleCI: no subject condition opens the role to every project of the organisation',
    condition: { StringEquals: AUD },
    expect: [['warning', 'subject-open-to-organisation', `${S0}.Condition`]],
    fix: /project\/<project-id>\/user\/\*/,
  },
  {
    name: 'CircleCI: sub project/* without a repository (a branch can forge the rest too; no ?-only fix, so the guard)',
    condition: { StringEquals: AUD, StringLike: { [`${CIRCLE}:sub`]: `org/${ORG}/project/*/user/*/vcs-origin/*/vcs-ref/refs/heads/main` } },
    expect: [
      ['warning', 'subject-open-to-organisation', at('StringLike', `${CIRCLE}:sub`)],
      ['warning', 'sub-wildcard-spans-branch', at('StringLike', `${CIRCLE}:sub`)],
      ['info', 'circleci-v2-sub-excludes-v1', at('StringLike', `${CIRCLE}:sub`)],
      ['info', 'circleci-ssh-rerun', at('StringLike', `${CIRCLE}:sub`)],
    ],
  },
  // 8. A '*' before a later part of the V2 sub: a branch name (which may contain '/') can repeat it.
  {
    name: 'sub-wildcard-spans-branch: user/* before the branch (seed 001), the project pinned',
    condition: {
      StringEquals: AUD,
      StringLike: { [SUB_KEY]: `org/${ORG}/project/${PROJECT}/user/*/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main` },
    },
    expect: [
      ['warning', 'sub-wildcard-spans-branch', at('StringLike', SUB_KEY)],
      ['info', 'circleci-v2-sub-excludes-v1', at('StringLike', SUB_KEY)],
      ['info', 'circleci-ssh-rerun', at('StringLike', SUB_KEY)],
    ],
    message: /a pipeline of this project on a branch named 'x\/vcs-origin\/github\.com\/demo-org\/demo-app\/vcs-ref\/refs\/heads\/main'/,
    fix: new RegExp(
      `match the ids with '\\?'.*"org/${ORG}/project/${PROJECT}/user/${UUID_Q}/vcs-origin/github\\.com/demo-org/demo-app/vcs-ref/refs/heads/main"$`,
    ),
  },
  {
    name: 'sub-wildcard-spans-branch: project/* too (seed004-fixed): any project of the organisation',
    condition: {
      StringEquals: AUD,
      StringLike: { [SUB_KEY]: `org/${ORG}/project/*/user/*/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main` },
    },
    expect: [
      ['warning', 'sub-wildcard-spans-branch', at('StringLike', SUB_KEY)],
      ['info', 'circleci-v2-sub-excludes-v1', at('StringLike', SUB_KEY)],
      ['info', 'circleci-ssh-rerun', at('StringLike', SUB_KEY)],
    ],
    message: /a pipeline of any project of CircleCI organisation .* on a branch named 'x\/user\/x\/vcs-origin\//,
    fix: new RegExp(`"org/${ORG}/project/${UUID_Q}/user/${UUID_Q}/vcs-origin/`),
  },
  {
    name: 'sub-wildcard-spans-branch: not with ? for the ids',
    condition: {
      StringEquals: AUD,
      StringLike: {
        [SUB_KEY]: `org/${ORG}/project/${ANY_UUID}/user/${ANY_UUID}/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main`,
      },
    },
    expect: [
      ['info', 'circleci-v2-sub-excludes-v1', at('StringLike', SUB_KEY)],
      ['info', 'circleci-ssh-rerun', at('StringLike', SUB_KEY)],
    ],
  },
  {
    name: 'sub-wildcard-spans-branch: not with a StringNotLike guard on a repeated part',
    condition: {
      StringEquals: AUD,
      StringLike: { [SUB_KEY]: `org/${ORG}/project/${PROJECT}/user/*/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main` },
      StringNotLike: { [SUB_KEY]: '*/vcs-ref/*/vcs-ref/*' },
    },
    expect: [
      ['info', 'circleci-v2-sub-excludes-v1', at('StringLike', SUB_KEY)],
      ['info', 'circleci-ssh-rerun', at('StringLike', SUB_KEY)],
    ],
  },
  {
    name: 'sub-wildcard-spans-branch: not when the rest cannot be in a branch name (a ":" here)',
    condition: {
      StringEquals: AUD,
      StringLike: { [SUB_KEY]: `org/${ORG}/project/${PROJECT}/user/*/vcs-origin/a:b/vcs-ref/refs/heads/main` },
    },
    expect: [
      ['info', 'circleci-v2-sub-excludes-v1', at('StringLike', SUB_KEY)],
      ['info', 'circleci-ssh-rerun', at('StringLike', SUB_KEY)],
    ],
  },
  {
    name: 'sub-wildcard-spans-branch: any branch of one origin: the origin itself can be forged by a branch name',
    condition: {
      StringEquals: AUD,
      StringLike: { [SUB_KEY]: `org/${ORG}/project/${PROJECT}/user/*/vcs-origin/github.com/demo-org/demo-app/vcs-ref/*` },
    },
    expect: [
      ['warning', 'sub-wildcard-spans-branch', at('StringLike', SUB_KEY)],
      ['info', 'circleci-v2-sub-excludes-v1', at('StringLike', SUB_KEY)],
    ],
    message: /on a branch named 'x\/vcs-origin\/github\.com\/demo-org\/demo-app\/vcs-ref\/x'/,
  },
  {
    name: 'sub-wildcard-spans-branch: not for user/* at the end (every job of the project is what it says)',
    condition: { StringEquals: AUD, StringLike: PINNED_SUB },
    expect: [],
  },
  {
    name: 'CircleCI: sub org/*',
    condition: { StringEquals: AUD, StringLike: { [`${CIRCLE}:sub`]: `org/*` } },
    expect: [['warning', 'subject-open-to-organisation', at('StringLike', `${CIRCLE}:sub`)]],
  },
  {
    name: 'CircleCI: project pinned through the project-id key is not open',
    condition: { StringEquals: { ...AUD, [`${CIRCLE}:oidc.circleci.com/project-id`]: PROJECT } },
    expect: [],
  },
  {
    name: 'CircleCI: a negated sub condition does not pin anything',
    condition: { StringEquals: AUD, StringNotLike: { [`${CIRCLE}:sub`]: `org/${ORG}/project/${PROJECT}/*` } },
    expect: [['warning', 'subject-open-to-organisation', `${S0}.Condition`]],
  },
  {
    name: 'GitHub: sub open to every repository of the owner',
    federated: GH_ARN,
    condition: { StringEquals: GH_AUD, StringLike: { [`${GH}:sub`]: 'repo:demo-org/*' } },
    expect: [['warning', 'subject-open-to-organisation', at('StringLike', `${GH}:sub`)]],
  },
  {
    name: 'GitHub: repo:demo-org/* with the repository pinned is fine',
    federated: GH_ARN,
    condition: { StringEquals: { ...GH_AUD, [`${GH}:repository`]: 'demo-org/demo-app' }, StringLike: { [`${GH}:sub`]: 'repo:demo-org/*' } },
    expect: [],
  },
  {
    name: 'GitHub: neither sub nor job_workflow_ref checked is an error',
    federated: GH_ARN,
    condition: { StringEquals: { ...GH_AUD, [`${GH}:repository`]: 'demo-org/demo-app' } },
    expect: [['error', 'github-without-sub', `${S0}.Condition`]],
    fix: /repo:<owner>\/<repo>:ref:refs\/heads\/main/,
  },
  {
    name: 'GitHub: job_workflow_ref is enough (followed by branch: info)',
    federated: GH_ARN,
    condition: { StringEquals: { ...GH_AUD, [`${GH}:job_workflow_ref`]: 'demo-org/wf/.github/workflows/deploy.yml@refs/heads/main' } },
    expect: [['info', 'github-job-workflow-ref-not-sha', at('StringEquals', `${GH}:job_workflow_ref`)]],
  },
  {
    name: 'set qualifier on a single-valued key',
    condition: { 'ForAnyValue:StringEquals': AUD, StringLike: PINNED_SUB },
    expect: [['warning', 'set-qualifier-on-single-valued-key', at('ForAnyValue:StringEquals', `${CIRCLE}:aud`)]],
    fix: /drop the ForAnyValue: prefix/,
  },
  {
    name: 'ForAllValues with Allow',
    condition: { StringEquals: AUD, StringLike: PINNED_SUB, 'ForAllValues:StringEquals': { [`${CIRCLE}:amr`]: ['mfa'] } },
    expect: [['warning', 'for-all-values-with-allow', at('ForAllValues:StringEquals', `${CIRCLE}:amr`)]],
    fix: /"Null": \{".*:amr": "false"\}/,
  },
  {
    name: 'a clean CircleCI role',
    condition: { StringEquals: AUD, StringLike: PINNED_SUB },
    expect: [],
  },
  {
    name: 'a GitHub role, clean but for its name-based subject (info)',
    federated: GH_ARN,
    condition: { StringEquals: { ...GH_AUD, ...GH_SUB } },
    expect: [['info', 'github-sub-name-based', at('StringEquals', `${GH}:sub`)]],
  },
];

describe('lint rules (a policies directory per row)', () => {
  ROWS.forEach((row, i) => {
    test(row.name, async () => {
      const role = trustRole('r', row.federated ?? CIRCLE_ARN, row.condition, row.statement);
      const { code, json, stderr } = await lintRoles(`rule-${i}`, { 'r.json': role });
      assert.equal(stderr, '');
      const got = json.findings.map((f) => [f.severity, f.rule, f.path] as const);
      assert.deepEqual([...got].sort(), [...row.expect].sort(), JSON.stringify(json.findings, null, 2));
      for (const f of json.findings) {
        assert.equal(f.role, 'r');
        assert.match(f.file, /roles\/r\.json$/);
        assert.ok(f.fix.length > 0);
        // The row's message and fix are those of its first expected rule.
        if (f.rule !== row.expect[0]?.[1]) continue;
        if (row.message !== undefined) assert.match(f.message, row.message);
        if (row.fix !== undefined) assert.match(f.fix, row.fix);
      }
      const errors = row.expect.filter((e) => e[0] === 'error').length;
      const infos = row.expect.filter((e) => e[0] === 'info').length;
      assert.equal(json.errors, errors);
      assert.equal(json.infos, infos);
      assert.equal(json.warnings, row.expect.length - errors - infos);
      assert.equal(code, errors > 0 ? 1 : 0, 'exit 1 on an error, 0 for warnings only');
    });
  });
});

test('a misspelt provider key gets its spelling as the fix', async () => {
  const role = trustRole('r', CIRCLE_ARN, { StringEquals: { ...AUD, [`${CIRCLE}:project-id`]: PROJECT } });
  const { json } = await lintRoles('spelling', { 'r.json': role });
  const f = json.findings.find((x) => x.rule === 'unsupported-condition-key');
  assert.equal(f?.fix, `the key is spelled "${CIRCLE}:oidc.circleci.com/project-id"`);
});

describe('lint exit codes and output', () => {
  test('warnings only: exit 0, --strict: exit 1 (spawned); infos only or clean: exit 0 even with --strict', async () => {
    const warn = await policiesWith(join(dir, 'strict-warn'), {
      'r.json': trustRole('r', CIRCLE_ARN, { StringEquals: AUD, StringLike: { [SUB_KEY]: `org/${ORG}/project/*/user/*` } }),
    });
    assert.equal((await runMain(['lint', '--policies', warn])).code, 0);
    assert.equal((await spawnCli(['lint', '--policies', warn, '--strict'])).code, 1);
    const info = await policiesWith(join(dir, 'strict-info'), { 'r.json': trustRole('r', CIRCLE_ARN, { StringLike: PINNED_SUB }) });
    const i = await runMain(['lint', '--policies', info, '--strict']);
    assert.equal(i.code, 0);
    assert.match(i.stdout, /\n0 errors, 0 warnings, 1 info in 1 roles\n$/);
    const clean = await policiesWith(join(dir, 'strict-clean'), {
      'r.json': trustRole('r', CIRCLE_ARN, { StringEquals: AUD, StringLike: PINNED_SUB }),
    });
    const r = await runMain(['lint', '--policies', clean, '--strict']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '0 errors, 0 warnings, 0 infos in 1 roles\n');
  });

  test('text output: file, line and column, JSON path, severity, rule, message and fix', async () => {
    const policies = await policiesWith(join(dir, 'text'), { 'r.json': trustRole('r', CIRCLE_ARN, { StringLike: PINNED_SUB }) });
    const r = await runMain(['lint', '--policies', policies]);
    assert.equal(r.code, 0);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    const file = readFileSync(join(policies, 'roles', 'r.json'), 'utf8').split('\n');
    const line = file.findIndex((l) => l.includes('"Condition"')) + 1;
    const column = (file[line - 1] ?? '').indexOf('{') + 1;
    assert.equal(
      lines[0],
      `${join(policies, 'roles', 'r.json')}:${line}:${column}: ${S0}.Condition: info [audience-only-in-client-id-list] no condition on '${CIRCLE}:aud': only the provider's ClientIDList ('${ORG}') pins the audience, so a client id added to the provider later (a token minted for it) is admitted here too`,
    );
    assert.equal(lines[1], `    fix: add "StringEquals": {"${CIRCLE}:aud": "${ORG}"}`);
    assert.equal(lines[2], '0 errors, 0 warnings, 1 info in 1 roles');
  });
});

describe('lint on the default policies/', () => {
  test('sub-wildcard-spans-branch is right: its branch passes the demo role, and its fix denies that branch and keeps main', async () => {
    const r = await runMain(['lint', '--policies', DEMO_POLICIES, '--json']);
    const findings = (JSON.parse(r.stdout) as LintJson).findings.filter((f) => f.rule === 'sub-wildcard-spans-branch');
    const OTHER_PROJECT = ['--project-id', '0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a', '--vcs-origin', 'github.com/someone/other-repo'];
    for (const f of findings) {
      const branch = /on a branch named '([^']+)'/.exec(f.message)?.[1] ?? assert.fail(f.message);
      const from = f.message.includes('any project') ? OTHER_PROJECT : []; // the forgery from another project's repository
      const explain = (policies: string, ...flags: string[]) =>
        runMain(['explain', '--policies', policies, '--role', f.role, '--preset', 'circleci', ...flags]);
      assert.match((await explain(DEMO_POLICIES, ...from, '--branch', branch)).stdout, /^Result: ALLOW/, `${f.role}: ${branch}`);
      // The fix applied to a copy of the role.
      const pattern = /StringLike "[^"]+": "([^"]+)"$/.exec(f.fix)?.[1] ?? assert.fail(f.fix);
      const { readFile } = await import('node:fs/promises');
      const role = JSON.parse(await readFile(join(DEMO_POLICIES, 'roles', `${f.role}.json`), 'utf8')) as Record<string, unknown>;
      const doc = ((role['Role'] as Record<string, unknown> | undefined) ?? role)['AssumeRolePolicyDocument'] as {
        Statement: { Condition: { StringLike: Record<string, string> } }[];
      };
      (doc.Statement[0] as { Condition: { StringLike: Record<string, string> } }).Condition.StringLike[`${CIRCLE}:sub`] = pattern;
      const fixed = await policiesWith(join(dir, `fixed-${f.role}`), { [`${f.role}.json`]: role });
      assert.match((await explain(fixed, ...from, '--branch', branch)).stdout, /^Result: DENY/, `${f.role} fixed: ${branch}`);
      assert.match((await explain(fixed, '--branch', 'main')).stdout, /^Result: ALLOW/, `${f.role} fixed: main`);
    }
    assert.equal(findings.length, 2);
  });

  test('reports seed004-as-written, and the branch forgery of deploy-main / seed004-fixed; infos only on the other demo roles', async () => {
    const r = await runMain(['lint', '--policies', DEMO_POLICIES, '--json']);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout) as LintJson;
    assert.deepEqual(
      json.findings.map((f) => `${f.role} ${f.severity} ${f.rule}`),
      [
        'deploy-main warning sub-wildcard-spans-branch',
        'deploy-main info circleci-v2-sub-excludes-v1',
        'deploy-main info circleci-ssh-rerun',
        'github-deploy-main info github-sub-name-based',
        'seed004-as-written error unsupported-condition-key',
        'seed004-as-written error unsupported-condition-key',
        'seed004-as-written info string-like-without-wildcard',
        'seed004-as-written warning subject-open-to-organisation',
        'seed004-fixed warning sub-wildcard-spans-branch',
        'seed004-fixed info circleci-v2-sub-excludes-v1',
        'seed004-fixed info circleci-ssh-rerun',
      ],
    );
    const roles = new Set(json.findings.filter((f) => f.rule !== 'sub-wildcard-spans-branch' && f.severity !== 'info').map((f) => f.role));
    assert.deepEqual([...roles], ['seed004-as-written']);
    const forged = json.findings.filter((f) => f.rule === 'sub-wildcard-spans-branch');
    assert.deepEqual(forged.map((f) => f.role).sort(), ['deploy-main', 'seed004-fixed']);
    const unsupported = json.findings.filter((f) => f.rule === 'unsupported-condition-key');
    assert.deepEqual(unsupported.map((f) => f.path).sort(), [
      at('StringEquals', `${CIRCLE}:oidc.circleci.com/vcs-ref`),
      at('StringLike', `${CIRCLE}:oidc.circleci.com/vcs-origin`),
    ]);
    for (const f of unsupported) {
      assert.equal(f.severity, 'error');
      assert.equal(f.file, 'policies/roles/seed004-as-written.json');
      // seed004-fixed's intent, with '?' for the ids so that no branch name can forge it (rule 8).
      assert.match(
        f.fix,
        new RegExp(
          `"${CIRCLE.replace(/[./]/g, '\\$&')}:sub": "org/${ORG}/project/${UUID_Q}/user/${UUID_Q}/vcs-origin/github\\.com/demo-org/demo-app/vcs-ref/refs/heads/main"`,
        ),
      );
    }
  });

  test('text summary line', async () => {
    const r = await runMain(['lint']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
    assert.match(
      r.stdout,
      /^policies\/roles\/seed004-as-written\.json:\d+:\d+: AssumeRolePolicyDocument\.Statement\[0\]\.Condition\.StringEquals\["[^"]+:oidc\.circleci\.com\/vcs-ref"\]: error \[unsupported-condition-key\]/m,
    );
    assert.match(r.stdout, /\n2 errors, 3 warnings, 6 infos in 6 roles\n$/);
  });

  test("README's rule table is the rule table: id, severity, provider and what it catches, in order", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('### `lint');
    const section = readme.slice(start, readme.indexOf('\n## ', start));
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    assert.deepEqual(
      rows,
      RULES.map((r) => `| \`${r.id}\` | ${r.severity} | ${r.providers.map((p) => PROVIDER_NAMES[p]).join(', ')} | ${r.summary} |`),
    );
  });

  test("README's lint output is the real output of `sts-emulator lint` on the default policies, verbatim", async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('### `lint');
    assert.ok(start >= 0, 'README has a lint section');
    const end = readme.indexOf('\n## ', start);
    const block = /```text\n([\s\S]*?)```/.exec(readme.slice(start, end === -1 ? undefined : end))?.[1];
    assert.ok(block !== undefined, 'the lint section shows the output in a ```text block');
    const r = await runMain(['lint']);
    assert.equal(r.code, 1);
    assert.equal(block, r.stdout);
  });
});

describe('lint: usage and configuration errors', () => {
  test('non-existent --policies: exit 1, one line', async () => {
    assertOneLineError(
      await runMain(['lint', '--policies', '/nonexistent/policies']),
      1,
      /configuration directory \/nonexistent\/policies: not found/,
    );
  });
  test('an invalid role file: exit 1, one line per problem with file and path', async () => {
    const policies = await policiesWith(join(dir, 'invalid'), {
      'bad.json': '{"RoleName": "bad", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}}',
    });
    const r = await runMain(['lint', '--policies', policies]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.ok(lines.length >= 1);
    for (const l of lines)
      assert.match(l, /^sts-emulator: invalid configuration: roles\/bad\.json: AssumeRolePolicyDocument\.Statement\[0\]\.\w+: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
  test('unknown flag and positional argument: exit 2', async () => {
    assertOneLineError(await runMain(['lint', '--fix']), 2, /Unknown option '--fix'/);
    assertOneLineError(await runMain(['lint', 'policies']), 2, /Unexpected argument 'policies'/);
  });
});

test('lint paths point into the file as written: Role.AssumeRolePolicyDocument for pasted get-role output', async (t) => {
  const { mkdtemp, cp, readFile, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'lint-wrapped-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(DEMO_POLICIES, dir, { recursive: true });
  const file = join(dir, 'roles', 'deploy-main.json');
  const doc = JSON.parse(await readFile(file, 'utf8'));
  doc.Role.AssumeRolePolicyDocument.Statement[0].Condition.StringLike[
    'oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d:oidc.circleci.com/project-id'
  ] = 'exact';
  await writeFile(file, JSON.stringify(doc));
  const r = await runMain(['lint', '--policies', dir]);
  assert.equal(r.code, 1); // seed004-as-written's errors are still there
  assert.match(r.stdout, /deploy-main\.json:1:\d+: Role\.AssumeRolePolicyDocument\.Statement\[0\]\.Condition\.StringLike\[/);
});
