/**
 * Concurrency on a listening server: 200 simultaneous requests with distinct tokens all succeed, each answer
 * belongs to its own request (session name and subject), credentials and request ids are all distinct, and
 * the audit log has one record per request. A mixed burst (allow, deny, errors) keeps every answer correct.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { circleToken, form, startServer, webIdentityParams } from '../helpers/harness.js';
import { parseXml } from './helpers.js';

// The one server, as `serve` runs it.
const oneServer = await startServer();
after(() => oneServer.close());
const listeners = [{ name: 'server', server: oneServer }] as const;

interface Answer {
  status: number;
  requestIdHeader: string | null;
  contentType: string | null;
  text: string;
}

async function send(url: string, body: string): Promise<Answer> {
  const res = await fetch(url + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  return {
    status: res.status,
    requestIdHeader: res.headers.get('x-amzn-requestid'),
    contentType: res.headers.get('content-type'),
    text: await res.text(),
  };
}

type Doc = Record<string, Record<string, unknown>>;

for (const { name, server } of listeners) {
  test(`${name}: 200 concurrent requests with distinct tokens all succeed, each with its own answer`, async () => {
    const n = 200;
    const tokens = await Promise.all(Array.from({ length: n }, (_, i) => circleToken({ branch: 'main', userId: `user-${i}` })));
    const before = server.audit.length;
    const answers = await Promise.all(tokens.map((t, i) => send(server.url, form(webIdentityParams(t, 'deploy-main', `conc-${i}`)))));
    const keys = new Set<string>();
    const ids = new Set<string>();
    for (const [i, a] of answers.entries()) {
      assert.equal(a.status, 200, a.text);
      assert.equal(a.contentType, 'text/xml');
      const doc = (await parseXml(a.text)) as Doc;
      const result = doc['AssumeRoleWithWebIdentityResponse']?.['AssumeRoleWithWebIdentityResult'] as Record<
        string,
        Record<string, string>
      >;
      assert.equal(result['AssumedRoleUser']?.['Arn'], `arn:aws:sts::123456789012:assumed-role/deploy-main/conc-${i}`);
      assert.match(String(result['SubjectFromWebIdentityToken']), new RegExp(`/user/user-${i}/`));
      keys.add(result['Credentials']?.['AccessKeyId'] ?? '');
      const rid = (doc['AssumeRoleWithWebIdentityResponse']?.['ResponseMetadata'] as Record<string, string>)['RequestId'] ?? '';
      assert.equal(a.requestIdHeader, rid);
      ids.add(rid);
    }
    assert.equal(keys.size, n, 'distinct access keys');
    assert.equal(ids.size, n, 'distinct request ids');
    const records = server.audit.slice(before);
    assert.equal(records.length, n);
    assert.deepEqual(new Set(records.map((r) => r.requestId)), ids);
    assert.ok(records.every((r) => r.decision === 'allow'));
  });

  test(`${name}: a mixed concurrent burst: allows, denials and errors each get the right answer`, async () => {
    const kinds = ['allow', 'deny', 'validation', 'token'] as const;
    const jobs = await Promise.all(
      Array.from({ length: 120 }, async (_, i) => {
        const kind = kinds[i % kinds.length] as (typeof kinds)[number];
        const session = `mix-${i}`;
        const body =
          kind === 'allow'
            ? form(webIdentityParams(await circleToken({ branch: 'main', userId: `u${i}` }), 'deploy-main', session))
            : kind === 'deny'
              ? form(webIdentityParams(await circleToken({ branch: `b${i}`, userId: `u${i}` }), 'deploy-main', session))
              : kind === 'validation'
                ? form(webIdentityParams('abcd', 'deploy-main', `bad session ${i}`))
                : form(webIdentityParams(`x.${i}.y`, 'deploy-main', session));
        return { kind, i, body };
      }),
    );
    const answers = await Promise.all(jobs.map((j) => send(server.url, j.body)));
    for (const [k, a] of answers.entries()) {
      const j = jobs[k] as (typeof jobs)[number];
      const doc = (await parseXml(a.text)) as Doc;
      if (j.kind === 'allow') {
        assert.equal(a.status, 200);
        const arn = (
          doc['AssumeRoleWithWebIdentityResponse']?.['AssumeRoleWithWebIdentityResult'] as Record<string, Record<string, string>>
        )['AssumedRoleUser']?.['Arn'];
        assert.equal(arn, `arn:aws:sts::123456789012:assumed-role/deploy-main/mix-${j.i}`);
      } else {
        const err = doc['ErrorResponse']?.['Error'] as Record<string, string>;
        const expected = { deny: [403, 'AccessDenied'], validation: [400, 'ValidationError'], token: [400, 'InvalidIdentityToken'] }[
          j.kind
        ];
        assert.equal(a.status, expected[0]);
        assert.equal(err['Code'], expected[1]);
        if (j.kind === 'validation') assert.match(err['Message'] ?? '', new RegExp(`Value 'bad session ${j.i}'`));
      }
    }
  });
}
