/**
 * `sts-emulator env`: the sh lines that point AWS CLIs and SDKs at the emulator. An argv table against the output;
 * values that sh would otherwise read specially come back unchanged when the lines are sourced; and aws-cli,
 * given only these variables, talks to the emulator (never to AWS).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { ENV_ARGS } from '../../src/cli/env.js';
import { HELP } from '../../src/cli/help.js';
import { circleToken, REPO_ROOT, startServer } from '../helpers/harness.js';
import { awsCli, need, outcome, run, sandbox } from '../integration/clients.js';
import { assertOneLineError, cleanEnv, runMain, tempDir } from './helpers.js';

const CWD = '/work/project';

/** The `export NAME=value` lines as a map (values as printed, quotes included). */
function exportsOf(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

describe('env: argv to exports', () => {
  test('defaults: the demo role, a token file to write, the default endpoint and region', async () => {
    const r = await runMain(['env'], cleanEnv(), CWD);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      [
        '# Web-identity exchanges go to the sts-emulator at http://127.0.0.1:8733: eval "$(sts-emulator env ...)", or save and source this.',
        '# AWS_ENDPOINT_URL_STS needs AWS CLI v1 (botocore >= 1.31) or v2 >= 2.13: older clients ignore it and would send',
        '# the token to the real AWS STS (give them --endpoint-url).',
        '# Credentials already in the environment would be used instead of the web identity:',
        'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE',
        "export AWS_ENDPOINT_URL_STS='http://127.0.0.1:8733'",
        "export AWS_ROLE_ARN='arn:aws:iam::123456789012:role/deploy-main'",
        "# No --token-file: write a token there first, e.g. npx sts-emulator token --preset circleci --branch main > '/work/project/token.jwt'",
        "export AWS_WEB_IDENTITY_TOKEN_FILE='/work/project/token.jwt'",
        "export AWS_ROLE_SESSION_NAME='sts-emulator'",
        "export AWS_REGION='us-east-1'",
        "export AWS_DEFAULT_REGION='us-east-1'",
        '',
      ].join('\n'),
    );
  });

  const cases: readonly { name: string; argv: string[]; env?: NodeJS.ProcessEnv; exports: Record<string, string>; noComment?: true }[] = [
    {
      name: 'every flag',
      argv: [
        '--role',
        'ci/deployer',
        '--account-id',
        '210987654321',
        '--token-file',
        'tok/ci.jwt',
        '--region',
        'eu-west-1',
        '--endpoint',
        'https://sts.local:4443',
        '--session-name',
        'job-42',
      ],
      exports: {
        AWS_ENDPOINT_URL_STS: "'https://sts.local:4443'",
        AWS_ROLE_ARN: "'arn:aws:iam::210987654321:role/ci/deployer'",
        AWS_WEB_IDENTITY_TOKEN_FILE: "'/work/project/tok/ci.jwt'",
        AWS_ROLE_SESSION_NAME: "'job-42'",
        AWS_REGION: "'eu-west-1'",
        AWS_DEFAULT_REGION: "'eu-west-1'",
      },
      noComment: true,
    },
    {
      name: 'a role ARN is kept as given; an absolute token file too',
      argv: ['--role', 'arn:aws:iam::111122223333:role/x', '--token-file', '/run/token'],
      exports: { AWS_ROLE_ARN: "'arn:aws:iam::111122223333:role/x'", AWS_WEB_IDENTITY_TOKEN_FILE: "'/run/token'" },
      noComment: true,
    },
    {
      name: "serve's environment: STS_EMULATOR_HOST, _PORT, _ACCOUNT_ID, _REGION",
      argv: [],
      env: {
        STS_EMULATOR_HOST: 'localhost',
        STS_EMULATOR_PORT: '9000',
        STS_EMULATOR_ACCOUNT_ID: '444455556666',
        STS_EMULATOR_REGION: 'ap-south-1',
      },
      exports: {
        AWS_ENDPOINT_URL_STS: "'http://localhost:9000'",
        AWS_ROLE_ARN: "'arn:aws:iam::444455556666:role/deploy-main'",
        AWS_REGION: "'ap-south-1'",
      },
    },
    {
      name: 'a server on every IPv4 address is reached on loopback',
      argv: [],
      env: { STS_EMULATOR_HOST: '0.0.0.0' },
      exports: { AWS_ENDPOINT_URL_STS: "'http://127.0.0.1:8733'" },
    },
    {
      name: 'IPv6 hosts are bracketed; :: is reached on ::1',
      argv: [],
      env: { STS_EMULATOR_HOST: '::' },
      exports: { AWS_ENDPOINT_URL_STS: "'http://[::1]:8733'" },
    },
    {
      name: 'flags win over the environment',
      argv: ['--region', 'us-west-2', '--endpoint', 'http://10.0.0.1:1'],
      env: { STS_EMULATOR_REGION: 'eu-west-1', STS_EMULATOR_PORT: '0' },
      exports: { AWS_REGION: "'us-west-2'", AWS_ENDPOINT_URL_STS: "'http://10.0.0.1:1'" },
    },
    {
      name: 'single quotes in a value are closed, escaped and reopened',
      argv: ['--token-file', "/tmp/it's here/$HOME `x`"],
      exports: { AWS_WEB_IDENTITY_TOKEN_FILE: "'/tmp/it'\\''s here/$HOME `x`'" },
      noComment: true,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await runMain(['env', ...c.argv], cleanEnv(c.env), CWD);
      assert.equal(r.code, 0, r.stderr);
      const got = exportsOf(r.stdout);
      assert.deepEqual(
        [...got.keys()],
        [
          'AWS_ENDPOINT_URL_STS',
          'AWS_ROLE_ARN',
          'AWS_WEB_IDENTITY_TOKEN_FILE',
          'AWS_ROLE_SESSION_NAME',
          'AWS_REGION',
          'AWS_DEFAULT_REGION',
        ],
      );
      for (const [k, v] of Object.entries(c.exports)) assert.equal(got.get(k), v, k);
      assert.equal(r.stdout.includes('# No --token-file'), c.noComment !== true);
    });
  }

  const refusals: readonly [string, string[], NodeJS.ProcessEnv, RegExp][] = [
    ['an invalid session name', ['--session-name', 'a b'], {}, /--session-name must be 2 to 64/],
    ['a one-character session name', ['--session-name', 'a'], {}, /--session-name/],
    ['a role ARN of another service', ['--role', 'arn:aws:iam::123456789012:user/u'], {}, /--role must be a role name or arn:aws:iam/],
    ['a newline in the role (it could end a comment line)', ['--role', 'x\nrm -rf ~'], {}, /--role must not contain control characters/],
    ['a newline in the token file', ['--token-file', '/tmp/x\n/y'], {}, /--token-file must not contain control characters/],
    ['a non-http endpoint', ['--endpoint', 'ftp://x'], {}, /--endpoint must be an http/],
    ['an endpoint that is not a URL', ['--endpoint', '127.0.0.1:8733'], {}, /--endpoint must be/],
    ['a bad account id', ['--account-id', '12'], {}, /--account-id must be 12 digits/],
    ['a bad region', ['--region', 'mars'], {}, /--region must look like us-east-1/],
    ['port 0 from the environment and no --endpoint', [], { STS_EMULATOR_PORT: '0' }, /STS_EMULATOR_PORT is 0 .*give --endpoint/],
    ['an unknown flag', ['--profile', 'x'], {}, /profile/],
    ['a positional argument', ['deploy-main'], {}, /deploy-main/],
  ];
  for (const [name, argv, env, pattern] of refusals) {
    test(`refused: ${name} (exit 2, one line)`, async () => {
      assertOneLineError(await runMain(['env', ...argv], cleanEnv(env), CWD), 2, pattern);
    });
  }

  test("README's env table has a row for every flag but --account-id (a column of --role)", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### `env`'), readme.indexOf('## Trust-policy regression suites'));
    for (const f of Object.keys(ENV_ARGS).filter((k) => k !== 'help' && k !== 'account-id'))
      assert.match(section, new RegExp(`^\\| \`--${f}[ \`]`, 'm'), f);
    assert.match(section, /--account-id/);
  });

  test('--help lists exactly the flags env parses', async () => {
    const r = await runMain(['env', '--help']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, HELP['env'] + '\n');
    const documented = new Set([...r.stdout.matchAll(/(?<![\w-])--([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1] as string));
    assert.deepEqual(
      [...documented].sort(),
      Object.keys(ENV_ARGS)
        .filter((k) => k !== 'help')
        .sort(),
    );
  });
});

