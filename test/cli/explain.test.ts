/** `sts-emulator explain`: the decision and every reason, as text and as JSON. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { circleToken, DEMO_POLICIES, githubToken, REPO_ROOT } from '../helpers/harness.js';
import { assertOneLineError, CIRCLE, GH, runMain } from './helpers.js';

const P = ['--policies', DEMO_POLICIES];
const VCS_REF_KEY = `${CIRCLE}:oidc.circleci.com/vcs-ref`;
const VCS_ORIGIN_KEY = `${CIRCLE}:oidc.circleci.com/vcs-origin`;

interface ConditionJson {
  operator: string;
  key: string;
  contextValues: string[] | null;
  policyValues: string[];
  result: boolean;
  reason: string;
  absentBecause?: string;
}
interface ExplainJson {
  result: 'allow' | 'deny' | 'error';
  errorCode: string | null;
  reason: string | null;
  role: string | null;
  issuer: string | null;
  provider: string | null;
  audience: string | null;
  subject: string | null;
  context: Record<string, string[]>;
  evaluation: {
    decision: string;
    statements: { index: number; effect: string; principalMatched: boolean; actionMatched: boolean; conditions: ConditionJson[] }[];
  } | null;
}

async function explainJson(args: readonly string[]): Promise<{ code: number; json: ExplainJson }> {
  const r = await runMain(['explain', ...P, '--json', ...args]);
  assert.equal(r.stderr, '');
  return { code: r.code, json: JSON.parse(r.stdout) as ExplainJson };
}

describe('explain: text', () => {
  test('golden: a feature-branch token on deploy-main (the README example)', async () => {
    const golden = await readFile(join(REPO_ROOT, 'test', 'cli', 'golden', 'explain-deploy-main-feature-branch.txt'), 'utf8');
    const r = await runMain(['explain', ...P, '--role', 'deploy-main', '--branch', 'feature/x']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, golden);
    // README's form: the token minted by `token --preset circleci --branch feature/x`, then `explain --token`.
    const minted = await runMain(['token', ...P, '--preset', 'circleci', '--branch', 'feature/x']);
    const viaToken = await runMain(['explain', ...P, '--role', 'deploy-main', '--token', minted.stdout.trim()]);
    assert.equal(viaToken.stdout, golden);
  });

  test('seed004-as-written with a main token: vcs-ref is absent because AWS provides no such key', async () => {
    const r = await runMain(['explain', ...P, '--role', 'seed004-as-written', '--preset', 'circleci', '--branch', 'main']);
    assert.equal(r.code, 1);
    const out = r.stdout;
    assert.match(out, /^Result: DENY AccessDenied \(HTTP 403\)/);
    assert.match(
      out,
      new RegExp(`^Provider: iss https://${escape(CIRCLE)} matched arn:aws:iam::123456789012:oidc-provider/${escape(CIRCLE)}$`, 'm'),
    );
    assert.match(out, /^Audience: "b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d" is in the provider's ClientIDList$/m);
    assert.match(out, /^ {4}principal: matched$/m);
    assert.match(out, /^ {4}action: matched$/m);
    // The deciding condition: operator, key, why the context is empty, the policy value, the outcome.
    const block = conditionBlock(out, `StringEquals ${JSON.stringify(VCS_REF_KEY)}`);
    assert.match(block, /context: absent: AWS provides no such key for this provider/);
    assert.match(block, /policy: {2}\["refs\/heads\/main"\]/);
    assert.match(block, /outcome: false \(keyAbsent/);
    const origin = conditionBlock(out, `StringLike ${JSON.stringify(VCS_ORIGIN_KEY)}`);
    assert.match(origin, /context: absent: AWS provides no such key for this provider/);
    // The audience condition is shown with its context value.
    const aud = conditionBlock(out, `StringEquals ${JSON.stringify(`${CIRCLE}:aud`)}`);
    assert.match(aud, /context: \["b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d"\]/);
    assert.match(aud, /outcome: true/);
  });

  test('seed004-fixed with the same token: allow, exit 0', async () => {
    const r = await runMain(['explain', ...P, '--role', 'seed004-fixed', '--branch', 'main']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Result: ALLOW/);
    assert.match(r.stdout, /Decision: allow/);
  });

  test('--token: a signed token is verified like the server does', async () => {
    const ok = await runMain(['explain', ...P, '--role', 'github-deploy-main', '--token', await githubToken({ branch: 'main' })]);
    assert.equal(ok.code, 0, ok.stdout);
    const denied = await runMain(['explain', ...P, '--role', 'deploy-main', '--token', await circleToken({ branch: 'feature/x' })]);
    assert.equal(denied.code, 1);
    assert.match(denied.stdout, /outcome: false \(noValueMatched/);
  });

  test('--token that is not a JWT: InvalidIdentityToken, refused before the trust policy', async () => {
    const r = await runMain(['explain', ...P, '--role', 'deploy-main', '--token', 'not-a-jwt']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Result: ERROR InvalidIdentityToken \(HTTP 400\)/);
    assert.match(r.stdout, /^Token: refused before the trust policy was evaluated/m);
    assert.doesNotMatch(r.stdout, /^Provider:/m);
    assert.doesNotMatch(r.stdout, /Trust policy:/);
  });

  test('wrong audience, expired token, DurationSeconds over the role maximum', async () => {
    const aud = await runMain(['explain', ...P, '--role', 'deploy-main', '--aud', 'other']);
    assert.match(
      aud.stdout,
      /^Result: ERROR InvalidIdentityToken \(HTTP 400\): Incorrect token audience\nWhy: aud "other" is not in the ClientIDList \["b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d"\]$/m,
    );
    // Refused after iss matched: the provider is named, for claims and for a signed token alike.
    const providerLine =
      /^Provider: iss https:\/\/oidc\.circleci\.com\/org\/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d matched arn:aws:iam::123456789012:oidc-provider\/oidc\.circleci\.com\/org\/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d$/m;
    assert.match(aud.stdout, providerLine);
    assert.match(aud.stdout, /^Token: refused by this provider's checks before the trust policy was evaluated \(see Why\)$/m);
    const signed = await runMain([
      'explain',
      ...P,
      '--role',
      'deploy-main',
      '--token',
      await circleToken({ branch: 'main' }, { aud: 'other' }),
    ]);
    assert.match(signed.stdout, providerLine);
    assert.match(signed.stdout, /Incorrect token audience/);
    const expired = await runMain([
      'explain',
      ...P,
      '--role',
      'deploy-main',
      '--preset',
      'circleci',
      '--claims',
      '{"iat":1600000000,"exp":1600003600}',
    ]);
    assert.match(expired.stdout, /^Result: ERROR ExpiredTokenException/);
    assert.match(expired.stdout, providerLine);
    const json = JSON.parse((await runMain(['explain', ...P, '--role', 'deploy-main', '--aud', 'other', '--json'])).stdout) as Record<
      string,
      unknown
    >;
    assert.equal(json['provider'], 'arn:aws:iam::123456789012:oidc-provider/oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d');
    const duration = await runMain(['explain', ...P, '--role', 'deploy-main', '--branch', 'main', '--duration-seconds', '10800']);
    assert.match(
      duration.stdout,
      /^Result: ERROR ValidationError \(HTTP 400\): The requested DurationSeconds exceeds the MaxSessionDuration set for this role\.\nWhy: DurationSeconds 10800 > MaxSessionDuration 7200/,
    );
    assert.equal(duration.code, 1);
  });

  test('--claims alone: claims of the issuer named by their iss (or --issuer), iat/exp filled in', async () => {
    const claims = {
      iss: 'https://token.actions.githubusercontent.com',
      sub: 'repo:demo-org/demo-app:ref:refs/heads/main',
      aud: 'sts.amazonaws.com',
    };
    const r = await runMain(['explain', ...P, '--role', 'github-deploy-main', '--claims', JSON.stringify(claims)]);
    assert.equal(r.code, 0, r.stdout);
    const { iss: _iss, ...rest } = claims;
    const r2 = await runMain(['explain', ...P, '--role', 'github-deploy-main', '--issuer', GH, '--claims', JSON.stringify(rest)]);
    assert.equal(r2.code, 0, r2.stdout);
  });
});

describe('explain --json: the same as data', () => {
  test('seed004-as-written: each condition with operator, key, context, policy values, outcome and why absent', async () => {
    const { code, json } = await explainJson(['--role', 'seed004-as-written', '--branch', 'main']);
    assert.equal(code, 1);
    assert.equal(json.result, 'deny');
    assert.equal(json.errorCode, 'AccessDenied');
    assert.equal(json.issuer, `https://${CIRCLE}`);
    assert.equal(json.provider, `arn:aws:iam::123456789012:oidc-provider/${CIRCLE}`);
    assert.equal(json.audience, 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d');
    assert.equal(json.role, 'arn:aws:iam::123456789012:role/seed004-as-written');
    assert.ok(json.evaluation !== null);
    assert.equal(json.evaluation.decision, 'implicitDeny');
    const s = json.evaluation.statements[0];
    assert.ok(s !== undefined);
    assert.equal(s.principalMatched, true);
    assert.equal(s.actionMatched, true);
    const ref = s.conditions.find((c) => c.key === VCS_REF_KEY);
    assert.ok(ref !== undefined);
    assert.equal(ref.operator, 'StringEquals');
    assert.equal(ref.contextValues, null);
    assert.deepEqual(ref.policyValues, ['refs/heads/main']);
    assert.equal(ref.result, false);
    assert.equal(ref.reason, 'keyAbsent');
    assert.match(ref.absentBecause ?? '', /^AWS provides no such key for this provider/);
    // The request context has only the keys AWS provides: no vcs-ref, but project-id.
    assert.equal(json.context[VCS_REF_KEY.toLowerCase()], undefined);
    assert.ok(Object.keys(json.context).some((k) => k.toLowerCase() === `${CIRCLE}:oidc.circleci.com/project-id`.toLowerCase()));
    const aud = s.conditions.find((c) => c.key === `${CIRCLE}:aud`);
    assert.deepEqual(aud?.contextValues, ['b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d']);
    assert.equal(aud?.result, true);
  });

  test('allow: result allow, no error fields', async () => {
    const { code, json } = await explainJson(['--role', 'deploy-main', '--branch', 'main']);
    assert.equal(code, 0);
    assert.equal(json.result, 'allow');
    assert.equal(json.errorCode, null);
    assert.equal(json.evaluation?.decision, 'allow');
  });

  test('an STS error before the policy: result error, evaluation null', async () => {
    const { json } = await explainJson(['--role', 'deploy-main', '--aud', 'other']);
    assert.equal(json.result, 'error');
    assert.equal(json.errorCode, 'InvalidIdentityToken');
    assert.equal(json.evaluation, null);
  });
});

describe('explain: usage errors (one line, exit 2; the spawned case is in errors.test.ts)', () => {
  const cases: { name: string; args: string[]; pattern: RegExp }[] = [
    { name: 'no --role', args: ['--preset', 'circleci'], pattern: /--role <name\|arn> is required/ },
    { name: 'neither token nor claims', args: ['--role', 'deploy-main'], pattern: /give --token <jwt>, or --claims <json>/ },
    {
      name: 'token and claims',
      args: ['--role', 'deploy-main', '--token', 'x.y.z', '--claims', '{}'],
      pattern: /--token is the whole token/,
    },
    { name: 'bad --claims', args: ['--role', 'deploy-main', '--claims', 'nope'], pattern: /--claims is not valid JSON/ },
    { name: 'unknown preset', args: ['--role', 'deploy-main', '--preset', 'x'], pattern: /unknown preset 'x'/ },
    {
      name: 'bad --duration-seconds',
      args: ['--role', 'deploy-main', '--branch', 'main', '--duration-seconds', 'abc'],
      pattern: /--duration-seconds must be a whole number/,
    },
    {
      name: 'bad --source-ip',
      args: ['--role', 'deploy-main', '--branch', 'main', '--source-ip', '999.1.1.1'],
      pattern: /--source-ip must be an IPv4 or IPv6 address/,
    },
    {
      name: '--claims without iss and several issuers',
      args: ['--role', 'deploy-main', '--claims', '{}'],
      pattern: /several emulated issuers; pick one with --issuer/,
    },
    { name: 'unknown flag', args: ['--role', 'deploy-main', '--nope'], pattern: /Unknown option '--nope'/ },
  ];
  for (const c of cases) {
    test(c.name, async () => assertOneLineError(await runMain(['explain', ...P, ...c.args]), 2, c.pattern));
  }
  test('non-existent --policies: exit 1', async () => {
    assertOneLineError(
      await runMain(['explain', '--policies', '/nonexistent', '--role', 'x', '--branch', 'main']),
      1,
      /configuration directory \/nonexistent: not found/,
    );
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The lines of one condition in explain's text output, from its header to its outcome. */
function conditionBlock(out: string, header: string): string {
  const start = out.indexOf(header);
  assert.ok(start !== -1, `no condition ${header} in:\n${out}`);
  const end = out.indexOf('outcome:', start);
  return out.slice(start, out.indexOf('\n', end) === -1 ? undefined : out.indexOf('\n', end));
}
