/**
 * The request log (docs/audit-log.md, "Request log"): one human-readable line per request from the audit record — time,
 * action, role, session, decision, and the error code and the emulator's reason (else AWS's message) of a refusal.
 * Whatever a token or a request holds, a record prints as one line of bounded length.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { requestLogLine, requestLogSink, type AuditRecord } from '../../src/server/index.js';
import { buildApp, circleToken, form, webIdentityParams } from '../helpers/harness.js';
import { credentialsOf, expectAssumed, postForm, signedPost } from './helpers.js';

const T = new Date('2026-03-01T10:00:00Z');
const ROLE = 'arn:aws:iam::123456789012:role/deploy-main';
/** The most a line can hold: every field at its bound (docs/audit-log.md, "Request log"). */
const MAX_LINE = 1600;

const { app, audit, close } = await buildApp({ clock: () => T });
after(close);

/** The request log line of the one record a request produced. */
async function lineOf(send: () => Promise<unknown>): Promise<string> {
  const before = audit.length;
  await send();
  assert.equal(audit.length, before + 1);
  return requestLogLine(audit[before] as AuditRecord);
}

/** One line: no line break of any kind, no control character, bounded. */
function assertOneSafeLine(line: string): void {
  assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u, JSON.stringify(line));
  assert.ok(line.isWellFormed(), 'no lone surrogate');
  assert.ok(line.length <= MAX_LINE, `${line.length} characters`);
}