describe('env: the lines in a shell', () => {
  test('sourced by sh, every value arrives as given (quotes, $, backticks, spaces)', async (t) => {
    const { dir, cleanup } = await tempDir('sts-env-');
    t.after(cleanup);
    const tokenFile = join(dir, 'it\'s $HOME `id` \\ "q"', 'token.jwt');
    const r = await runMain(['env', '--token-file', tokenFile, '--role', 'r\'o"le$x'], cleanEnv(), dir);
    assert.equal(r.code, 0, r.stderr);
    const script = join(dir, 'env.sh');
    await writeFile(script, r.stdout);
    const names = [
      'AWS_ENDPOINT_URL_STS',
      'AWS_ROLE_ARN',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_ROLE_SESSION_NAME',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
    ];
    const sh = spawnSync(
      'sh',
      [
        '-c',
        `AWS_ACCESS_KEY_ID=leak; AWS_PROFILE=p; . "$1" && printf '%s\\n' ${names.map((n) => `"$${n}"`).join(' ')} "\${AWS_ACCESS_KEY_ID-unset}" "\${AWS_PROFILE-unset}"`,
        'sh',
        script,
      ],
      { env: cleanEnv(), cwd: dir, encoding: 'utf8' },
    );
    assert.equal(sh.status, 0, sh.stderr);
    assert.equal(sh.stderr, '');
    assert.deepEqual(sh.stdout.split('\n').slice(0, -1), [
      'http://127.0.0.1:8733',
      'arn:aws:iam::123456789012:role/r\'o"le$x',
      tokenFile,
      'sts-emulator',
      'us-east-1',
      'us-east-1',
      'unset',
      'unset',
    ]);
  });

  test('aws-cli with only these lines: an unsigned call reaches the emulator (MissingAuthenticationToken), a token file gets credentials', async (t) => {
    // AWS CLI v2 before 2.13 (Debian's 2.9) ignores AWS_ENDPOINT_URL_STS and would go to AWS: v1 only, as the README snippets.
    const aws = await need(t, 'aws-cli v1', awsCli(1), 'pip install awscli');
    if (aws === undefined) return;
    const server = await startServer();
    t.after(() => server.close());
    const box = await sandbox(t);
    const tokenFile = await box.file('token.jwt', await circleToken({ branch: 'main' }));
    const lines = await runMain(
      ['env', '--endpoint', server.url, '--token-file', tokenFile, '--session-name', 'from-env'],
      cleanEnv(),
      box.dir,
    );
    assert.equal(lines.code, 0, lines.stderr);
    const script = await box.file('env.sh', lines.stdout);
    // The sandbox's own region variables are removed: the sourced lines must set everything.
    const env: NodeJS.ProcessEnv = { ...box.env, PATH: `${dirname(aws.path)}${delimiter}${box.env['PATH'] ?? ''}` };
    delete env['AWS_REGION'];
    delete env['AWS_DEFAULT_REGION'];
    const cli = (args: string): Promise<Awaited<ReturnType<typeof run>>> =>
      run('sh', ['-c', `. "$1" && exec aws ${args} --output json`, 'sh', script], { env, cwd: box.dir });

    const before = server.audit.length;
    const unsigned = await cli('sts get-caller-identity --no-sign-request');
    assert.notEqual(unsigned.code, 0, outcome(unsigned));
    assert.match(unsigned.stderr, /MissingAuthenticationToken/, outcome(unsigned));
    assert.deepEqual(
      server.audit.slice(before).map((r) => `${r.action} ${r.errorCode}`),
      ['GetCallerIdentity MissingAuthenticationToken'],
      'the call reached the emulator',
    );

    const signed = await cli('sts get-caller-identity');
    assert.equal(signed.code, 0, outcome(signed));
    assert.equal((JSON.parse(signed.stdout) as { Arn: string }).Arn, 'arn:aws:sts::123456789012:assumed-role/deploy-main/from-env');
    assert.deepEqual(
      server.audit.slice(before + 1).map((r) => `${r.action} ${r.decision}`),
      ['AssumeRoleWithWebIdentity allow', 'GetCallerIdentity allow'],
    );
  });
});
