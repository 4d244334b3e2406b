/**
 * Near misses: when a token is refused, `explain` names what to change, one line each after the trace, and the
 * package API's decide() gives the same (as data, and in its explain text). One table row per kind, each run
 * through both: the CLI (text and --json) and decide().
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { decide } from '../../src/index.js';
import { DEMO_POLICIES, REPO_ROOT } from '../helpers/harness.js';
import { NEAR_MISS_KINDS, type NearMissKind } from '../../src/sts/index.js';
import { CIRCLE, CIRCLE_ARN, GH, GH_ARN, ORG, policiesWith, PROJECT, runMain, tempDir, trustRole } from './helpers.js';

const GH_AUD = { [`${GH}:aud`]: 'sts.amazonaws.com' };
const CIRCLE_AUD = { [`${CIRCLE}:aud`]: ORG };
const V2_MAIN = `org/${ORG}/project/${PROJECT}/user/*/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main`;

const ROLES: Record<string, unknown> = {
  'gh-main.json': trustRole('gh-main', GH_ARN, {
    StringEquals: { ...GH_AUD, [`${GH}:sub`]: 'repo:demo-org/demo-app:ref:refs/heads/main' },
  }),
  'gh-main-like.json': trustRole('gh-main-like', GH_ARN, {
    StringEquals: GH_AUD,
    StringLike: { [`${GH}:sub`]: 'repo:demo-org/demo-app:ref:refs/heads/*' },
  }),
  'gh-star.json': trustRole('gh-star', GH_ARN, { StringEquals: { ...GH_AUD, [`${GH}:sub`]: 'repo:demo-org/demo-app:*' } }),
  'circle-v2.json': trustRole('circle-v2', CIRCLE_ARN, { StringEquals: CIRCLE_AUD, StringLike: { [`${CIRCLE}:sub`]: V2_MAIN } }),
  'circle-vcs-ref.json': trustRole('circle-vcs-ref', CIRCLE_ARN, {
    StringEquals: { ...CIRCLE_AUD, [`${CIRCLE}:oidc.circleci.com/vcs-ref`]: 'refs/heads/main' },
  }),
  'gh-deny-env.json': trustRole('gh-deny-env', GH_ARN, undefined, {
    Effect: 'Deny',
    Condition: { StringEquals: { [`${GH}:sub`]: 'repo:demo-org/demo-app:environment:prod' } },
  }),
};

interface Row {
  readonly name: string;
  readonly role: string;
  readonly preset: 'circleci' | 'github';
  /** Preset options, as decide() takes them; the CLI gets them as flags. */
  readonly options: Readonly<Record<string, string | boolean>>;
  /** The kinds of the near misses, in order (empty: none). */
  readonly kinds: readonly NearMissKind[];
  /** The first near miss's text, exactly. */
  readonly text?: string;
  readonly code?: string;
}

const ROWS: readonly Row[] = [
  {
    name: 'a value that differs only in case (StringEquals)',
    role: 'gh-main',
    preset: 'github',
    options: { repository: 'Demo-Org/demo-app' },
    kinds: ['caseOnly'],
    text: `${GH}:sub is "repo:Demo-Org/demo-app:ref:refs/heads/main" in the token and "repo:demo-org/demo-app:ref:refs/heads/main" in the policy: they differ only in case and StringEquals is case-sensitive; write the policy value in the token's case, or use StringEqualsIgnoreCase`,
  },
  {
    name: 'a value that differs only in case (StringLike: no IgnoreCase variant to suggest)',
    role: 'gh-main-like',
    preset: 'github',
    options: { repository: 'Demo-Org/demo-app' },
    kinds: ['caseOnly'],
    text: `${GH}:sub is "repo:Demo-Org/demo-app:ref:refs/heads/main" in the token and "repo:demo-org/demo-app:ref:refs/heads/*" in the policy: they differ only in case and StringLike is case-sensitive; write the policy value in the token's case`,
  },
  {
    name: 'an environment: subject meeting a ref: pattern',
    role: 'gh-main',
    preset: 'github',
    options: { environment: 'prod' },
    kinds: ['environmentSubject'],
    text: `the token's sub "repo:demo-org/demo-app:environment:prod" names a GitHub environment: a job that runs in an environment gets repo:<owner>/<repo>:environment:<name> as its sub, never :ref:, so allow "repo:demo-org/demo-app:environment:prod" and check the branch with "${GH}:ref"`,
  },
  {
    name: 'a CircleCI V1 token meeting a V2 pattern',
    role: 'circle-v2',
    preset: 'circleci',
    options: { branch: 'main', v1: true },
    kinds: ['circleciV1Subject'],
  },
  {
    name: 'a wildcard under StringEquals',
    role: 'gh-star',
    preset: 'github',
    options: {},
    kinds: ['wildcardUnderEquals'],
    text: `"repo:demo-org/demo-app:*" holds a wildcard, but StringEquals compares literally; StringLike would match "repo:demo-org/demo-app:ref:refs/heads/main"`,
  },
  {
    name: 'a key AWS does not provide for this provider',
    role: 'circle-vcs-ref',
    preset: 'circleci',
    options: { branch: 'main' },
    kinds: ['keyNotProvided'],
    text: `AWS does not put ${CIRCLE}:oidc.circleci.com/vcs-ref in the request context for ${CIRCLE}, so this condition never holds (the token's 'oidc.circleci.com/vcs-ref' is "refs/heads/main"): match it inside ${CIRCLE}:sub instead`,
  },
  {
    name: 'the audience that ClientIDList expected',
    role: 'circle-v2',
    preset: 'circleci',
    options: { branch: 'main', aud: 'sts.amazonaws.com' },
    kinds: ['audience'],
    code: 'InvalidIdentityToken',
    text: `the token's aud is "sts.amazonaws.com", and the ClientIDList of ${CIRCLE} expects "${ORG}": mint the token for "${ORG}", or add "sts.amazonaws.com" to the provider's ClientIDList`,
  },
  { name: 'allowed: no near miss', role: 'circle-v2', preset: 'circleci', options: { branch: 'main' }, kinds: [] },
  { name: 'another branch is not a near miss', role: 'circle-v2', preset: 'circleci', options: { branch: 'feature/x' }, kinds: [] },
  {
    name: 'an explicit Deny: the Allow statements are beside the point',
    role: 'gh-deny-env',
    preset: 'github',
    options: { environment: 'prod' },
    kinds: [],
  },
];

