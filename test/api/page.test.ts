/**
 * The demo page's routes and JSON (src/api/page.ts, src/server/page-routes.ts), without a browser: the configuration
 * view (every role of policies/, lint findings next to their condition, presets from their schemas), the page and
 * its files with their headers, tokens for the form (hostile specs are 4xx JSON), one decision's trace, the live
 * stream (initial list, new decisions, cleared, ended by stop), the loopback-name check, and the admin token's login.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, test } from 'node:test';
import { pageConfig, pageTokenSpec } from '../../src/api/page.js';
import { IssuerChoiceError } from '../../src/api/issuers.js';
import { loadConfig } from '../../src/config/index.js';
import { PRESETS } from '../../src/identity/index.js';
import { startEmulator, type Emulator } from '../../src/index.js';
import { ACCOUNT, DEMO_POLICIES } from '../helpers/harness.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const demoRoleNames = (): string[] =>
  readdirSync(join(DEMO_POLICIES, 'roles'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const doc = JSON.parse(readFileSync(join(DEMO_POLICIES, 'roles', f), 'utf8')) as { RoleName?: string; Role?: { RoleName: string } };
      return (doc.Role?.RoleName ?? doc.RoleName) as string;
    })
    .sort();

async function assume(emu: Emulator, role: string, token: string): Promise<{ status: number; requestId: string; text: string }> {
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: emu.roleArn(role),
    RoleSessionName: 'page',
    WebIdentityToken: token,
  });
  const res = await fetch(emu.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const text = await res.text();
  return { status: res.status, requestId: /<RequestId>([^<]+)<\/RequestId>/.exec(text)?.[1] ?? '', text };
}

/** A GET with a Host header of our choosing (fetch does not let a caller set it). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const emu = await startEmulator();
after(() => emu.stop());
const page = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${emu.endpoint}/_emulator/${path}`, init);

test('pageConfig: every role of policies/ with its ARN, duration and statements; lint findings beside their condition', async () => {
  const config = await loadConfig(DEMO_POLICIES, { accountId: ACCOUNT });
  const view = await pageConfig(config, 'us-east-1');
  assert.deepEqual(view.roles.map((r) => r.name).sort(), demoRoleNames());
  const deploy = view.roles.find((r) => r.name === 'deploy-main');
  assert.equal(deploy?.arn, 'arn:aws:iam::123456789012:role/deploy-main');
  assert.equal(deploy?.maxSessionDuration, 7200);
  assert.deepEqual(deploy?.presets, ['circleci'], 'the preset of the emulated issuer it trusts');
  const sub = deploy?.statements[0]?.conditions.find((c) => c.key.endsWith(':sub'));
  assert.equal(sub?.operator, 'StringLike');
  assert.equal(
    sub?.path,
    'Role.AssumeRolePolicyDocument.Statement[0].Condition.StringLike["oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d:sub"]',
  );
  assert.ok(
    sub?.findings.some((f) => f.rule === 'sub-wildcard-spans-branch'),
    `the finding sits on the sub condition: ${JSON.stringify(deploy?.statements, null, 1)}`,
  );
  // Every finding of the configuration is shown exactly once, at the deepest place that holds it.
  const shown = view.roles.flatMap((r) => [
    ...r.findings,
    ...r.statements.flatMap((s) => [...s.findings, ...s.conditions.flatMap((c) => c.findings)]),
  ]);
  const { lintConfig } = await import('../../src/lint/index.js');
  assert.equal(shown.length, lintConfig(config).length);
  for (const r of view.roles)
    for (const s of r.statements) for (const c of s.conditions) for (const f of c.findings) assert.ok(f.path.startsWith(c.path), f.path);
});

test('pageConfig: providers with where their keys come from; presets from their option schemas', async () => {
  const view = await pageConfig(await loadConfig(DEMO_POLICIES, { accountId: ACCOUNT }), 'eu-west-1');
  assert.equal(view.region, 'eu-west-1');
  const circle = view.providers.find((p) => p.url.startsWith('https://oidc.circleci.com/'));
  assert.equal(circle?.keys.kind, 'emulated');
  assert.equal(circle?.preset, 'circleci');
  assert.deepEqual(
    view.presets.map((p) => p.name),
    [...PRESETS],
  );
  const circleci = view.presets.find((p) => p.name === 'circleci');
  assert.ok(circleci?.options.some((o) => o.name === 'branch' && o['kind'] === 'string' && o['flag'] === 'branch'));
  assert.ok(circleci?.options.some((o) => o.name === 'v1' && o['kind'] === 'boolean' && o['default'] === false));
});

const SPECS: readonly { name: string; body: unknown; message?: RegExp }[] = [
  { name: 'a preset name', body: { preset: 'circleci' } },
  { name: 'a preset with options and claims', body: { preset: { name: 'github', environment: 'prod' }, claims: { x: 1 } } },
  { name: 'not an object', body: [1], message: /must be a JSON object/ },
  { name: 'null', body: null, message: /must be a JSON object/ },
  { name: 'an unknown field', body: { preset: 'circleci', ttlSeconds: 1e12 }, message: /unknown field "ttlSeconds"/ },
  { name: 'a preset without a name', body: { preset: { branch: 'main' } }, message: /preset must be a preset name/ },
  { name: 'claims not an object', body: { claims: 'x' }, message: /claims must be a JSON object/ },
  { name: 'issuer not a string', body: { preset: 'circleci', issuer: 1 }, message: /issuer must be a string/ },
  { name: 'nothing to mint', body: {}, message: /give preset or claims/ },
];
for (const c of SPECS) {
  test(`pageTokenSpec: ${c.name}`, () => {
    if (c.message === undefined) assert.doesNotThrow(() => pageTokenSpec(c.body));
    else
      assert.throws(
        () => pageTokenSpec(c.body),
        (e: unknown) => e instanceof IssuerChoiceError && c.message!.test(e.message),
      );
  });
}

test('GET /_emulator/ui: the page, with a policy that allows only its own scripts, styles and connections', async () => {
  const res = await page('ui');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
  assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const html = await res.text();
  assert.match(html, /<script type="module" src="\/_emulator\/ui\/assets\/app\.js"><\/script>/);
  assert.doesNotMatch(html, /https?:\/\//, 'nothing from elsewhere: no CDN, no web font');
  for (const [asset, type] of [
    ['app.js', /^text\/javascript/],
    ['page.css', /^text\/css/],
  ] as const) {
    const a = await page(`ui/assets/${asset}`);
    assert.equal(a.status, 200, asset);
    assert.match(a.headers.get('content-type') ?? '', type);
    assert.doesNotMatch(await a.text(), /https?:\/\/(?!127\.0\.0\.1)/, `${asset} fetches nothing from elsewhere`);
  }
});

test("the page's files: only the built scripts and the styles, by plain names", async () => {
  for (const path of [
    'ui/assets/nope.js',
    'ui/assets/App.js',
    'ui/assets/app.js.map',
    'ui/assets/..%2Fpackage.json',
    'ui/assets/index.html',
  ]) {
    const res = await page(path);
    assert.equal(res.status, 404, path);
    assert.equal(((await res.json()) as { error: string }).error, 'NotFound');
  }
});

test('GET /_emulator/ui/config: the configuration in force, as pageConfig shows it', async () => {
  const res = await page('ui/config');
  assert.equal(res.status, 200);
  const body = (await res.json()) as { roles: { name: string }[]; region: string; accountId: string };
  assert.deepEqual(body.roles.map((r) => r.name).sort(), demoRoleNames());
  assert.equal(body.region, 'us-east-1');
  assert.equal(body.accountId, '123456789012');
});

test('POST /_emulator/ui/token: a token from the built-in issuer, with its claims; only JSON, hostile specs are 4xx JSON', async () => {
  const json = (body: string, type = 'application/json'): Promise<Response> =>
    page('ui/token', { method: 'POST', headers: { 'content-type': type }, body });
  const ok = await json(JSON.stringify({ preset: { name: 'circleci', branch: 'main' } }));
  assert.equal(ok.status, 200);
  const minted = (await ok.json()) as { token: string; issuer: string; claims: Record<string, unknown> };
  assert.match(minted.issuer, /^https:\/\/oidc\.circleci\.com\/org\//);
  assert.equal(minted.claims['oidc.circleci.com/vcs-ref'], 'refs/heads/main');
  assert.equal((await assume(emu, 'deploy-main', minted.token)).status, 200, 'the token is accepted');
  const cases: readonly [string, string, number, RegExp][] = [
    ['{"preset":"circleci"}', 'text/plain', 415, /application\/json/],
    ['{"preset":"circleci"}', 'application/x-www-form-urlencoded', 415, /application\/json/],
    ['{"preset":', 'application/json', 400, /./],
    ['{"preset":"nope"}', 'application/json', 400, /unknown preset 'nope'/],
    ['{"preset":{"name":"circleci","branch":"a","ref":"refs/heads/b"}}', 'application/json', 400, /give branch or ref, not both/],
    ['{"preset":{"name":"circleci","v1":"yes"}}', 'application/json', 400, /preset\.v1: must be true or false/],
    ['{"preset":"circleci","issuer":"https://nowhere.example"}', 'application/json', 400, /no emulated issuer/],
    [JSON.stringify({ claims: { pad: 'x'.repeat(70_000) } }), 'application/json', 413, /./],
  ];
  for (const [body, type, status, message] of cases) {
    const res = await json(body, type);
    assert.equal(res.status, status, `${type} ${body.slice(0, 60)}`);
    const answer = (await res.json()) as { error: string; message: string };
    assert.match(answer.message, message, body.slice(0, 60));
  }
});

test('GET /_emulator/decisions/<request id>: the kept decision with explain and what decided it; 404 when not kept', async () => {
  const denied = await assume(emu, 'deploy-main', await emu.mintToken({ preset: { name: 'circleci', branch: 'feature/x' } }));
  assert.equal(denied.status, 403);
  const res = await page(`decisions/${denied.requestId}`);
  assert.equal(res.status, 200);
  const d = (await res.json()) as {
    record: { requestId: string; decision: string; trace?: unknown };
    evaluation: { statements: { conditions: { key: string; result: boolean }[] }[] };
    text: string;
    deciding: { kind: string; statement: number; condition?: number }[];
  };
  assert.equal(d.record.requestId, denied.requestId);
  assert.equal(d.record.decision, 'deny');
  assert.equal(d.record.trace, undefined, 'the trace once, as evaluation');
  assert.match(
    d.text,
    /^Result: DENY AccessDenied \(HTTP 403\): Not authorized to perform sts:AssumeRoleWithWebIdentity\nWhy: Statement\[0\]: StringLike /,
  );
  assert.match(d.text, /\nTrust policy:\n  Decision: /);
  assert.deepEqual(d.deciding, [{ kind: 'condition', statement: 0, condition: 1 }]);
  const deciding = d.evaluation.statements[0]?.conditions[1];
  assert.match(deciding?.key ?? '', /:sub$/);
  assert.equal(deciding?.result, false);
  const missing = await page('decisions/00000000-0000-0000-0000-000000000000');
  assert.equal(missing.status, 404);
  assert.match(((await missing.json()) as { message: string }).message, /no kept decision/);
});

/** The events of a stream as they come, read from fetch's body. */
function events(res: Response): { next(): Promise<{ event: string; data: unknown } | undefined> } {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) continue; // a ping
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          return { event, data: data === undefined ? undefined : (JSON.parse(data) as unknown) };
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}

