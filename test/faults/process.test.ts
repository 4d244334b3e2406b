/**
 * Process life (issue "Never down, never silent", items 9-12): SIGTERM answers and audits the requests in flight and
 * exits 0; SIGHUP reloads the configuration instead of killing the server; an audit log that cannot be opened stops the start, one that cannot be
 * written is reported once and counted while the server keeps serving; connections over the limit are closed.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { circleToken, DEMO_POLICIES, form, REPO_ROOT, startServer, webIdentityParams } from '../helpers/harness.js';
import { sendJson, startServer as startIdp } from '../helpers/identity-server.js';
import { makeKey, signRaw } from '../helpers/identity-tokens.js';
import { CLI_ENTRY } from '../helpers/cli-entry.js';

const MAIN = CLI_ENTRY;
const tmp = await mkdtemp(join(tmpdir(), 'sts-emulator-faults-'));
after(() => rm(tmp, { recursive: true, force: true }));

interface Serving {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

/** Starts `serve` on a free port and waits for its ready line. */
async function serve(args: readonly string[]): Promise<Serving> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('STS_EMULATOR_')) env[k] = v;
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => void (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^ ]+)/.exec(out);
      if (m !== null) resolve(m[1] as string);
    });
    void exited.then((code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return { child, url, stderr: () => err, exited };
}

/** Whether a connection to the port is accepted (closed at once, before any request). */
const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

const post = (url: string, body: string): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    signal: AbortSignal.timeout(20_000),
  });

// ---- 9. SIGTERM with requests in flight ----

test('SIGTERM with 30 requests waiting on a slow JWKS: every one is answered and audited, then exit 0', { timeout: 30_000 }, async () => {
  const key = await makeKey('rsa', 'slow-key');
  // The JWKS is held until the server has taken the signal (not a fixed 1.5 s): every request is still waiting then.
  let released = false;
  const held: (() => void)[] = [];
  const idp = await startIdp((_req, res) => {
    const answer = (): void => sendJson(res, { keys: [{ ...key.jwk, alg: 'RS256', use: 'sig' }] });
    if (released) answer();
    else held.push(answer);
  });
  const dir = join(tmp, 'slow-idp');
  await mkdir(join(dir, 'providers'), { recursive: true });
  await mkdir(join(dir, 'roles'), { recursive: true });
  const issuer = 'https://slow-idp.example.test';
  await writeFile(
    join(dir, 'providers', 'slow.json'),
    JSON.stringify({ Url: issuer, ClientIDList: ['sts.amazonaws.com'], JwksUri: `${idp.url}/jwks` }),
  );
  const federated = 'arn:aws:iam::123456789012:oidc-provider/slow-idp.example.test';
  await writeFile(
    join(dir, 'roles', 'slow.json'),
    JSON.stringify({
      RoleName: 'slow',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: federated }, Action: 'sts:AssumeRoleWithWebIdentity' }],
      },
    }),
  );
  const auditFile = join(tmp, 'slow-audit.log');
  const s = await serve(['--policies', dir, '--audit-log', auditFile]);
  try {
    const now = Math.floor(Date.now() / 1000);
    const answers = Array.from({ length: 30 }, (_, i) => {
      const token = signRaw(
        JSON.stringify({ alg: 'RS256', kid: key.kid }),
        JSON.stringify({ iss: issuer, sub: `job-${i}`, aud: 'sts.amazonaws.com', iat: now, exp: now + 600 }),
        'RS256',
        key.privateKey,
      );
      return post(s.url, form({ ...webIdentityParams(token, 'slow', `s-${i}`) })).then(async (r) => ({
        status: r.status,
        text: await r.text(),
      }));
    });
    await new Promise((r) => setTimeout(r, 400)); // every request is now waiting on the JWKS
    s.child.kill('SIGTERM');
    // It has taken the signal once it stops listening: a new connection is refused.
    const port = Number(new URL(s.url).port);
    while (await accepts(port)) await new Promise((r) => setTimeout(r, 10));
    released = true;
    for (const answer of held.splice(0)) answer();
    const done = await Promise.all(answers);
    for (const d of done) assert.equal(d.status, 200, d.text);
    assert.equal(await s.exited, 0, s.stderr());
    const lines = (await readFile(auditFile, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 30);
    for (const l of lines) assert.equal((JSON.parse(l) as { decision: string }).decision, 'allow');
  } finally {
    s.child.kill('SIGKILL');
    await idp.close();
  }
});

