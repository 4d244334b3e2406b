/** `sts-emulator test`: case files, one line per case, traces of mismatches, exit codes, JUnit, globs. */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseStringPromise } from 'xml2js';
import { parse as parseYaml } from 'yaml';
import { parseCases } from '../../src/cli/cases.js';
import { circleToken, DEMO_POLICIES, REPO_ROOT } from '../helpers/harness.js';
import { CIRCLE, runMain, spawnCli, tempDir } from './helpers.js';

const P = ['--policies', DEMO_POLICIES];
const DEMO_CASES = join(REPO_ROOT, 'examples', 'demo-cases.yaml');

let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ dir, cleanup } = await tempDir('sts-cli-test-'));
});
after(() => cleanup());

async function caseFile(name: string, content: unknown): Promise<string> {
  const file = join(dir, name);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

describe('test examples/demo-cases.yaml', () => {
  test('every case passes (spawned, exit 0), one line per case, the summary last', async () => {
    const r = await spawnCli(['test', 'examples/demo-cases.yaml']);
    const count = (parseYaml(await readFile(DEMO_CASES, 'utf8')) as unknown[]).length;
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, count + 1);
    assert.ok(
      lines.slice(0, -1).every((l) => l.startsWith('ok   ')),
      r.stdout,
    );
    assert.equal(lines.at(-1), `${count} passed, 0 failed`);
  });

  test('covers every demo role, each with a deny case, and the listed scenarios', async () => {
    const cases = parseYaml(await readFile(DEMO_CASES, 'utf8')) as {
      role: string;
      expect: string;
      durationSeconds?: number;
      claims?: Record<string, unknown>;
    }[];
    const { readdir } = await import('node:fs/promises');
    const roles = (await readdir(join(DEMO_POLICIES, 'roles'))).map((f) => f.replace(/\.json$/, ''));
    for (const role of roles) {
      assert.ok(
        cases.some((c) => c.role === role && c.expect === 'deny'),
        `a deny case for ${role}`,
      );
      // prod-deployer trusts only sts:AssumeRole and seed004-as-written no token at all: no web-identity allow exists.
      if (role !== 'prod-deployer' && role !== 'seed004-as-written')
        assert.ok(
          cases.some((c) => c.role === role && c.expect === 'allow'),
          `an allow case for ${role}`,
        );
    }
    assert.ok(cases.some((c) => c.role === 'deploy-main' && c.durationSeconds === 7200 && c.expect === 'allow'));
    assert.ok(cases.some((c) => c.durationSeconds === 10800 && c.expect === 'ValidationError'));
    assert.ok(cases.some((c) => c.durationSeconds === 43201 && c.expect === 'ValidationError'));
    assert.ok(cases.some((c) => typeof c.claims?.['exp'] === 'number' && c.expect === 'ExpiredTokenException'));
    assert.ok(cases.some((c) => c.expect === 'InvalidIdentityToken'));
  });
});

describe('test: a mismatch', () => {
  test('a wrong expectation fails (exit 1) and its trace names the deciding condition: operator and key', async () => {
    const file = await caseFile(
      'wrong.yaml',
      `
- name: seed004 as written, wrongly expected to allow main
  role: seed004-as-written
  preset: { name: circleci, branch: main }
  expect: allow
- name: deploy-main feature branch, wrongly expected to allow
  role: deploy-main
  preset: { name: circleci, branch: feature/x }
  expect: allow
- name: a right expectation
  role: deploy-main
  preset: { name: circleci, branch: main }
  expect: allow
`,
    );
    const r = await runMain(['test', ...P, file]);
    assert.equal(r.code, 1);
    const out = r.stdout;
    assert.match(out, /^FAIL seed004 as written, wrongly expected to allow main \(.*wrong\.yaml\[0\]\): expected allow, got deny$/m);
    assert.match(
      out,
      new RegExp(
        `Why: Statement\\[0\\]: StringEquals ${CIRCLE.replace(/[./]/g, '\\$&')}:oidc\\.circleci\\.com/vcs-ref is false \\(key absent`,
      ),
    );
    assert.match(
      out,
      new RegExp(
        `condition 2: StringEquals "${CIRCLE.replace(/[./]/g, '\\$&')}:oidc\\.circleci\\.com/vcs-ref"\\n\\s+context: absent: AWS provides no such key for this provider`,
      ),
    );
    assert.match(out, /^FAIL deploy-main feature branch, wrongly expected to allow .*: expected allow, got deny$/m);
    assert.match(out, new RegExp(`Why: Statement\\[0\\]: StringLike ${CIRCLE.replace(/[./]/g, '\\$&')}:sub is false`));
    assert.match(out, /^ok {3}a right expectation/m);
    assert.equal(out.trimEnd().split('\n').at(-1), '1 passed, 2 failed');
  });

  test('--quiet prints only mismatches and the summary', async () => {
    const file = await caseFile('quiet.json', [
      { name: 'good', role: 'deploy-main', preset: 'circleci', expect: 'allow' },
      { name: 'bad', role: 'deploy-main', preset: 'circleci', expect: 'deny' },
    ]);
    const r = await runMain(['test', ...P, '--quiet', file]);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stdout, /^ok /m);
    assert.match(r.stdout, /^FAIL bad /m);
    assert.match(r.stdout, /\n1 passed, 1 failed\n$/);
  });
});

