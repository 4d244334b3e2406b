/**
 * The audit log and the reason header (docs/audit-log.md): one record per decision,
 * its requestId equal to the response's, role / sessionName / subject / issuer, decision allow|deny|error,
 * the error code and message exactly as sent, the reason (= x-sts-emulator-reason) and the policy trace
 * for denials; tokens and credentials never logged.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Response } from 'supertest';
import { REASON_HEADER, type AuditRecord } from '../../src/server/index.js';
import { buildApp, startServer, circleToken, CIRCLE_ISSUER, CIRCLE_ORG, form, roleArn, webIdentityParams } from '../helpers/harness.js';
import { credentialsOf, expectAssumed, expectError, postForm, raw, roleFile, signedPost, stsXml, tempPolicies } from '../server/helpers.js';

const T = new Date('2026-03-01T10:00:00Z');
const CIRCLE = `oidc.circleci.com/org/${CIRCLE_ORG}`;
const FEDERATED = `arn:aws:iam::123456789012:oidc-provider/${CIRCLE}`;

const policies = await tempPolicies({
  'deploy-main': roleFile(
    'deploy-main',
    [
      {
        Effect: 'Allow',
        Principal: { Federated: FEDERATED },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${CIRCLE}:aud`]: CIRCLE_ORG }, StringLike: { [`${CIRCLE}:sub`]: '*/vcs-ref/refs/heads/main' } },
      },
    ],
    { Path: '/ci/' },
  ),
  'no-feature': roleFile('no-feature', [
    { Effect: 'Allow', Principal: { Federated: FEDERATED }, Action: 'sts:AssumeRoleWithWebIdentity' },
    {
      Effect: 'Deny',
      Principal: { Federated: FEDERATED },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { [`${CIRCLE}:sub`]: '*/vcs-ref/refs/heads/feature/*' } },
    },
  ]),
});
after(() => policies.remove());

const { app, audit, runtime } = await buildApp({ policies: policies.dir, clock: () => T });
const token = (branch: string): Promise<string> => circleToken({ branch }, {}, T);

/** Sends, then returns the response and the one audit record it produced. */
async function decided(send: () => Promise<Response>): Promise<{ res: Response; rec: AuditRecord }> {
  const before = audit.length;
  const res = await send();
  assert.equal(audit.length, before + 1, 'exactly one audit record per request');
  const rec = audit[before] as AuditRecord;
  assert.equal(rec.requestId, res.headers['x-amzn-requestid']);
  assert.equal(rec.requestId, (await stsXml(res)).requestId);
  assert.equal(rec.time, T.toISOString(), 'the audit time comes from the injected clock');
  return { res, rec };
}

interface Trace {
  decision: string;
  statements: { index: number; effect: string; applies: boolean; conditions: { operator: string; key: string; result: boolean }[] }[];
}

test('allow: role (resolved ARN), session, subject, issuer, decision allow, the allowing trace; no reason', async () => {
  const { res, rec } = await decided(async () => postForm(app, form(webIdentityParams(await token('main'), 'deploy-main', 'audit-ok'))));
  await expectAssumed(res);
  assert.equal(res.headers[REASON_HEADER], undefined);
  assert.equal(rec.action, 'AssumeRoleWithWebIdentity');
  assert.equal(rec.role, 'arn:aws:iam::123456789012:role/ci/deploy-main', 'the role as found, path included');
  assert.equal(rec.sessionName, 'audit-ok');
  assert.match(rec.subject ?? '', /\/vcs-ref\/refs\/heads\/main$/);
  assert.equal(rec.issuer, CIRCLE_ISSUER);
  assert.equal(rec.decision, 'allow');
  assert.equal(rec.errorCode, null);
  assert.equal(rec.message, null);
  assert.equal(rec.reason, null);
  assert.equal((rec.trace as Trace).decision, 'allow');
});