// ---- 10. SIGHUP ----

test('SIGHUP does not stop the server: it reloads the policies directory and says so', async () => {
  const s = await serve(['--policies', DEMO_POLICIES]);
  try {
    s.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 200));
    const res = await post(s.url, form(webIdentityParams(await circleToken({ branch: 'main' }))));
    assert.equal(res.status, 200);
    await res.text();
    assert.equal(s.child.exitCode, null);
    assert.match(s.stderr(), /configuration reloaded \(\d+ roles, \d+ providers\)/);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  } finally {
    s.child.kill('SIGKILL');
  }
});

// ---- 11. the audit log ----

for (const [name, target, why] of [
  ['in a missing directory', () => join(tmp, 'no', 'such', 'dir', 'audit.log'), /cannot open --audit-log .*: ENOENT/],
  ['a directory', () => tmp, /cannot open --audit-log .*: EISDIR/],
] as const) {
  test(`an audit log that cannot be opened (${name}) stops the start: exit 2, one line`, async () => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--policies', DEMO_POLICIES, '--audit-log', target()], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.equal(out, '', 'no ready line');
    assert.match(err, why);
    assert.equal(err.trim().split('\n').length, 1, err);
  });
}

test(
  'an audit log that cannot be written (a full disk): reported once, the server keeps serving, lost records counted at stop',
  { timeout: 20_000 },
  async () => {
    const s = await serve(['--policies', DEMO_POLICIES, '--audit-log', '/dev/full']);
    try {
      const token = await circleToken({ branch: 'main' });
      for (let i = 0; i < 5; i++) {
        const res = await post(s.url, form(webIdentityParams(token)));
        assert.equal(res.status, 200);
        await res.text();
      }
      s.child.kill('SIGTERM');
      assert.equal(await s.exited, 0);
      const reports = s
        .stderr()
        .split('\n')
        .filter((l) => l.includes('audit log /dev/full: ENOSPC'));
      assert.equal(reports.length, 1, s.stderr());
      assert.match(s.stderr(), /5 audit records could not be written to \/dev\/full/);
    } finally {
      s.child.kill('SIGKILL');
    }
  },
);

// ---- 12. the connection cap ----

test('connections over --max-connections are closed as they arrive; the ones within are served', async () => {
  const server = await startServer({ maxConnections: 3 });
  const idle: net.Socket[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      idle.push(
        await new Promise<net.Socket>((resolve) => {
          const s = net.connect(server.port, '127.0.0.1', () => resolve(s));
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 50));
    const refused = await new Promise<string>((resolve) => {
      let data = '';
      const s = net.connect(server.port, '127.0.0.1', () =>
        s.write('GET /?Action=GetCallerIdentity&Version=2011-06-15 HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      s.on('data', (d) => void (data += d.toString()));
      s.on('error', () => undefined);
      s.on('close', () => resolve(data));
    });
    assert.equal(refused, '', 'the fourth connection is closed without an answer');
    idle[0]?.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const res = await fetch(`${server.url}/?Action=GetCallerIdentity&Version=2011-06-15`, { headers: { connection: 'close' } });
    assert.equal(res.status, 403);
    await res.text();
  } finally {
    for (const s of idle) s.destroy();
    await server.close();
  }
});

test('serve --max-connections: a usage error when not a positive number', async () => {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--policies', DEMO_POLICIES, '--max-connections', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
  assert.equal(await new Promise<number | null>((resolve) => child.once('exit', resolve)), 2);
  assert.match(err, /--max-connections must be a whole number from 1, got '0'/);
});
