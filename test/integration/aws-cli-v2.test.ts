/**
 * AWS CLI v2 (Debian bookworm packages 2.9.19 as /usr/bin/aws) against the emulator: the explicit exchange
 * with --endpoint-url, then get-caller-identity with --endpoint-url (through aws-cli's entry point in one Python
 * process, aws-driver.ts); and, running the executable kept offline by a trap proxy, that CLI v2 before 2.13 ignores
 * AWS_ENDPOINT_URL_STS for its implicit web-identity exchange.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { circleToken, roleArn, startServer, type TestServer } from '../helpers/harness.js';
import {
  awsCli,
  credentialEnv,
  outcome,
  json,
  need,
  run,
  sandbox,
  type AwsCredentials,
  type Client,
  type RunResult,
  type Sandbox,
} from './clients.js';
import { fileAwsDriver } from './aws-driver.js';

const HINT = 'apt-get install -y awscli (Debian: /usr/bin/aws 2.9), or set STS_EMULATOR_AWS_V2';
/** AWS CLI v2 exits 254 on a service error. */
const SERVICE_ERROR_EXIT = 254;

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

/** An `aws` command (`--output json` added) in the sandbox's environment plus `env`. */
type Aws = (args: readonly string[], env?: Record<string, string>) => Promise<RunResult>;

/** The CLI and a sandbox; `aws` sends each command to the file's driver (the trap test below runs the executable). */
async function setup(t: TestContext): Promise<{ aws: Aws; sb: Sandbox } | undefined> {
  const cli = await need(t, 'aws-cli v2', awsCli(2), HINT);
  if (cli === undefined) return undefined;
  const sb = await sandbox(t);
  const d = await fileAwsDriver(t, cli);
  return { sb, aws: (args, env = {}) => d.run([...args, '--output', 'json'], { env: { ...sb.env, ...env } }) };
}

/** major.minor of "aws-cli/2.9.19". */
function minorOf(c: Client): number {
  const m = /^aws-cli\/\d+\.(\d+)\./.exec(c.version);
  return m === null ? 0 : Number(m[1]);
}

test('explicit --endpoint-url: assume-role-with-web-identity, then get-caller-identity with the credentials', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const r = await s.aws([
    'sts',
    'assume-role-with-web-identity',
    '--endpoint-url',
    server.url,
    '--role-arn',
    roleArn('deploy-main'),
    '--role-session-name',
    'cli-v2',
    '--web-identity-token',
    await circleToken({ branch: 'main' }),
  ]);
  assert.equal(r.code, 0, outcome(r));
  const out = json<{ Credentials: AwsCredentials; AssumedRoleUser: { Arn: string } }>(r);
  assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assert.equal(out.AssumedRoleUser.Arn, 'arn:aws:sts::123456789012:assumed-role/deploy-main/cli-v2');

  const who = await s.aws(['sts', 'get-caller-identity', '--endpoint-url', server.url], credentialEnv(out.Credentials));
  assert.equal(who.code, 0, outcome(who));
  assert.equal(json<{ Arn: string }>(who).Arn, 'arn:aws:sts::123456789012:assumed-role/deploy-main/cli-v2');
});

test('explicit exchange on feature/x is AccessDenied (exit 254)', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const r = await s.aws([
    'sts',
    'assume-role-with-web-identity',
    '--endpoint-url',
    server.url,
    '--role-arn',
    roleArn('deploy-main'),
    '--role-session-name',
    'cli-v2',
    '--web-identity-token',
    await circleToken({ branch: 'feature/x' }),
  ]);
  assert.equal(r.code, SERVICE_ERROR_EXIT, outcome(r));
  assert.match(
    r.stderr,
    /\(AccessDenied\) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity/,
  );
});

interface Trap {
  readonly url: string;
  /** First request line of every connection, e.g. "CONNECT sts.us-east-1.amazonaws.com:443 HTTP/1.1". */
  readonly seen: string[];
}

/** A local "proxy" that records what a client tried to reach and drops it: nothing leaves the machine. */
async function trapProxy(t: TestContext): Promise<Trap> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const proxy: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', (d) => {
      seen.push(d.toString('latin1').split('\r\n')[0] ?? '');
      socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => proxy.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, seen };
}

test('implicit web-identity flow with AWS_ENDPOINT_URL_STS: CLI v2 < 2.13 ignores it (checked offline via a trap proxy)', async (t) => {
  const v2 = await need(t, 'aws-cli v2', awsCli(2), HINT);
  if (v2 === undefined) return;
  const v1 = await awsCli(1);
  const clients: readonly { label: string; cli: Client | undefined; honours: boolean }[] = [
    { label: `${v2.version} (${v2.path})`, cli: v2, honours: minorOf(v2) >= 13 },
    // Control: the same environment with botocore >= 1.31 does reach the emulator, so the trap itself is not the cause.
    { label: v1 === undefined ? 'aws-cli v1 control' : `control: ${v1.version}`, cli: v1, honours: true },
  ];
  for (const c of clients) {
    await t.test(c.label, async (st) => {
      if (c.cli === undefined) {
        st.skip('aws-cli v1 not installed: no control run');
        return;
      }
      const sb = await sandbox(st);
      const trap = await trapProxy(st);
      const tokenFile = await sb.file('token', `${await circleToken({ branch: 'main' })}\n`);
      const before = server.audit.length;
      const r = await run(c.cli.path, ['sts', 'get-caller-identity', '--output', 'json', '--cli-connect-timeout', '5'], {
        env: {
          ...sb.env,
          AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
          AWS_ROLE_ARN: roleArn('deploy-main'),
          AWS_ROLE_SESSION_NAME: 'implicit-v2',
          AWS_ENDPOINT_URL_STS: server.url,
          // Anything not sent to the emulator (127.0.0.1, exempt) goes to the trap instead of the internet.
          HTTPS_PROXY: trap.url,
          HTTP_PROXY: trap.url,
          NO_PROXY: '127.0.0.1,localhost',
          AWS_MAX_ATTEMPTS: '1',
        },
        timeoutMs: 60_000,
      });
      const reached = server.audit.slice(before).map((a) => a.action);
      if (c.honours) {
        assert.equal(r.code, 0, outcome(r));
        assert.equal(json<{ Arn: string }>(r).Arn, 'arn:aws:sts::123456789012:assumed-role/deploy-main/implicit-v2');
        assert.deepEqual(reached, ['AssumeRoleWithWebIdentity', 'GetCallerIdentity']);
        assert.deepEqual(trap.seen, []);
      } else {
        assert.notEqual(r.code, 0, outcome(r));
        assert.deepEqual(reached, [], 'the emulator was never called');
        assert.ok(trap.seen.length >= 1, outcome(r));
        for (const line of trap.seen) assert.match(line, /^CONNECT sts\.us-east-1\.amazonaws\.com:443 HTTP\/1\.[01]$/);
        assert.match(r.stderr, /proxy/i);
      }
    });
  }
});