const flags = (options: Row['options']): string[] =>
  Object.entries(options).flatMap(([k, v]) => (v === true ? [`--${k}`] : v === false ? [] : [`--${k}`, v]));

let policies: string;
let cleanup: () => Promise<void>;
before(async () => {
  const made = await tempDir('sts-near-miss-');
  cleanup = made.cleanup;
  policies = await policiesWith(join(made.dir, 'p'), ROLES);
});
after(() => cleanup());

test('every kind has a row', () => {
  for (const kind of Object.keys(NEAR_MISS_KINDS))
    assert.ok(
      ROWS.some((r) => r.kinds.includes(kind as NearMissKind)),
      kind,
    );
});

describe('near misses through explain (CLI) and decide() (API)', () => {
  for (const row of ROWS) {
    test(row.name, async () => {
      const args = ['explain', '--policies', policies, '--role', row.role, '--preset', row.preset, ...flags(row.options)];
      const text = await runMain(args);
      assert.equal(text.stderr, '');
      const lines = text.stdout.trimEnd().split('\n');
      const misses = lines.filter((l) => l.startsWith('Near miss: '));
      assert.equal(misses.length, row.kinds.length, text.stdout);
      // One line each, after the trace: the last lines of the output.
      assert.deepEqual(lines.slice(lines.length - misses.length), misses);
      if (row.kinds.length === 0) {
        assert.ok(!text.stdout.includes('Near miss'));
      } else {
        assert.equal(text.code, 1);
        assert.match(lines[0] ?? '', new RegExp(`^Result: (DENY AccessDenied|ERROR ${row.code ?? 'AccessDenied'})`));
      }
      if (row.text !== undefined) assert.equal(misses[0], `Near miss: ${row.text}`);

      const json = await runMain([...args, '--json']);
      const data = JSON.parse(json.stdout) as { nearMisses: { kind: string; text: string }[]; errorCode: string | null };
      assert.deepEqual(
        data.nearMisses.map((m) => m.kind),
        row.kinds,
      );
      assert.deepEqual(
        data.nearMisses.map((m) => `Near miss: ${m.text}`),
        misses,
      );
      if (row.code !== undefined) assert.equal(data.errorCode, row.code);

      const d = await decide({ policies, role: row.role, preset: { name: row.preset, ...row.options } });
      assert.deepEqual(d.nearMisses, data.nearMisses);
      assert.deepEqual(
        d.explain.split('\n').filter((l) => l.startsWith('Near miss: ')),
        misses,
      );
    });
  }
});

test("README's near-miss example is the real last line of its command on the default policies", async () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const command = 'npx sts-emulator explain --role github-deploy-main --preset github --environment prod';
  assert.ok(readme.includes(command));
  const r = await runMain(['explain', '--policies', DEMO_POLICIES, ...command.split(' ').slice(3)]);
  const last = r.stdout.trimEnd().split('\n').at(-1) ?? '';
  assert.match(last, /^Near miss: /);
  assert.ok(readme.includes('```text\n' + last + '\n```'), last);
});
