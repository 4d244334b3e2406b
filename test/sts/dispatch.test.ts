/**
 * Dispatch on Action and Version (src/sts/dispatch.ts): every path ends in an outcome, never a throw; the
 * protocol errors come in the order MissingAction, MissingParameter (Version), InvalidAction; signed actions
 * go to the signed operations; anything unexpected becomes InternalFailure (500, Receiver).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StsError } from '../../src/protocol/errors.js';
import { dispatch, stsOperations, type Operations, type QueryRequest, type StsDeps } from '../../src/sts/index.js';

const req = (params: Record<string, string>): QueryRequest => ({
  params: new Map(Object.entries(params)),
  method: 'POST',
  path: '/',
  rawQuery: '',
  headers: {},
  body: '',
  sourceIp: '127.0.0.1',
});
const unusedDeps = new Proxy({}, { get: () => assert.fail('deps must not be touched') }) as StsDeps;

const signedCalls: string[] = [];
const signedOp = (action: string) => async () => {
  signedCalls.push(action);
  return { ok: true as const, action, result: [], audit: { action } };
};
/** The operations with the signed ones replaced by recorders (the web-identity one is never reached here). */
const signed: Operations = {
  ...stsOperations(unusedDeps),
  GetCallerIdentity: signedOp('GetCallerIdentity'),
  AssumeRole: signedOp('AssumeRole'),
};
const withoutSigned: Operations = {
  AssumeRoleWithWebIdentity: stsOperations(unusedDeps)['AssumeRoleWithWebIdentity'] as Operations[string],
};

const vectors: readonly { name: string; params: Record<string, string>; code: string; message: string; action: string }[] = [
  { name: 'no Action', params: { Version: '2011-06-15' }, code: 'MissingAction', message: 'Missing Action', action: '' },
  { name: 'empty Action', params: { Action: '', Version: '2011-06-15' }, code: 'MissingAction', message: 'Missing Action', action: '' },
  { name: 'no Action, no Version', params: {}, code: 'MissingAction', message: 'Missing Action', action: '' },
  {
    name: 'no Version',
    params: { Action: 'AssumeRoleWithWebIdentity' },
    code: 'MissingParameter',
    message: 'The request must contain the parameter Version',
    action: 'AssumeRoleWithWebIdentity',
  },
  {
    name: 'no Version, unknown Action: Version first',
    params: { Action: 'Nope' },
    code: 'MissingParameter',
    message: 'The request must contain the parameter Version',
    action: 'Nope',
  },
  {
    name: 'wrong Version',
    params: { Action: 'GetCallerIdentity', Version: '2011-06-16' },
    code: 'InvalidAction',
    message: 'Could not find operation GetCallerIdentity for version 2011-06-16',
    action: 'GetCallerIdentity',
  },
  {
    name: 'unknown Action',
    params: { Action: 'GetSessionToken', Version: '2011-06-15' },
    code: 'InvalidAction',
    message: 'Could not find operation GetSessionToken for version 2011-06-15',
    action: 'GetSessionToken',
  },
  {
    name: 'Action case matters',
    params: { Action: 'getCallerIdentity', Version: '2011-06-15' },
    code: 'InvalidAction',
    message: 'Could not find operation getCallerIdentity for version 2011-06-15',
    action: 'getCallerIdentity',
  },
  {
    name: 'a prototype name as Action',
    params: { Action: 'constructor', Version: '2011-06-15' },
    code: 'InvalidAction',
    message: 'Could not find operation constructor for version 2011-06-15',
    action: 'constructor',
  },
];

for (const v of vectors) {
  test(`dispatch: ${v.name}`, async () => {
    const out = await dispatch(signed, req(v.params));
    assert.equal(out.ok, false);
    if (out.ok) return;
    assert.equal(out.error.code, v.code);
    assert.equal(out.error.message, v.message);
    assert.equal(out.error.status, 400);
    assert.equal(out.action, v.action);
    assert.equal(out.audit.action, v.action);
  });
}

test('dispatch: GetCallerIdentity and AssumeRole go to the signed operations', async () => {
  signedCalls.length = 0;
  for (const action of ['GetCallerIdentity', 'AssumeRole']) {
    const out = await dispatch(signed, req({ Action: action, Version: '2011-06-15' }));
    assert.equal(out.ok, true);
  }
  assert.deepEqual(signedCalls, ['GetCallerIdentity', 'AssumeRole']);
});

test('dispatch: without signed operations, GetCallerIdentity is an unknown operation', async () => {
  const out = await dispatch(withoutSigned, req({ Action: 'GetCallerIdentity', Version: '2011-06-15' }));
  assert.ok(!out.ok);
  assert.equal(out.error.code, 'InvalidAction');
});

test('dispatch: a fault inside an operation becomes InternalFailure (500, Receiver), never a throw, detail not echoed', async () => {
  const boom: Operations = {
    GetCallerIdentity: async () => {
      throw new TypeError('secret detail');
    },
  };
  const out = await dispatch(boom, req({ Action: 'GetCallerIdentity', Version: '2011-06-15' }));
  assert.ok(!out.ok);
  assert.equal(out.error.code, 'InternalFailure');
  assert.equal(out.error.status, 500);
  assert.equal(out.error.type, 'Receiver');
  assert.ok(!out.error.message.includes('secret detail'));
});

test('dispatch: an StsError thrown by an operation is kept as it is', async () => {
  const denied: Operations = {
    AssumeRole: async () => {
      throw new StsError('ExpiredToken', 'The security token included in the request is expired');
    },
  };
  const out = await dispatch(denied, req({ Action: 'AssumeRole', Version: '2011-06-15' }));
  assert.ok(!out.ok);
  assert.equal(out.error.code, 'ExpiredToken');
  assert.equal(out.error.status, 403);
});

test('dispatch: a verifier fault in AssumeRoleWithWebIdentity is InternalFailure, not a rejection', async () => {
  const deps = {
    accountId: '123456789012',
    region: 'us-east-1',
    claimKeys: 'aws',
    clock: () => new Date(0),
    roles: { find: () => undefined },
    verifier: {
      verify: async () => {
        throw new RangeError('boom');
      },
    },
    credentials: { issue: () => assert.fail('no credentials') },
  } as unknown as StsDeps;
  const out = await dispatch(
    stsOperations(deps),
    req({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: 'arn:aws:iam::123456789012:role/x',
      RoleSessionName: 'ab',
      WebIdentityToken: 'abcd',
    }),
  );
  assert.ok(!out.ok);
  assert.equal(out.error.code, 'InternalFailure');
  assert.equal(out.action, 'AssumeRoleWithWebIdentity');
});
