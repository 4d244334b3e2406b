/**
 * README's "A branch-restricted role in five commands", run as written: the shell block is taken from
 * README.md, only the port is changed (to a free one) and the wait for the server (until its port accepts a
 * connection, instead of `sleep 2`), and the explain output is compared with README's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { REPO_ROOT } from '../helpers/harness.js';
import { awsCli, need, run, sandbox } from './clients.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

function section(heading: string): string {
  const start = README.indexOf(`## ${heading}`);
  assert.ok(start >= 0, `README has no section ${heading}`);
  const end = README.indexOf('\n## ', start + 3);
  return README.slice(start, end === -1 ? undefined : end);
}

function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');
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

test('README five-command demo: main gets credentials, feature/x gets AccessDenied, explain says why', async (t) => {
  const aws = await need(t, 'aws-cli v1', awsCli(1), 'pip install awscli');
  if (aws === undefined) return;
  const text = section('A branch-restricted role in five commands');
  const [demo, explainCmd] = blocks(text, 'sh');
  assert.ok(demo !== undefined && explainCmd !== undefined);
  const expected = blocks(text, 'text')[0];
  assert.ok(expected !== undefined, 'README shows the explain output in a ```text block');
  const port = await freePort();
  const serve = 'npx sts-emulator serve & sleep 2';
  assert.ok(demo.includes(serve), demo);
  // bash's /dev/tcp: a connection attempt without starting a process, every 0.1 s until the server listens.
  const listening = `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null`;
  const script = [
    'set -u -m', // job control: the server runs in its own process group, so it can be stopped with all its children
    demo
      .replace(serve, `npx sts-emulator serve --port ${port} & SERVER=$!; until ${listening}; do sleep 0.1; done`)
      .replaceAll('127.0.0.1:8733', `127.0.0.1:${port}`),
    'echo "=== explain"',
    explainCmd,
    'kill -TERM -- -"$SERVER"; wait',
  ].join('\n');
  const box = await sandbox(t);
  const r = await run('bash', ['-c', script], {
    cwd: REPO_ROOT,
    env: { ...box.env, PATH: `${dirname(aws.path)}${delimiter}${box.env['PATH'] ?? ''}` },
    timeoutMs: 60_000,
  });
  assert.match(r.stdout, /"AccessKeyId": "ASIA[A-Z0-9]{16}"/, r.stderr);
  assert.match(r.stdout, /"Arn": "arn:aws:sts::123456789012:assumed-role\/deploy-main\/demo"/);
  assert.match(
    r.stderr,
    /An error occurred \(AccessDenied\) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity/,
  );
  const explained = r.stdout.slice(r.stdout.indexOf('=== explain\n') + '=== explain\n'.length);
  // Times and the user-specific parts are the same as README's: the demo ids are fixed; only iat/exp would differ, and they are not shown.
  assert.equal(explained.trim(), expected.trim());
});
