/**
 * Helpers for the IAM API tests: a started emulator over a temporary policies directory, IAM query calls signed by
 * AWS's own signer (@smithy/signature-v4, service `iam`) or not signed at all, and the checks every IAM answer
 * must pass (text/xml, one root in IAM's namespace, x-amzn-RequestId equal to the body's RequestId).
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { parseStringPromise } from 'xml2js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/index.js';
import { DEMO_POLICIES } from '../helpers/harness.js';
import { Sha256, type Creds } from '../helpers/sdk-sha256.js';

export type { Creds } from '../helpers/sdk-sha256.js';

export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const ACCOUNT = '123456789012';
export const GITHUB = 'token.actions.githubusercontent.com';

/** Long-term-looking keys the emulator never issued (AWS's documentation example). */
export const ANY_KEY: Creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

export interface CallOptions {
  readonly creds?: Creds;
  /** Send without any signature. */
  readonly unsigned?: boolean;
  /** The service in the credential scope (default iam). */
  readonly service?: string;
  readonly at?: Date;
  readonly version?: string;
  /** Send a GET with the signature in the query (a presigned URL) instead of a signed form POST. */
  readonly presigned?: boolean;
  /** Send this Authorization header as it is (nothing else signed). */
  readonly authorization?: string;
}

export interface IamAnswer {
  readonly status: number;
  readonly text: string;
  readonly root: string;
  /** The <ActionResult> (xml2js, explicitArray false; '' for an empty element), or undefined. */
  readonly result: unknown;
  readonly error: { readonly type: string; readonly code: string; readonly message: string } | undefined;
  readonly reason: string | null;
}

/** One IAM query call (a form POST), checked as every IAM answer must be. */
export async function call(endpoint: string, params: Record<string, string>, opts: CallOptions = {}): Promise<IamAnswer> {
  const body = new URLSearchParams({ Version: opts.version ?? '2010-05-08', ...params }).toString();
  const url = new URL(endpoint);
  let headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  let target = endpoint;
  let method = 'POST';
  const signer = new SignatureV4({
    credentials: opts.creds ?? ANY_KEY,
    region: 'us-east-1',
    service: opts.service ?? 'iam',
    sha256: Sha256,
  });
  const signingDate = opts.at === undefined ? {} : { signingDate: opts.at };
  if (opts.authorization !== undefined) {
    headers = { ...headers, authorization: opts.authorization, 'x-amz-date': '20260101T000000Z' };
  } else if (opts.presigned === true) {
    const query = Object.fromEntries(new URLSearchParams(body));
    const presigned = await signer.presign(
      { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query, headers: { host: url.host } },
      { ...signingDate, expiresIn: 300 },
    );
    target = `${endpoint.replace(/\/$/, '')}/?${new URLSearchParams(presigned.query as Record<string, string>).toString()}`;
    method = 'GET';
    headers = {};
  } else if (opts.unsigned !== true) {
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: {},
        headers: { ...headers, host: url.host },
        body,
      },
      signingDate,
    );
    headers = Object.fromEntries(Object.entries(signed.headers as Record<string, string>).filter(([k]) => k.toLowerCase() !== 'host'));
  }
  const res = await fetch(target, method === 'GET' ? { method, headers } : { method, headers, body });
  const text = await res.text();
  assert.equal(res.headers.get('content-type'), 'text/xml', text);
  const doc = (await parseStringPromise(text, { explicitArray: false, strict: true })) as Record<string, Record<string, unknown>>;
  const roots = Object.keys(doc);
  assert.equal(roots.length, 1);
  const root = roots[0] as string;
  const node = doc[root] as Record<string, unknown>;
  assert.equal((node['$'] as Record<string, string>)['xmlns'], IAM_XMLNS, `namespace of ${text}`);
  const requestId = root === 'ErrorResponse' ? node['RequestId'] : (node['ResponseMetadata'] as Record<string, unknown>)['RequestId'];
  assert.equal(res.headers.get('x-amzn-requestid'), requestId);
  const reason = res.headers.get('x-sts-emulator-reason');
  if (root === 'ErrorResponse') {
    const e = node['Error'] as Record<string, string>;
    assert.deepEqual(Object.keys(e), ['Type', 'Code', 'Message']);
    return {
      status: res.status,
      text,
      root,
      result: undefined,
      error: { type: e['Type']!, code: e['Code']!, message: e['Message']! },
      reason,
    };
  }
  assert.equal(res.status, 200, text);
  return { status: res.status, text, root, result: node[`${params['Action']}Result`], error: undefined, reason };
}

/** Asserts a success and returns its result. */
export function ok(a: IamAnswer): Record<string, unknown> {
  assert.equal(a.error, undefined, `${a.status} ${a.error?.code}: ${a.error?.message} (${a.reason})`);
  return (typeof a.result === 'object' && a.result !== null ? a.result : {}) as Record<string, unknown>;
}

/** Asserts an error: status, code and (when given) the exact message or a pattern. */
export function failed(a: IamAnswer, status: number, code: string, message?: string | RegExp): void {
  assert.equal(a.error?.code, code, `expected ${code}, got ${a.status} ${a.text}`);
  assert.equal(a.status, status);
  assert.equal(a.error?.type, 'Sender');
  if (typeof message === 'string') assert.equal(a.error?.message, message);
  else if (message !== undefined) assert.match(a.error?.message ?? '', message);
}

/** xml2js gives one member as an object and several as an array: always an array. */
export function members(list: unknown): Record<string, unknown>[] {
  if (list === undefined || list === '') return [];
  const m = (list as { member?: unknown }).member;
  if (m === undefined) return [];
  return (Array.isArray(m) ? m : [m]) as Record<string, unknown>[];
}

export interface Fixture {
  readonly emu: Emulator;
  readonly dir: string;
  close(): Promise<void>;
}

/** A policies directory: the demo providers (with their keys) and no roles, unless `empty`. */
export async function policiesDir(empty = false): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sts-emulator-iam-'));
  if (empty) await mkdir(join(dir, 'providers'));
  else await cp(join(DEMO_POLICIES, 'providers'), join(dir, 'providers'), { recursive: true });
  await mkdir(join(dir, 'roles'));
  return dir;
}

/** An emulator over a fresh policies directory (see policiesDir), removed on close. */
export async function fixture(options: EmulatorOptions & { readonly empty?: boolean } = {}): Promise<Fixture> {
  const { empty, ...rest } = options;
  const dir = await policiesDir(empty === true);
  const emu = await startEmulator({ policies: dir, ...rest });
  return {
    emu,
    dir,
    close: async () => {
      await emu.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A GitHub trust policy for `sub`, as JSON text. */
export function githubTrust(sub: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: sub } },
        ...extra,
      },
    ],
  });
}

/** AssumeRoleWithWebIdentity over HTTP: status, code and the whole text. */
export async function assume(
  emu: Emulator,
  role: string,
  token: string,
): Promise<{ status: number; code: string | undefined; text: string }> {
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: emu.roleArn(role),
    RoleSessionName: 'iam-test',
    WebIdentityToken: token,
  });
  const res = await fetch(emu.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const text = await res.text();
  return { status: res.status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1], text };
}
