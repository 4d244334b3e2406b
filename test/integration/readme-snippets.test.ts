/**
 * The copy-paste snippets README shows (test/integration/snippets/*), run verbatim against a spawned
 * `sts-emulator serve`. Each snippet gets only STS_ENDPOINT and TOKEN_FILE (no region, no pager setting),
 * in an isolated HOME with no AWS credentials; shell snippets find the chosen `aws` first on PATH.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { circleToken, REPO_ROOT } from '../helpers/harness.js';
import { awsCli, outcome, python, run, sandbox, serveProcess, SNIPPETS, type Client } from './clients.js';

type Runner = 'aws-cli v1' | 'aws-cli v2' | 'boto3' | 'node';

interface Case {
  readonly file: string;
  readonly runner: Runner;
  readonly session: string;
}

const cases: readonly Case[] = [
  { file: 'aws-cli-explicit.sh', runner: 'aws-cli v1', session: 'readme-cli' },
  { file: 'aws-cli-explicit.sh', runner: 'aws-cli v2', session: 'readme-cli' },
  // aws-cli v2 2.9 ignores AWS_ENDPOINT_URL_STS (aws-cli-v2.test.ts): run with v1 only, never towards real AWS.
  { file: 'aws-cli-env.sh', runner: 'aws-cli v1', session: 'readme-env' },
  { file: 'circleci-job.sh', runner: 'aws-cli v1', session: 'deploy' },
  { file: 'circleci-job.sh', runner: 'aws-cli v2', session: 'deploy' },
  { file: 'boto3-explicit.py', runner: 'boto3', session: 'readme-boto3' },
  { file: 'boto3-env.py', runner: 'boto3', session: 'readme-boto3-env' },
  { file: 'sdk-v3.mjs', runner: 'node', session: 'readme-sdk-v3' },
];

const HINTS: Record<Runner, string> = {
  'aws-cli v1': 'pip install awscli',
  'aws-cli v2': 'apt-get install -y awscli',
  boto3: 'pip install boto3',
  node: '',
};

function clientFor(runner: Runner): Promise<Client | undefined> {
  switch (runner) {
    case 'aws-cli v1':
      return awsCli(1);
    case 'aws-cli v2':
      return awsCli(2);
    case 'boto3':
      return python();
    case 'node':
      return Promise.resolve({ path: process.execPath, version: process.version });
  }
}

test('every snippet file has a case', () => {
  const files = readdirSync(SNIPPETS).sort();
  assert.deepEqual([...new Set(cases.map((c) => c.file))].sort(), files);
});

test('README shows every snippet file verbatim, each in its own fenced block', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const blocks = new Set([...readme.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]));
  const absent = readdirSync(SNIPPETS).filter((f) => !blocks.has(readFileSync(join(SNIPPETS, f), 'utf8')));
  assert.deepEqual(absent, []);
});

// A snippet checks itself by printing get-caller-identity; the table row says which session it must name.
test('README snippets against a spawned `sts-emulator serve`', async (t) => {
  const server = await serveProcess(t);
  for (const c of cases) {
    await t.test(`${c.file} with ${c.runner}`, async (st) => {
      const client = await clientFor(c.runner);
      if (client === undefined) {
        st.skip(`${c.runner} not installed: ${HINTS[c.runner]}`);
        return;
      }
      st.diagnostic(`${c.runner}: ${client.path} (${client.version})`);
      const sb = await sandbox(st);
      const tokenFile = await sb.file('token.jwt', `${await circleToken({ branch: 'main' })}\n`);
      const env: NodeJS.ProcessEnv = { ...sb.env, STS_ENDPOINT: server.url, TOKEN_FILE: tokenFile };
      delete env['AWS_DEFAULT_REGION'];
      delete env['AWS_REGION'];
      delete env['AWS_PAGER'];
      const path = join(SNIPPETS, c.file);
      let r;
      if (c.file.endsWith('.sh')) {
        // The snippet says `aws`: put the chosen CLI first on PATH.
        const bin = join(sb.dir, 'bin');
        await mkdir(bin);
        await symlink(client.path, join(bin, 'aws'));
        r = await run('bash', [path], { env: { ...env, PATH: `${bin}${delimiter}${env['PATH'] ?? ''}` } });
      } else {
        r = await run(client.path, [path], { env });
      }
      assert.equal(r.code, 0, outcome(r));
      assert.match(r.stdout, new RegExp(`arn:aws:sts::123456789012:assumed-role/deploy-main/${c.session}\\b`), outcome(r));
    });
  }
  assert.equal(await server.stop(), 0, 'serve exits 0 on SIGTERM');
});