describe('test: case inputs', () => {
  test('token, claims with issuer, preset options and STS parameters', async () => {
    const file = await caseFile('inputs.yaml', [
      { name: 'signed token', role: 'deploy-main', token: await circleToken({ branch: 'main' }), expect: 'allow' },
      { name: 'signed token, feature', role: 'deploy-main', token: await circleToken({ branch: 'feature/x' }), expect: 'deny' },
      {
        name: 'claims for github',
        role: 'github-deploy-main',
        issuer: 'https://token.actions.githubusercontent.com',
        claims: { sub: 'repo:demo-org/demo-app:ref:refs/heads/main', aud: 'sts.amazonaws.com' },
        expect: 'allow',
      },
      {
        name: 'claims naming their issuer',
        role: 'github-deploy-main',
        claims: {
          iss: 'https://token.actions.githubusercontent.com',
          sub: 'repo:demo-org/demo-app:ref:refs/heads/dev',
          aud: 'sts.amazonaws.com',
        },
        expect: 'deny',
      },
      {
        name: 'claims without aud',
        role: 'github-deploy-main',
        issuer: 'token.actions.githubusercontent.com',
        claims: { sub: 'x' },
        expect: 'InvalidIdentityToken',
      },
      {
        name: 'preset with claims override',
        role: 'deploy-main',
        preset: { name: 'circleci', branch: 'main' },
        claims: { aud: 'nope' },
        expect: 'InvalidIdentityToken',
      },
      { name: 'github environment', role: 'github-deploy-main', preset: { name: 'github', environment: 'prod' }, expect: 'deny' },
      { name: 'session name', role: 'deploy-main', preset: 'circleci', sessionName: 'ok-name', expect: 'allow' },
      { name: 'source ip', role: 'deploy-main', preset: 'circleci', sourceIp: '10.0.0.1', expect: 'allow' },
      { name: 'role by ARN', role: 'arn:aws:iam::123456789012:role/deploy-main', preset: 'circleci', expect: 'allow' },
      { name: 'duration 43201', role: 'deploy-main', preset: 'circleci', durationSeconds: 43201, expect: 'ValidationError' },
    ]);
    const r = await runMain(['test', ...P, file]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /11 passed, 0 failed\n$/);
  });

  test('a case whose issuer cannot be chosen fails with the reason', async () => {
    const file = await caseFile('ambiguous.yaml', [
      { name: 'no issuer', role: 'deploy-main', claims: { sub: 'x', aud: 'y' }, expect: 'deny' },
    ]);
    const r = await runMain(['test', ...P, file]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL no issuer .*expected deny, got invalid case\n\s+several emulated issuers; pick one with --issuer/);
  });
});

