/**
 * Helpers for the HTTP-level tests (server/, protocol/, golden/, sts/web-identity*, sts/request-context*):
 * raw requests through supertest, the STS XML checks every response must pass, SigV4 signing with AWS's own
 * signer, and a temporary policies directory (the demo providers plus test roles).
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import request from 'supertest';
import type { Response } from 'supertest';
import { parseStringPromise } from 'xml2js';
import { DEMO_POLICIES } from '../helpers/harness.js';
import { Sha256, type Creds } from '../helpers/sdk-sha256.js';

export type { Creds } from '../helpers/sdk-sha256.js';

export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

// XML 1.0 Char production: what may never appear in a response, escaped or not.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

type App = Parameters<typeof request>[0];

export interface RawRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Client-side timeout (ms): a hang fails the test instead of stalling the suite. */
  readonly timeout?: number;
}

/**
 * One request exactly as given: the body is sent byte for byte (superagent would otherwise re-serialise a
 * Buffer through the form serialiser), no content type is added when none is given.
 */
export async function raw(app: App, r: RawRequest): Promise<Response> {
  const method = (r.method ?? 'POST').toLowerCase() as 'post';
  let req = request(app)
    [method](r.path ?? '/')
    .timeout({ response: r.timeout ?? 10_000, deadline: r.timeout ?? 20_000 });
  for (const [k, v] of Object.entries(r.headers ?? {})) req = req.set(k, v);
  if (r.body !== undefined) {
    req = req.serialize((x: unknown) => x as string);
    req = req.send(typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body);
  }
  // Never reject on HTTP status: the caller asserts on it.
  return req.ok(() => true);
}

/** A form POST with the given (already encoded) body and content type. */
export function postForm(
  app: App,
  body: string | Buffer,
  contentType = 'application/x-www-form-urlencoded; charset=utf-8',
): Promise<Response> {
  return raw(app, { headers: { 'content-type': contentType }, body });
}

export type Xml = Record<string, unknown>;

/** Parses as strict XML (xml2js/sax); rejects anything ill-formed. */
export async function parseXml(text: string): Promise<Xml> {
  return (await parseStringPromise(text, { explicitArray: false, strict: true })) as Xml;
}

/** Element names in document order, depth first: ["ErrorResponse", "Error", "Type", ...]. */
export async function elementOrder(text: string): Promise<string[]> {
  const doc = (await parseStringPromise(text, { explicitChildren: true, preserveChildrenOrder: true, strict: true })) as Record<
    string,
    unknown
  >;
  const out: string[] = [];
  const walk = (name: string, node: unknown): void => {
    out.push(name);
    if (node !== null && typeof node === 'object') {
      const kids = (node as { $$?: unknown[] }).$$;
      if (Array.isArray(kids)) for (const k of kids) walk((k as { '#name': string })['#name'], k);
    }
  };
  for (const [name, node] of Object.entries(doc)) walk(name, node);
  return out;
}

export interface StsXml {
  readonly root: string;
  readonly requestId: string;
  /** For an ErrorResponse. */
  readonly error?: { readonly type: string; readonly code: string; readonly message: string };
  /** For a success: the <ActionResult> object (xml2js, explicitArray false). */
  readonly result?: Xml;
  readonly doc: Xml;
}

/**
 * What every STS response must be: Content-Type exactly text/xml, one root element in the STS namespace,
 * only XML characters, an ErrorResponse (Error{Type,Code,Message} + sibling RequestId) or an
 * <Action>Response (<Action>Result + ResponseMetadata/RequestId), and the x-amzn-RequestId header equal to
 * the body's RequestId.
 */