describe('the line of each kind of request', () => {
  test('allow: time, action, role, session, allow', async () => {
    const line = await lineOf(async () =>
      postForm(app, form(webIdentityParams(await circleToken({ branch: 'main' }, {}, T), 'deploy-main', 'demo'))),
    );
    assert.equal(line, `2026-03-01T10:00:00.000Z AssumeRoleWithWebIdentity role=${ROLE} session=demo allow`);
  });

  test('deny: the AWS code and the emulator reason', async () => {
    const line = await lineOf(async () =>
      postForm(app, form(webIdentityParams(await circleToken({ branch: 'feature/x' }, {}, T), 'deploy-main', 'demo'))),
    );
    assert.match(
      line,
      /^2026-03-01T10:00:00\.000Z AssumeRoleWithWebIdentity role=arn:aws:iam::123456789012:role\/deploy-main session=demo deny AccessDenied: Statement\[0\]: StringLike oidc\.circleci\.com\/org\/[-0-9a-f]+:sub is false \(context \[".*\/vcs-ref\/refs\/heads\/feature\/x"\], policy \[".*\/vcs-ref\/refs\/heads\/main"\]\)$/,
    );
    assertOneSafeLine(line);
  });

  test('a validation error: the AWS code and message (there is no reason); invalid parameters are not the role or session', async () => {
    const line = await lineOf(() => postForm(app, form(webIdentityParams('abcd', 'deploy-main', 'a b'))));
    assert.equal(
      line,
      '2026-03-01T10:00:00.000Z AssumeRoleWithWebIdentity role=- session=- error ValidationError: ' +
        "1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
  });

  test('a token refused: the code and the reason', async () => {
    const expired = await circleToken({ branch: 'main' }, {}, new Date(T.getTime() - 7200_000));
    const line = await lineOf(() => postForm(app, form(webIdentityParams(expired, 'deploy-main', 'old'))));
    assert.match(line, / session=old error ExpiredTokenException: exp \d+ is more than 300s before now \d+/);
  });

  test('a signed call: GetCallerIdentity with the calling session, no role', async () => {
    const ok = await expectAssumed(
      await postForm(app, form(webIdentityParams(await circleToken({ branch: 'main' }, {}, T), 'deploy-main', 'signed'))),
    );
    const line = await lineOf(() => signedPost(app, credentialsOf(ok), 'Action=GetCallerIdentity&Version=2011-06-15', T));
    assert.equal(line, '2026-03-01T10:00:00.000Z GetCallerIdentity role=- session=signed allow');
  });

  test('an unsigned GetCallerIdentity: MissingAuthenticationToken with AWS message', async () => {
    const line = await lineOf(() => postForm(app, 'Action=GetCallerIdentity&Version=2011-06-15'));
    assert.equal(
      line,
      '2026-03-01T10:00:00.000Z GetCallerIdentity role=- session=- error MissingAuthenticationToken: Request is missing Authentication Token',
    );
  });

  test('no Action: the action shows as -', async () => {
    const line = await lineOf(() => postForm(app, 'Version=2011-06-15'));
    assert.equal(line, '2026-03-01T10:00:00.000Z - role=- session=- error MissingAction: Missing Action');
  });
});

describe('what a request or a token holds cannot break the line', () => {
  test('claims with line separators, C1 and bidirectional controls reach the reason escaped', async () => {
    const sub = 'x\u2028fake 2026-03-01T10:00:00.000Z AssumeRoleWithWebIdentity allow\u009b31m\u202eevil\n\r\u0000';
    const token = await circleToken({ branch: 'main' }, { sub }, T);
    const line = await lineOf(() => postForm(app, form(webIdentityParams(token, 'deploy-main', 'evil'))));
    assertOneSafeLine(line);
    assert.match(line, / deny AccessDenied: Statement\[0\]: StringLike /);
    assert.ok(line.includes('x\\u2028fake 2026-03-01T10:00:00.000Z AssumeRoleWithWebIdentity allow\\u009b31m\\u202eevil'), line);
  });

  test('a session name with a newline, sent raw: escaped in the AWS message', async () => {
    const line = await lineOf(() => postForm(app, form(webIdentityParams('abcd', 'deploy-main', 'a\nb allow'))));
    assertOneSafeLine(line);
    assert.match(line, / error ValidationError: 1 validation error detected: Value 'a\\nb allow' at 'roleSessionName'/);
  });

  const record = (o: Partial<AuditRecord>): AuditRecord => ({
    time: T.toISOString(),
    requestId: 'r',
    action: 'AssumeRoleWithWebIdentity',
    role: ROLE,
    sessionName: 's1',
    subject: null,
    issuer: null,
    decision: 'deny',
    errorCode: 'AccessDenied',
    message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    reason: null,
    trace: null,
    nearMisses: [],
    ...o,
  });

  const hostile: readonly [string, Partial<AuditRecord>][] = [
    ['a very long reason', { reason: 'r'.repeat(1_000_000) }],
    ['a very long reason of characters that are escaped', { reason: '\u0001'.repeat(100_000) }],
    ['a very long role and session', { role: `arn:aws:iam::123456789012:role/${'n'.repeat(50_000)}`, sessionName: ' '.repeat(50_000) }],
    ['lone surrogates', { reason: 'a\ud800b\udfffc', sessionName: '\ud83d' }],
    ['quotes and backslashes in a value', { sessionName: 'a" decision=allow \\', role: '"' }],
    ['every control character', { reason: Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join(''), action: 'A\nB' }],
    ['an escape cut at the bound', { reason: 'x'.repeat(995) + '\n'.repeat(10) }],
  ];
  for (const [name, o] of hostile) {
    test(name, () => {
      const line = requestLogLine(record(o));
      assertOneSafeLine(line);
      assert.ok(line.startsWith('2026-03-01T10:00:00.000Z '));
    });
  }

  test('a cut is marked with … and never splits an escape', () => {
    const line = requestLogLine(record({ reason: 'x'.repeat(995) + '\n'.repeat(10) }));
    assert.ok(line.endsWith('x\\n\\n…'), line.slice(-12));
    assert.ok(requestLogLine(record({ reason: 'y'.repeat(2000) })).endsWith('y…'));
  });

  test('a value with a space is quoted, so it cannot fake another field', () => {
    assert.match(requestLogLine(record({ sessionName: 'x decision=allow' })), / session="x decision=allow" deny /);
    assert.match(requestLogLine(record({ sessionName: 'q"\\' })), / session="q\\"\\\\" deny /);
  });
});

test('the sink: the lines of one event-loop turn in one write, each ending in a newline; a throwing write is ignored', async () => {
  const writes: string[] = [];
  const sink = requestLogSink((t) => void writes.push(t));
  const r = (session: string): AuditRecord => ({
    time: T.toISOString(),
    requestId: 'r',
    action: 'GetCallerIdentity',
    role: null,
    sessionName: session,
    subject: null,
    issuer: null,
    decision: 'allow',
    errorCode: null,
    message: null,
    reason: null,
    trace: null,
    nearMisses: [],
  });
  sink(r('one'));
  sink(r('two'));
  assert.deepEqual(writes, [], 'written once the turn ends');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(writes, [`${requestLogLine(r('one'))}\n${requestLogLine(r('two'))}\n`]);
  sink(r('three'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 2);
  const failing = requestLogSink(() => {
    throw new Error('EPIPE');
  });
  failing(r('lost'));
  await new Promise((resolve) => setImmediate(resolve));
});