describe('test: invalid case files (file + JSON path, exit 1, no case of that file runs)', () => {
  const cases: { name: string; file: string; content: unknown; path: string; message: RegExp }[] = [
    { name: 'not a list', file: 'a.yaml', content: 'name: x\n', path: '', message: /must be a list of cases/ },
    { name: 'bad YAML', file: 'b.yaml', content: '- name: [unclosed\n', path: '', message: /not valid YAML/ },
    { name: 'bad JSON', file: 'c.json', content: '[{"name": }]', path: '', message: /not valid JSON/ },
    {
      name: 'missing name',
      file: 'd.json',
      content: [{ role: 'r', preset: 'circleci', expect: 'allow' }],
      path: '[0].name',
      message: /is required/,
    },
    {
      name: 'unknown field',
      file: 'e.json',
      content: [{ name: 'n', role: 'r', preset: 'circleci', expect: 'allow', exepct: 'deny' }],
      path: '[0].exepct',
      message: /unknown field/,
    },
    {
      name: 'bad expect',
      file: 'f.json',
      content: [{ name: 'n', role: 'r', preset: 'circleci', expect: 'allowed' }],
      path: '[0].expect',
      message: /must be allow, deny or an STS error code/,
    },
    {
      name: 'no input',
      file: 'g.json',
      content: [{ name: 'n', role: 'r', expect: 'allow' }],
      path: '[0]',
      message: /needs claims, preset or token/,
    },
    {
      name: 'token and claims',
      file: 'h.json',
      content: [{ name: 'n', role: 'r', token: 't.t.t', claims: {}, expect: 'allow' }],
      path: '[0].token',
      message: /not both/,
    },
    {
      name: 'unknown preset',
      file: 'i.json',
      content: [{ name: 'n', role: 'r', preset: 'jenkins', expect: 'allow' }],
      path: '[0].preset',
      message: /unknown preset 'jenkins' \(known: circleci, github, gitlab, terraform, bitbucket, eks\)/,
    },
    {
      name: 'preset option outside its choices',
      file: 'i2.json',
      content: [{ name: 'n', role: 'r', preset: { name: 'terraform', runPhase: 'destroy' }, expect: 'allow' }],
      path: '[0].preset.runPhase',
      message: /must be one of plan, apply, got 'destroy'/,
    },
    {
      name: 'preset options that cannot go together',
      file: 'i3.json',
      content: [{ name: 'n', role: 'r', preset: { name: 'github', trigger: 'pull_request', tag: 'v1' }, expect: 'allow' }],
      path: '[0].preset',
      message: /tag does not apply to pull requests \(trigger pull_request\)/,
    },
    {
      name: 'unknown preset option',
      file: 'j.json',
      content: [{ name: 'n', role: 'r', preset: { name: 'circleci', brnch: 'main' }, expect: 'allow' }],
      path: '[0].preset.brnch',
      message: /unknown option of preset circleci/,
    },
    {
      name: 'bad preset option type',
      file: 'k.json',
      content: [{ name: 'n', role: 'r', preset: { name: 'circleci', v1: 'yes' }, expect: 'allow' }],
      path: '[0].preset.v1',
      message: /must be true or false/,
    },
    {
      name: 'durationSeconds not an integer',
      file: 'l.json',
      content: [{ name: 'n', role: 'r', preset: 'circleci', durationSeconds: '3600', expect: 'allow' }],
      path: '[0].durationSeconds',
      message: /must be an integer/,
    },
    {
      name: 'bad sourceIp',
      file: 'm.json',
      content: [{ name: 'n', role: 'r', preset: 'circleci', sourceIp: 'nope', expect: 'allow' }],
      path: '[0].sourceIp',
      message: /IPv4 or IPv6/,
    },
    {
      name: 'second case of a cases: object',
      file: 'n.yaml',
      content:
        'cases:\n  - name: ok\n    role: r\n    preset: circleci\n    expect: deny\n  - name: 5\n    role: r\n    preset: circleci\n    expect: deny\n',
      path: 'cases[1].name',
      message: /must be a non-empty string/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const file = await caseFile(join('invalid', c.file), c.content);
      const r = await runMain(['test', ...P, file]);
      assert.equal(r.code, 1, r.stdout);
      const shown = file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      const path = c.path === '' ? '' : ` ${c.path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`;
      assert.match(r.stdout, new RegExp(`^INVALID ${shown}${path}: .*${c.message.source}`, 'm'));
      assert.match(r.stdout, /0 passed, 0 failed\n$/);
      assert.equal(r.stderr, '');
    });
  }

  test('parseCases reports every problem of a file at once', () => {
    const { cases, problems } = parseCases(
      'x.json',
      JSON.stringify([
        { role: 5, expect: 'maybe', preset: 'circleci' },
        { name: 'ok', role: 'r', preset: 'circleci', expect: 'deny' },
      ]),
    );
    assert.deepEqual(
      problems.map((p) => p.path),
      ['[0].name', '[0].role', '[0].expect'],
    );
    assert.equal(cases.length, 1);
  });
});

