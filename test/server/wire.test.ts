/**
 * The one road answers byte for byte as the emulator did before it had one road: every case of wire-cases.ts
 * (protocol errors, signed calls, bodies the old fast path left to Express, the issuer routes) against
 * test/golden/wire.json, answer and audit record. `UPDATE_GOLDEN=1 npm test -- wire` rewrites the file from the
 * current server (only for an intended change of the wire, reviewed in the diff).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { AuditRecord } from '../../src/server/index.js';
import { circleToken, form, REPO_ROOT, startServer, webIdentityParams } from '../helpers/harness.js';
import { signedHeaders } from './helpers.js';
import { normalise, normaliseRecord, send, WIRE_CASES, type Answer, type WireInputs } from './wire-cases.js';

const GOLDEN = join(REPO_ROOT, 'test', 'golden', 'wire.json');
const SERVER_KEY = Buffer.alloc(32, 7);

const withReason = await startServer({ serverKey: SERVER_KEY });
const noReason = await startServer({ serverKey: SERVER_KEY, reasonHeader: false });
after(async () => {
  await withReason.close();
  await noReason.close();
});

interface Recorded {
  readonly name: string;
  readonly answer: Answer;
  readonly audit: readonly Record<string, unknown>[];
}

async function record(): Promise<Recorded[]> {
  const mainToken = await circleToken({ branch: 'main' });
  const issued = await send(withReason.port, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form(webIdentityParams(mainToken)),
  });
  const get = (tag: string): string => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(issued.body)?.[1] ?? '';
  const inputs: WireInputs = {
    mainToken,
    featureToken: await circleToken({ branch: 'feature/x' }),
    expiredToken: await circleToken({ branch: 'main' }, {}, new Date(Date.now() - 7200_000), 600),
    signed: signedHeaders,
    creds: { accessKeyId: get('AccessKeyId'), secretAccessKey: get('SecretAccessKey'), sessionToken: get('SessionToken') },
    form,
    webIdentityParams: (token, role) => webIdentityParams(token, role),
  };
  const out: Recorded[] = [];
  for (const c of WIRE_CASES) {
    const server = c.noReason === true ? noReason : withReason;
    const before = server.audit.length;
    const answer = normalise(await send(server.port, await c.req(inputs)));
    await new Promise((resolve) => setImmediate(resolve)); // the audit sink runs after the answer is written
    out.push({ name: c.name, answer, audit: server.audit.slice(before).map((r: AuditRecord) => normaliseRecord({ ...r })) });
  }
  return out;
}

const recorded = await record();
if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(GOLDEN, JSON.stringify(recorded, null, 2) + '\n');
const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Recorded[];

test('the golden file and the table list the same cases, in order', () => {
  assert.deepEqual(
    recorded.map((r) => r.name),
    golden.map((g) => g.name),
  );
});

for (const [i, r] of recorded.entries()) {
  test(`wire: ${r.name}`, () => {
    const g = golden[i];
    assert.ok(g !== undefined && g.name === r.name, `golden case ${i} is ${g?.name}`);
    assert.deepEqual(r.answer, g.answer, 'status, headers and body');
    assert.deepEqual(r.audit, g.audit, 'audit record');
  });
}
