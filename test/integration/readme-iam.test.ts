/**
 * README's "Set up with the IAM API", run as written: the shell block is taken from README.md; only the port (a free
 * one), the directory it writes (a temporary one) and the wait for the server (until its port accepts a connection,
 * instead of `sleep 2`) change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { REPO_ROOT } from '../helpers/harness.js';
import { awsCli, need, outcome, run, sandbox } from './clients.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

function section(heading: string): string {
  const start = README.indexOf(heading);
  assert.ok(start >= 0, `README has no section ${heading}`);
  const end = README.indexOf('\n#', start + heading.length);
  return README.slice(start, end === -1 ? undefined : end);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('README "Set up with the IAM API": aws-cli creates the provider and the role, STS assumes it, --persist writes the files', async (t) => {
  const aws = await need(t, 'aws-cli v1', awsCli(1), 'pip install awscli');
  if (aws === undefined) return;
  const block = /```sh\n([\s\S]*?)```/.exec(section('### Set up with the IAM API'))?.[1];
  assert.ok(block !== undefined, 'the section has a ```sh block');
  const port = await freePort();
  const work = await mkdtemp(join(tmpdir(), 'sts-emulator-readme-iam-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const serve = 'npx sts-emulator serve --policies my-policies --persist & sleep 2';
  assert.ok(block.includes(serve));
  // bash's /dev/tcp: a connection attempt without starting a process (a node per attempt cost more than the wait).
  const listening = `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null`;
  const script = [
    'set -u -m', // job control: the server runs in its own process group, so it can be stopped with all its children
    'SERVER=',
    `trap 'if [ -n "$SERVER" ]; then kill -TERM -- -"$SERVER" 2>/dev/null; wait; fi' EXIT`,
    'set -e',
    block
      .replace(
        serve,
        `npx sts-emulator serve --port ${port} --policies my-policies --persist & SERVER=$!; until ${listening}; do sleep 0.1; done`,
      )
      .replaceAll('127.0.0.1:8733', `127.0.0.1:${port}`)
      .replaceAll('my-policies', join(work, 'my-policies'))
      .replaceAll('trust.json', join(work, 'trust.json')),
  ].join('\n');
  const box = await sandbox(t);
  const r = await run('bash', ['-c', script], {
    cwd: REPO_ROOT,
    // npm's own cache in the temporary directory: npx links this checkout under <cache>/_npx/<hash of the spec>, and
    // two npx runs from the same checkout at once (readme-demo.test.ts runs beside this file) rewrite the same
    // package.json there, so one of them fails with ENOENT.
    env: { ...box.env, PATH: `${dirname(aws.path)}${delimiter}${box.env['PATH'] ?? ''}`, npm_config_cache: join(work, 'npm-cache') },
    timeoutMs: 90_000,
  });
  assert.equal(r.code, 0, outcome(r));
  assert.match(r.stdout, /"OpenIDConnectProviderArn": "arn:aws:iam::123456789012:oidc-provider\/token\.actions\.githubusercontent\.com"/);
  assert.match(r.stdout, /"Arn": "arn:aws:sts::123456789012:assumed-role\/gha-deploy\/setup"/, outcome(r));
  assert.match(r.stdout, /token\.actions\.githubusercontent\.com\.json\ntoken\.actions\.githubusercontent\.com\.key\.pem\n/);
  assert.match(r.stdout, /roles:\ngha-deploy\.json\n/);
  const role = JSON.parse(await readFile(join(work, 'my-policies', 'roles', 'gha-deploy.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(role), ['RoleName', 'Path', 'MaxSessionDuration', 'CreateDate', 'Tags', 'AssumeRolePolicyDocument']);
  assert.deepEqual(role['Tags'], [{ Key: 'team', Value: 'platform' }]);
  assert.equal(role['MaxSessionDuration'], 7200);
  assert.deepEqual((role['AssumeRolePolicyDocument'] as { Statement: { Principal: unknown }[] }).Statement[0]?.Principal, {
    Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
  });
});