describe('test: files, directories and globs', () => {
  let root: string;
  before(async () => {
    root = join(dir, 'suite');
    const ok = (name: string): unknown => [{ name, role: 'deploy-main', preset: { name: 'circleci', branch: 'main' }, expect: 'allow' }];
    await caseFile('suite/a.yaml', ok('a'));
    await caseFile('suite/nested/b.json', ok('b'));
    await caseFile('suite/nested/deeper/c.yml', ok('c'));
    await caseFile('suite/notes.txt', 'not a case file');
  });

  const cases: { name: string; args: string[]; ran: string[] }[] = [
    { name: 'a directory: every .yaml/.yml/.json under it', args: ['suite'], ran: ['a', 'b', 'c'] },
    { name: 'a glob over JSON files', args: ['suite/**/*.json'], ran: ['b'] },
    { name: 'a glob with braces', args: ['suite/**/*.{yaml,yml}'], ran: ['a', 'c'] },
    { name: 'a glob for one level', args: ['suite/*.yaml'], ran: ['a'] },
    { name: 'files given twice run once', args: ['suite/a.yaml', 'suite/*.yaml'], ran: ['a'] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await runMain(['test', ...P, ...c.args], undefined, dir);
      assert.equal(r.code, 0, r.stdout);
      const ran = [...r.stdout.matchAll(/^ok {3}(\w+) /gm)].map((m) => m[1]).sort();
      assert.deepEqual(ran, c.ran);
    });
  }

  test('a glob that matches nothing is a problem (exit 1)', async () => {
    const r = await runMain(['test', ...P, 'suite/**/*.toml'], undefined, dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^INVALID suite\/\*\*\/\*\.toml: no such file, directory, or files matching this glob$/m);
    assert.ok(root.length > 0);
  });
});

describe('test --junit', () => {
  test('writes JUnit XML that parses, with the right counts', async () => {
    const good = await caseFile('junit/good.yaml', [
      { name: 'main allowed', role: 'deploy-main', preset: 'circleci', expect: 'allow' },
      { name: 'feature denied', role: 'deploy-main', preset: { name: 'circleci', branch: 'feature/x' }, expect: 'deny' },
      { name: 'wrong <on purpose> & "quoted"', role: 'deploy-main', preset: { name: 'circleci', branch: 'feature/x' }, expect: 'allow' },
    ]);
    const bad = await caseFile('junit/bad.yaml', [{ name: 'x' }]);
    const out = join(dir, 'junit', 'report.xml');
    const r = await runMain(['test', ...P, '--junit', out, good, bad]);
    assert.equal(r.code, 1);
    const xml = (await parseStringPromise(await readFile(out, 'utf8'))) as {
      testsuites: {
        testsuite: {
          $: Record<string, string>;
          testcase: { $: Record<string, string>; failure?: ({ $: Record<string, string>; _?: string } | string)[] }[];
        }[];
      };
    };
    const suites = xml.testsuites.testsuite;
    const suite = suites.find((s) => s.$['name']?.endsWith('good.yaml'));
    assert.ok(suite !== undefined);
    assert.equal(suite.$['tests'], '3');
    assert.equal(suite.$['failures'], '1');
    assert.equal(suite.testcase.length, 3);
    const failed = suite.testcase.filter((t) => t.failure !== undefined);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.$['name'], 'wrong <on purpose> & "quoted"');
    const failure = failed[0]?.failure?.[0];
    assert.ok(typeof failure === 'object');
    assert.equal(failure.$['message'], 'expected allow, got deny');
    assert.match(failure._ ?? '', /StringLike "oidc\.circleci\.com\/org\/[^"]+:sub"/);
    const files = suites.find((s) => s.$['name'] === 'case files');
    assert.ok(files !== undefined);
    assert.equal(files.$['failures'], String(files.testcase.length));
    assert.ok(files.testcase.length >= 3, 'missing role, expect and input of bad.yaml');
  });

  test('an unwritable --junit path is one line on stderr, exit 1', async () => {
    const file = await caseFile('junit/one.yaml', [{ name: 'main', role: 'deploy-main', preset: 'circleci', expect: 'allow' }]);
    const r = await runMain(['test', ...P, '--junit', join(dir, 'no', 'such', 'dir', 'r.xml'), file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^sts-emulator test: cannot write --junit .*r\.xml: ENOENT\n$/);
  });
});

describe('test: usage errors', () => {
  test('no case file: exit 2, one line', async () => {
    const r = await runMain(['test', ...P]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'sts-emulator test: give at least one case file, directory or glob\n');
  });
  test('unknown flag and missing --junit value: exit 2', async () => {
    for (const args of [
      ['--nope', 'x.yaml'],
      ['x.yaml', '--junit'],
    ]) {
      const r = await runMain(['test', ...P, ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^sts-emulator test: [^\n]+\n$/);
    }
  });
  test('non-existent --policies: exit 1, one line', async () => {
    const file = await caseFile('p.yaml', [{ name: 'main', role: 'deploy-main', preset: 'circleci', expect: 'allow' }]);
    const r = await runMain(['test', '--policies', join(dir, 'nope'), file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^sts-emulator: invalid configuration: configuration directory .*nope: not found\n$/);
  });
});