test('GET /_emulator/decisions/stream: the kept decisions, then each new one (without its trace), cleared, and the end at stop', async () => {
  const own = await startEmulator();
  try {
    await assume(own, 'deploy-main', await own.mintToken({ preset: { name: 'circleci', branch: 'main' } }));
    const res = await fetch(`${own.endpoint}/_emulator/decisions/stream`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const stream = events(res);
    const initial = (await stream.next()) as { event: string; data: { records: { decision: string }[]; initial: boolean } };
    assert.equal(initial.event, 'decisions');
    assert.equal(initial.data.initial, true);
    assert.deepEqual(
      initial.data.records.map((r) => r.decision),
      ['allow'],
    );
    const denied = await assume(own, 'deploy-main', await own.mintToken({ preset: { name: 'circleci', branch: 'feature/x' } }));
    const next = (await stream.next()) as { event: string; data: { records: Record<string, unknown>[]; skipped: number } };
    assert.equal(next.event, 'decisions');
    assert.equal(next.data.records.length, 1);
    assert.equal(next.data.records[0]?.['requestId'], denied.requestId);
    assert.equal(next.data.records[0]?.['decision'], 'deny');
    assert.equal('trace' in (next.data.records[0] ?? {}), false, 'the list has no traces; the page reads one when it is opened');
    const reset = await fetch(`${own.endpoint}/_emulator/reset`, { method: 'POST' });
    assert.equal(reset.status, 204);
    assert.equal((await stream.next())?.event, 'cleared');
    const started = Date.now();
    await own.stop({ graceMs: 5_000 });
    assert.equal(await stream.next(), undefined, 'the stream ended');
    assert.ok(Date.now() - started < 2_000, 'an open stream does not hold the stop for its grace');
  } finally {
    await own.stop();
  }
});

test('without an admin token, the page answers Host names of the loopback interface only', async () => {
  const url = `${emu.endpoint}/_emulator/ui`;
  for (const host of [`127.0.0.1:${emu.port}`, `localhost:${emu.port}`, `app.localhost:${emu.port}`, `[::1]:${emu.port}`, 'localhost'])
    assert.equal((await getWithHost(url, host)).status, 200, host);
  for (const host of [`attacker.example:${emu.port}`, `127.0.0.1.attacker.example`, `localhost.attacker.example`, '10.0.0.1'])
    assert.equal((await getWithHost(url, host)).status, 403, host);
  for (const path of ['ui/config', 'decisions/stream', 'decisions/x'])
    assert.equal((await getWithHost(`${emu.endpoint}/_emulator/${path}`, 'attacker.example')).status, 403, path);
});

test('with an admin token: the page needs it; ?token= sets an HttpOnly SameSite=Strict cookie and drops it from the address', async () => {
  const token = 'a-page-admin-token-0123456789';
  const locked = await startEmulator({ adminToken: token });
  try {
    const url = (p: string): string => `${locked.endpoint}/_emulator/${p}`;
    assert.equal((await fetch(url('ui'))).status, 401);
    assert.equal((await fetch(url(`ui?token=${token}x`), { redirect: 'manual' })).status, 401);
    const login = await fetch(url(`ui?token=${encodeURIComponent(token)}`), { redirect: 'manual' });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/_emulator/ui');
    const cookie = login.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^sts-emulator-admin=[^;]+; Path=\/_emulator\/; HttpOnly; SameSite=Strict$/);
    const jar = cookie.split(';')[0] as string;
    for (const p of ['ui', 'ui/config', 'config', 'ui/assets/app.js'])
      assert.equal((await fetch(url(p), { headers: { cookie: jar } })).status, 200, p);
    assert.equal((await fetch(url('ui/config'), { headers: { cookie: `${jar}x` } })).status, 401);
    assert.equal((await fetch(url('ui/config'), { headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.equal((await getWithHost(url('ui'), 'attacker.example')).status, 401, 'any Host, but the token decides');
  } finally {
    await locked.stop();
  }
});

test("a kept decision's text is explain's, less what a record does not keep (the matched provider, the audience)", async () => {
  for (const preset of [{ branch: 'main' }, { branch: 'feature/x' }, { branch: 'main', v1: true }]) {
    const token = await emu.mintToken({ preset: { name: 'circleci', ...preset } });
    const sent = await assume(emu, 'deploy-main', token);
    const kept = (await (await page(`decisions/${sent.requestId}`)).json()) as { text: string };
    const explained = (await emu.decide({ role: 'deploy-main', token })).explain;
    const lessened = explained
      .split('\n')
      .filter((l) => !l.startsWith('Audience: '))
      .map((l) => l.replace(/^Provider: iss (\S+) matched .*$/, 'Issuer: $1'))
      .join('\n');
    assert.equal(kept.text, lessened, JSON.stringify(preset));
  }
});

test("a kept decision carries explain's near misses (a CircleCI V1 token against deploy-main's V2 pattern)", async () => {
  const sent = await assume(emu, 'deploy-main', await emu.mintToken({ preset: { name: 'circleci', branch: 'main', v1: true } }));
  assert.equal(sent.status, 403);
  const kept = (await (await page(`decisions/${sent.requestId}`)).json()) as { record: { nearMisses: string[] }; text: string };
  assert.equal(kept.record.nearMisses.length, 1);
  assert.match(kept.record.nearMisses[0] ?? '', /V1 form/);
  assert.ok(kept.text.endsWith(`\nNear miss: ${kept.record.nearMisses[0]}`));
});
