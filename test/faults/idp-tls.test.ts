/**
 * An IdP on https with a self-signed certificate (item 7): `serve` trusts it when started with NODE_EXTRA_CA_CERTS
 * naming the certificate (node reads the variable at process start, so the emulator runs as a process), and
 * refuses its keys without it. The certificate is made with the openssl command (node cannot make X.509
 * certificates); without openssl the test is skipped, saying so.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ACCOUNT, form, REPO_ROOT, webIdentityParams } from '../helpers/harness.js';
import { CLIENT_ID, jwks, makeKey, makeToken } from '../helpers/identity-tokens.js';
import { CLI_ENTRY } from '../helpers/cli-entry.js';

const MAIN = CLI_ENTRY;
const opensslMissing = spawnSync('openssl', ['version']).status !== 0;
const skip = opensslMissing ? 'openssl not found: cannot make a self-signed certificate for the https IdP' : false;

const key = await makeKey('rsa', 'tls-key');
let dir = '';
let idp: Server | undefined;
let issuer = '';

before(async () => {
  if (skip !== false) return;
  dir = await mkdtemp(join(tmpdir(), 'sts-idp-tls-'));
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'idp.key'),
      '-out',
      join(dir, 'idp.crt'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
  idp = createServer({ key: await readFile(join(dir, 'idp.key')), cert: await readFile(join(dir, 'idp.crt')) }, (req, res) => {
    const body =
      req.url === '/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/jwks` }
        : req.url === '/jwks'
          ? jwks(key)
          : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => idp?.listen(0, '127.0.0.1', resolve));
  const { port } = idp.address() as AddressInfo;
  issuer = `https://127.0.0.1:${port}`;
  await mkdir(join(dir, 'policies', 'providers'), { recursive: true });
  await mkdir(join(dir, 'policies', 'roles'), { recursive: true });
  await writeFile(join(dir, 'policies', 'providers', 'tls-idp.json'), JSON.stringify({ Url: issuer, ClientIDList: [CLIENT_ID] }));
  const statement = {
    Effect: 'Allow',
    Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/127.0.0.1:${port}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
  };
  await writeFile(
    join(dir, 'policies', 'roles', 'tls-reader.json'),
    JSON.stringify({ RoleName: 'tls-reader', AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [statement] } }),
  );
});

after(async () => {
  if (idp !== undefined) {
    idp.closeAllConnections();
    await new Promise((resolve) => idp?.close(resolve));
  }
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** Runs `serve` with `env`, sends one AssumeRoleWithWebIdentity, stops it; resolves with the status and body. */
async function exchange(env: NodeJS.ProcessEnv): Promise<{ status: number; body: string }> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--policies', join(dir, 'policies')], {
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${out} ${err}`)), 15_000);
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${String(code)}: ${err}`)));
    });
    const now = Math.floor(Date.now() / 1000);
    const token = makeToken({ key, claims: { iss: issuer, aud: CLIENT_ID, sub: 'tls-test', iat: now, exp: now + 600 } });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form(webIdentityParams(token, 'tls-reader')),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: await res.text() };
  } finally {
    child.kill('SIGTERM');
  }
}

test('a self-signed https IdP (discovery and JWKS) is trusted with NODE_EXTRA_CA_CERTS', { skip }, async () => {
  const { status, body } = await exchange({ NODE_EXTRA_CA_CERTS: join(dir, 'idp.crt') });
  assert.equal(status, 200, body);
  assert.match(body, /<AssumeRoleWithWebIdentityResult>/);
  assert.match(body, /<SubjectFromWebIdentityToken>tls-test<\/SubjectFromWebIdentityToken>/);
});

test('without NODE_EXTRA_CA_CERTS the self-signed IdP is not trusted: "Couldn\'t retrieve verification key"', { skip }, async () => {
  const { status, body } = await exchange({});
  assert.equal(status, 400, body);
  assert.match(body, /<Code>InvalidIdentityToken<\/Code>/);
  assert.match(body, /retrieve verification key from your identity provider/);
});