export async function stsXml(res: Response): Promise<StsXml> {
  assert.equal(res.headers['content-type'], 'text/xml', `Content-Type for ${res.status}: ${res.text?.slice(0, 200)}`);
  const text = res.text;
  assert.equal(typeof text, 'string');
  assert.ok(!NOT_XML_CHAR.test(text), `a character XML 1.0 does not allow in ${JSON.stringify(text.slice(0, 300))}`);
  assert.equal(Number(res.headers['content-length']), Buffer.byteLength(text, 'utf8'));
  const doc = await parseXml(text);
  const roots = Object.keys(doc);
  assert.equal(roots.length, 1, 'exactly one root element');
  const root = roots[0] as string;
  const node = doc[root] as Xml;
  assert.equal((node['$'] as Record<string, string> | undefined)?.['xmlns'], STS_XMLNS);
  const header = res.headers['x-amzn-requestid'];
  if (root === 'ErrorResponse') {
    assert.deepEqual(
      Object.keys(node).filter((k) => k !== '$'),
      ['Error', 'RequestId'],
    );
    const e = node['Error'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(e), ['Type', 'Code', 'Message']);
    const requestId = node['RequestId'];
    assert.equal(typeof requestId, 'string');
    assert.equal(header, requestId, 'x-amzn-RequestId header == body RequestId');
    assert.ok(res.status >= 400 && res.status < 500, `error status ${res.status}`);
    const message = typeof e['Message'] === 'string' ? e['Message'] : '';
    return { root, requestId: requestId as string, error: { type: e['Type'] as string, code: e['Code'] as string, message }, doc };
  }
  const m = /^(\w+)Response$/.exec(root);
  assert.ok(m !== null, `root ${root}`);
  assert.equal(res.status, 200);
  const action = m[1] as string;
  assert.deepEqual(
    Object.keys(node).filter((k) => k !== '$'),
    [`${action}Result`, 'ResponseMetadata'],
  );
  const requestId = (node['ResponseMetadata'] as Record<string, unknown>)['RequestId'];
  assert.equal(typeof requestId, 'string');
  assert.equal(header, requestId, 'x-amzn-RequestId header == body RequestId');
  return { root, requestId: requestId as string, result: node[`${action}Result`] as Xml, doc };
}

/** Asserts an STS error with this status, code and (when given) exact message; returns the parsed response. */
export async function expectError(res: Response, status: number, code: string, message?: string | RegExp): Promise<StsXml> {
  const x = await stsXml(res);
  assert.equal(x.root, 'ErrorResponse', `expected ${code}, got ${res.status} ${res.text.slice(0, 300)}`);
  assert.equal(x.error?.code, code, `code; message: ${x.error?.message ?? ''}`);
  assert.equal(res.status, status);
  assert.equal(x.error?.type, 'Sender');
  if (typeof message === 'string') assert.equal(x.error?.message, message);
  else if (message instanceof RegExp) assert.match(x.error?.message ?? '', message);
  return x;
}

/** Asserts a successful AssumeRoleWithWebIdentity; returns the parsed result. */
export async function expectAssumed(res: Response): Promise<Xml> {
  const x = await stsXml(res);
  assert.equal(
    x.root,
    'AssumeRoleWithWebIdentityResponse',
    `expected success, got ${res.status} ${res.text.slice(0, 400)} reason=${String(res.headers['x-sts-emulator-reason'])}`,
  );
  return x.result as Xml;
}

// ---- SigV4 with AWS's own signer (@smithy/signature-v4, as the JS SDK v3 signs) ----

export const SIGNED_HOST = 'sts.emulator.test:4566';

/** Headers of a SigV4-signed form POST to `/` (host SIGNED_HOST, region us-east-1, service sts). */
export async function signedHeaders(creds: Creds, body: string, date: Date): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'sts', sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: 'sts.emulator.test',
      port: 4566,
      path: '/',
      query: {},
      headers: { host: SIGNED_HOST, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    },
    { signingDate: date },
  );
  return { ...(signed.headers as Record<string, string>) };
}

/** A signed POST through supertest (the Host header is set to what was signed). */
export async function signedPost(app: App, creds: Creds, body: string, date: Date): Promise<Response> {
  return raw(app, { headers: await signedHeaders(creds, body, date), body });
}

/** The credentials of a successful AssumeRoleWithWebIdentity response. */
export function credentialsOf(result: Xml): Creds {
  const c = result['Credentials'] as Record<string, string>;
  return {
    accessKeyId: c['AccessKeyId'] as string,
    secretAccessKey: c['SecretAccessKey'] as string,
    sessionToken: c['SessionToken'] as string,
  };
}

// ---- A temporary policies directory: the demo providers (with their DEMO keys) plus test roles ----

export interface TempPolicies {
  readonly dir: string;
  remove(): Promise<void>;
}

/** Copies policies/providers (JSON and *.DEMO-KEY.pem) into a fresh directory and writes `roles` as roles/<name>.json. */
export async function tempPolicies(roles: Readonly<Record<string, unknown>>): Promise<TempPolicies> {
  const dir = await mkdtemp(join(tmpdir(), 'sts-emulator-test-'));
  await cp(join(DEMO_POLICIES, 'providers'), join(dir, 'providers'), { recursive: true });
  await mkdir(join(dir, 'roles'));
  for (const [name, doc] of Object.entries(roles)) await writeFile(join(dir, 'roles', `${name}.json`), JSON.stringify(doc, null, 2));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A role file: name, trust-policy statements and extra IAM fields (Path, Tags, MaxSessionDuration). */
export function roleFile(name: string, statements: readonly unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { RoleName: name, AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: statements }, ...extra };
}
