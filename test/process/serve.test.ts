/** `sts-emulator serve` as a process: the ready line, clean stops, refusals to start. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, cp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_POLICIES, REPO_ROOT } from '../helpers/harness.js';
import { CLI_ENTRY } from '../helpers/cli-entry.js';

const MAIN = CLI_ENTRY;

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `serve`, waits for the ready line (or exit), then optionally sends a signal. */
function serve(args: string[], env: NodeJS.ProcessEnv = {}, stopWith?: NodeJS.Signals): Promise<Run & { ready: string | undefined }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'serve', ...args], {
      env: { PATH: process.env['PATH'], ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let ready: string | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not finish: ${stdout} ${stderr}`));
    }, 15_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (ready === undefined && stdout.includes('\n')) {
        ready = stdout.split('\n')[0];
        if (stopWith !== undefined) child.kill(stopWith);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ready });
    });
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`prints one ready line with the URL and stops cleanly on ${signal}`, async () => {
    const r = await serve(['--port', '0', '--policies', DEMO_POLICIES], {}, signal);
    assert.match(r.ready ?? '', /^sts-emulator listening on http:\/\/127\.0\.0\.1:\d+ \(account 123456789012, region us-east-1, /);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1);
  });
}

test('environment variables configure like flags', async () => {
  const r = await serve(
    [],
    {
      STS_EMULATOR_PORT: '0',
      STS_EMULATOR_POLICIES: DEMO_POLICIES,
      STS_EMULATOR_ACCOUNT_ID: '123456789012',
      STS_EMULATOR_REGION: 'eu-west-1',
    },
    'SIGTERM',
  );
  assert.match(r.ready ?? '', /region eu-west-1/);
  assert.equal(r.code, 0);
});

test('invalid configuration: every problem with file and path, exit 1, no stack trace', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sts-serve-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'roles'), { recursive: true });
  await cp(join(DEMO_POLICIES, 'providers'), join(dir, 'providers'), { recursive: true });
  await writeFile(
    join(dir, 'roles', 'a.json'),
    JSON.stringify({
      RoleName: 'a',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Maybe', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity' }],
      },
    }),
  );
  await writeFile(
    join(dir, 'roles', 'b.json'),
    JSON.stringify({ RoleName: 'b', MaxSessionDuration: 100, AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }),
  );
  await writeFile(join(dir, 'roles', 'c.json'), '{ not json');
  const r = await serve(['--port', '0', '--policies', dir]);
  assert.equal(r.code, 1);
  assert.equal(r.ready, undefined);
  assert.match(r.stderr, /roles\/a\.json: .*Effect/);
  assert.match(r.stderr, /roles\/b\.json: .*MaxSessionDuration/);
  assert.match(r.stderr, /roles\/b\.json: .*Statement/);
  assert.match(r.stderr, /roles\/c\.json: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

const USAGE: readonly [string, string[], RegExp][] = [
  ['a port out of range', ['--port', '70000'], /--port/],
  ['an unknown flag', ['--nope'], /nope/],
  ['a bad account id', ['--account-id', '12'], /--account-id/],
  ['a bad region', ['--region', 'mars'], /--region/],
  ['a bad claim-keys', ['--claim-keys', 'some'], /--claim-keys/],
  ['a too-short server key', ['--server-key', 'abcd'], /key/i],
];
for (const [name, args, message] of USAGE) {
  test(`refuses ${name} with exit 2 and one clear line`, async () => {
    const r = await serve(['--policies', DEMO_POLICIES, ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
}

test('a port in use is a clear error', async () => {
  const first = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--policies', DEMO_POLICIES], { stdio: ['ignore', 'pipe', 'pipe'] });
  const line: string = await new Promise((resolve) => first.stdout.once('data', (d: Buffer) => resolve(d.toString())));
  const port = /:(\d+) /.exec(line)?.[1] ?? '0';
  const r = await serve(['--port', port, '--policies', DEMO_POLICIES]);
  first.kill('SIGTERM');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /already in use/);
});

test('--help lists every serve flag', async () => {
  const r = await serve(['--help']);
  assert.equal(r.code, 0);
  for (const flag of [
    '--port',
    '--host',
    '--policies',
    '--account-id',
    '--region',
    '--claim-keys',
    '--server-key',
    '--server-key-file',
    '--audit-log',
    '--no-reason-header',
    '--workers',
  ]) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

test('--audit-log <file>: one JSON line per decision, with the request id the client got', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sts-audit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'audit.jsonl');
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--policies', DEMO_POLICIES, '--audit-log', log], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line: string = await new Promise((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
  const url = /(http:\/\/\S+)/.exec(line)?.[1] ?? '';
  const res = await fetch(url + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/deploy-main&RoleSessionName=s1&WebIdentityToken=abcd.efgh.ijkl',
  });
  const requestId = res.headers.get('x-amzn-requestid');
  await new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
  const { readFile } = await import('node:fs/promises');
  const records = (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(records.length, 1);
  const r = records[0] as Record<string, unknown>;
  assert.equal(r['requestId'], requestId);
  assert.equal(r['action'], 'AssumeRoleWithWebIdentity');
  assert.equal(r['decision'], 'error');
  assert.equal(r['errorCode'], 'InvalidIdentityToken');
  assert.equal(r['sessionName'], 's1');
  for (const k of ['time', 'role', 'subject', 'issuer', 'message', 'reason', 'trace']) assert.ok(k in r, k);
});

/** One raw HTTP exchange with a served process; the whole response as text. */
async function rawExchange(port: number, data: string): Promise<string> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(data));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
  });
}

test('what node:http would refuse with an empty body is STS XML: bad HTTP, oversized headers, unknown Expect; a 20,000-character GET fits', async () => {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--policies', DEMO_POLICIES], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line: string = await new Promise((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    const port = Number(/:(\d+) /.exec(line)?.[1]);
    const cases: readonly [string, string, RegExp, string][] = [
      ['garbage', 'NOT HTTP AT ALL\r\n\r\n', /^HTTP\/1\.1 400 /, 'MalformedHttpRequest'],
      [
        'headers over 64 KiB',
        `GET /?Action=GetCallerIdentity HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
        /^HTTP\/1\.1 431 /,
        'RequestHeaderSectionTooLarge',
      ],
      [
        'Expect: something',
        'POST / HTTP/1.1\r\nHost: x\r\nExpect: something\r\nContent-Length: 0\r\n\r\n',
        /^HTTP\/1\.1 417 /,
        'ExpectationFailed',
      ],
      [
        'GET with a 20,000-character token',
        `GET /?Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/deploy-main&RoleSessionName=ss&WebIdentityToken=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        /^HTTP\/1\.1 400 /,
        'InvalidIdentityToken',
      ],
    ];
    for (const [name, data, status, code] of cases) {
      const res = await rawExchange(port, data);
      assert.match(res, status, name);
      assert.match(res, /\r\nContent-Type: text\/xml\r\n/i, name);
      assert.match(res, new RegExp(`<Code>${code}</Code>`), name);
      const id = /x-amzn-RequestId: (\S+)/i.exec(res)?.[1];
      assert.ok(id !== undefined && res.includes(`<RequestId>${id}</RequestId>`), name);
    }
  } finally {
    child.kill('SIGTERM');
  }
});

test('Express is loaded by the first request that needs it: that request, sent on a half-closed socket, is answered', async () => {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--policies', DEMO_POLICIES], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line: string = await new Promise((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    const port = Number(/:(\d+) /.exec(line)?.[1]);
    const jwks = await rawExchange(
      port,
      'GET /oidc/oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d/.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    assert.match(jwks, /^HTTP\/1\.1 200 /);
    assert.match(jwks, /"keys":\[\{/);
    const unknown = await rawExchange(port, 'GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(unknown, /^HTTP\/1\.1 400 /);
    assert.match(unknown, /<Code>MissingAction<\/Code>/);
  } finally {
    child.kill('SIGTERM');
  }
});