test('deny (no Allow applies): the trace and a reason header that names the failing condition', async () => {
  const { res, rec } = await decided(async () => postForm(app, form(webIdentityParams(await token('dev'), 'deploy-main', 'audit-dev'))));
  await expectError(res, 403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
  const reason = String(res.headers[REASON_HEADER]);
  assert.match(
    reason,
    new RegExp(
      `^Statement\\[0\\]: StringLike ${CIRCLE.replace(/[./]/g, '\\$&')}:sub is false \\(context \\[".*/vcs-ref/refs/heads/dev"\\], policy \\["\\*/vcs-ref/refs/heads/main"\\]\\)$`,
    ),
  );
  assert.equal(rec.decision, 'deny');
  assert.equal(rec.errorCode, 'AccessDenied');
  assert.equal(rec.message, 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
  assert.equal(rec.reason, reason);
  assert.equal(rec.role, 'arn:aws:iam::123456789012:role/ci/deploy-main');
  assert.equal(rec.sessionName, 'audit-dev');
  assert.match(rec.subject ?? '', /refs\/heads\/dev$/);
  const trace = rec.trace as Trace;
  assert.equal(trace.decision, 'implicitDeny');
  const failed = trace.statements[0]?.conditions.find((c) => !c.result);
  assert.equal(failed?.operator, 'StringLike');
  assert.equal(failed?.key, `${CIRCLE}:sub`);
});

test('deny (explicit Deny): the reason names the Deny statement', async () => {
  const { res, rec } = await decided(async () =>
    postForm(app, form(webIdentityParams(await token('feature/x'), 'no-feature', 'audit-feat'))),
  );
  await expectError(res, 403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
  assert.equal(res.headers[REASON_HEADER], 'explicit Deny in Statement[1]');
  assert.equal(rec.decision, 'deny');
  assert.equal((rec.trace as Trace).decision, 'explicitDeny');
});

test('deny (unknown role): no trace, the reason says there is no such role', async () => {
  const { res, rec } = await decided(async () => postForm(app, form(webIdentityParams(await token('main'), 'ghost', 'audit-ghost'))));
  await expectError(res, 403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
  assert.match(String(res.headers[REASON_HEADER]), /^no role arn:aws:iam::123456789012:role\/ghost in account 123456789012/);
  assert.equal(rec.decision, 'deny');
  assert.equal(rec.role, roleArn('ghost'));
  assert.equal(rec.trace, null);
});

test('error (token): decision error, the requested role and session, the provider that refused it, no subject, no trace', async () => {
  const expired = await circleToken({ branch: 'main' }, {}, new Date(T.getTime() - 7200_000));
  const { res, rec } = await decided(() => postForm(app, form(webIdentityParams(expired, 'deploy-main', 'audit-exp'))));
  await expectError(res, 400, 'ExpiredTokenException');
  assert.equal(rec.decision, 'error');
  assert.equal(rec.errorCode, 'ExpiredTokenException');
  assert.equal(rec.message, (await stsXml(res)).error?.message);
  assert.equal(rec.role, roleArn('deploy-main'));
  assert.equal(rec.sessionName, 'audit-exp');
  assert.equal(rec.subject, null);
  assert.equal(rec.issuer, CIRCLE_ISSUER, 'iss matched this provider before the token was refused');
  assert.equal(rec.trace, null);
  assert.equal(rec.reason, res.headers[REASON_HEADER]);
  assert.match(rec.reason ?? '', /exp \d+ is more than 300s before now \d+/);
  // A token refused before any provider matched names none.
  const { rec: garbage } = await decided(() => postForm(app, form(webIdentityParams('abcd.efgh.ijkl', 'deploy-main', 'audit-garbage'))));
  assert.equal(garbage.errorCode, 'InvalidIdentityToken');
  assert.equal(garbage.issuer, null);
});

test('error (validation): decision error with the ValidationError message', async () => {
  const { res, rec } = await decided(() => postForm(app, form({ ...webIdentityParams('abcd', 'deploy-main', 'a b') })));
  const x = await expectError(res, 400, 'ValidationError');
  assert.equal(rec.decision, 'error');
  assert.equal(rec.message, x.error?.message);
  assert.equal(rec.action, 'AssumeRoleWithWebIdentity');
});

test('error (protocol): MissingAction is audited with an empty action', async () => {
  const { res, rec } = await decided(() => postForm(app, 'Version=2011-06-15'));
  await expectError(res, 400, 'MissingAction');
  assert.equal(rec.action, '');
  assert.equal(rec.decision, 'error');
  assert.equal(rec.errorCode, 'MissingAction');
});

test('error (body too large): the error handler audits it too, with the same request id', async () => {
  const { res, rec } = await decided(() => postForm(app, 'Action=AssumeRoleWithWebIdentity&X=' + 'x'.repeat(140 * 1024)));
  await expectError(res, 413, 'RequestEntityTooLarge');
  assert.equal(rec.errorCode, 'RequestEntityTooLarge');
  assert.equal(rec.decision, 'error');
});

test('GetCallerIdentity: allow, with the calling session', async () => {
  const ok = await expectAssumed(await postForm(app, form(webIdentityParams(await token('main'), 'deploy-main', 'audit-gci'))));
  const { res, rec } = await decided(() => signedPost(app, credentialsOf(ok), 'Action=GetCallerIdentity&Version=2011-06-15', T));
  assert.equal((await stsXml(res)).root, 'GetCallerIdentityResponse');
  assert.equal(rec.action, 'GetCallerIdentity');
  assert.equal(rec.decision, 'allow');
  assert.equal(rec.sessionName, 'audit-gci');
});

test('GetCallerIdentity: the audit subject is the calling session (docs/audit-log.md)', async () => {
  const ok = await expectAssumed(await postForm(app, form(webIdentityParams(await token('main'), 'deploy-main', 'audit-gci2'))));
  const { rec } = await decided(() => signedPost(app, credentialsOf(ok), 'Action=GetCallerIdentity&Version=2011-06-15', T));
  assert.equal(rec.subject, 'arn:aws:sts::123456789012:assumed-role/deploy-main/audit-gci2');
});

test('tokens and credentials never reach the audit log', async () => {
  const t = await token('main');
  const before = audit.length;
  const ok = await expectAssumed(await postForm(app, form(webIdentityParams(t, 'deploy-main', 'audit-secret'))));
  const creds = credentialsOf(ok);
  await signedPost(app, creds, 'Action=GetCallerIdentity&Version=2011-06-15', T);
  await postForm(app, form(webIdentityParams(t, 'ghost', 'audit-secret')));
  const text = JSON.stringify(audit.slice(before));
  for (const secret of [t, t.split('.')[2] as string, creds.accessKeyId, creds.secretAccessKey, creds.sessionToken as string]) {
    assert.ok(!text.includes(secret), `audit log contains ${secret.slice(0, 12)}...`);
  }
});

test('the reason header can be switched off (--no-reason-header); the audit keeps the reason', async () => {
  const { app: quiet, audit: records } = await buildApp({
    policies: policies.dir,
    clock: () => T,
    requestId: () => 'quiet-1',
    reasonHeader: false,
  });
  const res = await postForm(quiet, form(webIdentityParams(await token('dev'), 'deploy-main', 'quiet')));
  await expectError(res, 403, 'AccessDenied');
  assert.equal(res.headers[REASON_HEADER], undefined);
  assert.equal(records.length, 1);
  assert.match(records[0]?.reason ?? '', /StringLike .*:sub is false/);
});

test('many requests: one record each, request ids unique and in response order', async () => {
  const before = audit.length;
  const ids: string[] = [];
  for (const branch of ['main', 'dev', 'main', 'x']) {
    const res = await postForm(app, form(webIdentityParams(await token(branch), 'deploy-main', `seq-${branch.replace('/', '-')}`)));
    ids.push(String(res.headers['x-amzn-requestid']));
  }
  assert.deepEqual(
    audit.slice(before).map((r) => r.requestId),
    ids,
  );
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(
    audit.slice(before).map((r) => r.decision),
    ['allow', 'deny', 'allow', 'deny'],
  );
});

test('on a port: one record, same request id, decision and reason', async () => {
  const prod = await startServer({ policies: policies.dir, clock: () => T });
  try {
    for (const [branch, decision] of [
      ['main', 'allow'],
      ['dev', 'deny'],
    ] as const) {
      const before = prod.audit.length;
      const res = await raw(prod.url, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form(webIdentityParams(await token(branch), 'deploy-main', 'fast')),
      });
      const x = await stsXml(res);
      assert.equal(prod.audit.length, before + 1);
      const rec = prod.audit[before] as AuditRecord;
      assert.equal(rec.requestId, x.requestId);
      assert.equal(rec.decision, decision);
      assert.equal(rec.reason, (res.headers[REASON_HEADER] as string | undefined) ?? null);
    }
  } finally {
    await prod.close();
  }
});

test('on a port: the audit time comes from the injected clock', async () => {
  const prod = await startServer({ policies: policies.dir, clock: () => T });
  try {
    await raw(prod.url, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form(webIdentityParams(await token('main'), 'deploy-main', 'fast')),
    });
    assert.equal(prod.audit[0]?.time, T.toISOString());
  } finally {
    await prod.close();
  }
});

test('nearMisses: for a refusal, what to change, as explain prints it; empty for an allow', async () => {
  const v1 = await decided(async () =>
    postForm(app, form(webIdentityParams(await circleToken({ branch: 'main', v1: true }, {}, T), 'deploy-main', 'audit-v1'))),
  );
  assert.equal(v1.rec.decision, 'deny');
  assert.equal(v1.rec.nearMisses.length, 1);
  assert.match(v1.rec.nearMisses[0] ?? '', /^the token's sub "org\/.*\/user\/[^/"]+" is CircleCI's V1 form .*CIRCLE_OIDC_TOKEN_V2/);

  const aud = await decided(async () =>
    postForm(app, form(webIdentityParams(await circleToken({ branch: 'main' }, { aud: 'other' }, T), 'deploy-main', 'audit-aud'))),
  );
  await expectError(aud.res, 400, 'InvalidIdentityToken', 'Incorrect token audience');
  assert.deepEqual(aud.rec.nearMisses, [
    `the token's aud is "other", and the ClientIDList of ${CIRCLE} expects "${CIRCLE_ORG}": mint the token for "${CIRCLE_ORG}", or add "other" to the provider's ClientIDList`,
  ]);

  const ok = await decided(async () => postForm(app, form(webIdentityParams(await token('main'), 'deploy-main', 'audit-ok2'))));
  await expectAssumed(ok.res);
  assert.deepEqual(ok.rec.nearMisses, []);
});
