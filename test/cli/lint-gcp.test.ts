/**
 * `sts-emulator lint` over a policies directory with gcp/: the Google Cloud findings in every format (text, json,
 * sarif, github) with their file, line and column; the Google Cloud demo (examples/gcp/policies) passes --strict.
 */
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '../helpers/harness.js';
import { runMain, tempDir } from './helpers.js';

const GCP_DEMO = join(REPO_ROOT, 'examples', 'gcp', 'policies');
const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const PROJECT = '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5';
const POOL_FILE = join('gcp', 'pools', 'circleci-demo.json');

let dir: string;
let cleanup: () => Promise<void>;
let policies: string;
before(async () => {
  ({ dir, cleanup } = await tempDir('sts-cli-lint-gcp-'));
  policies = join(dir, 'policies');
  await cp(GCP_DEMO, policies, { recursive: true });
  // The demo as it was: the org and the branch, no project; and the deployer bound to the whole pool.
  const pool = JSON.parse(await readFile(join(policies, POOL_FILE), 'utf8')) as Record<string, unknown>;
  pool['attributeCondition'] = `attribute.org_id == '${ORG}' && assertion['oidc.circleci.com/vcs-ref'] == 'refs/heads/main'`;
  await writeFile(join(policies, POOL_FILE), JSON.stringify(pool, null, 2) + '\n');
  const saFile = join(policies, 'gcp', 'service-accounts', 'deployer.json');
  const sa = JSON.parse(await readFile(saFile, 'utf8')) as { bindings: { members: string[] }[] };
  sa.bindings[0]?.members.push(
    'principalSet://iam.googleapis.com/projects/314159265358/locations/global/workloadIdentityPools/circleci-pool/*',
  );
  await writeFile(saFile, JSON.stringify(sa, null, 2) + '\n');
});
after(() => cleanup());

const lint = (...args: string[]) => runMain(['lint', '--policies', 'policies', ...args], undefined, dir);

test('text: file:line:column, path, severity, rule, message naming the token, fix; the summary counts the Google Cloud files', async () => {
  const r = await lint();
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const pool = lines.find((l) => l.startsWith('policies/gcp/pools/circleci-demo.json:'));
  assert.equal(
    pool,
    `policies/gcp/pools/circleci-demo.json:12:25: attributeCondition: warning [gcp-circleci-org-wide] the attribute condition does not pin the CircleCI project on CircleCI organisation ${ORG}'s issuer: a job of another CircleCI project gets in (oidc.circleci.com/project-id '00000000-0000-4000-8000-000000000000', google.subject 'org/${ORG}/project/00000000-0000-4000-8000-000000000000/user/00000000-0000-4000-8000-000000000001')`,
  );
  assert.ok(
    lines.includes(
      `    fix: pin it: "attributeCondition": "attribute.org_id == '${ORG}' && assertion['oidc.circleci.com/vcs-ref'] == 'refs/heads/main' && attribute.project == '${PROJECT}'"`,
    ),
    r.stdout,
  );
  const sa = lines.find((l) => l.startsWith('policies/gcp/service-accounts/deployer.json:'));
  assert.match(
    sa ?? '',
    /^policies\/gcp\/service-accounts\/deployer\.json:9:9: bindings\[0\]\.members\[1\]: warning \[gcp-binding-whole-pool\] /,
  );
  assert.equal(lines.at(-2), '0 errors, 2 warnings, 2 infos in 1 roles, 1 Google Cloud provider and 2 service accounts');
  assert.equal((await lint('--strict')).code, 1);
});

test('json: the findings with target, role (pool/provider, email), path, line and column', async () => {
  const r = await lint('--format', 'json');
  const out = JSON.parse(r.stdout) as { findings: Record<string, unknown>[]; warnings: number };
  const gcp = out.findings.filter((f) => f['target'] !== undefined);
  assert.deepEqual(
    gcp.map((f) => [f['rule'], f['file'], f['role'], f['target'], f['path'], f['line'], f['column']]),
    [
      [
        'gcp-circleci-org-wide',
        'policies/gcp/pools/circleci-demo.json',
        'circleci-pool/circleci-demo',
        'gcp-provider',
        'attributeCondition',
        12,
        25,
      ],
      [
        'gcp-binding-whole-pool',
        'policies/gcp/service-accounts/deployer.json',
        'deployer@demo-project.iam.gserviceaccount.com',
        'gcp-service-account',
        'bindings[0].members[1]',
        9,
        9,
      ],
    ],
  );
});

test('sarif: the Google Cloud rules described (tagged google-cloud), each result with its file and region', async () => {
  const r = await lint('--format', 'sarif');
  const log = JSON.parse(r.stdout) as {
    runs: { tool: { driver: { rules: { id: string; properties: { tags: string[] } }[] } }; results: Record<string, unknown>[] }[];
  };
  const run = log.runs[0];
  assert.ok(run !== undefined);
  const rule = run.tool.driver.rules.find((x) => x.id === 'gcp-shared-issuer-open');
  assert.ok(rule?.properties.tags.includes('google-cloud'));
  const result = run.results.find((x) => x['ruleId'] === 'gcp-circleci-org-wide') as {
    level: string;
    locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[];
  };
  assert.equal(result.level, 'warning');
  assert.deepEqual(result.locations[0]?.physicalLocation, {
    artifactLocation: { uri: 'policies/gcp/pools/circleci-demo.json' },
    region: { startLine: 12, startColumn: 25 },
  });
});

test('github: a workflow command on the line, titled with the provider or the service account', async () => {
  const r = await lint('--format', 'github');
  const lines = r.stdout.split('\n');
  assert.ok(
    lines.some((l) =>
      l.startsWith(
        '::warning file=policies/gcp/pools/circleci-demo.json,line=12,col=25,title=gcp-circleci-org-wide (Google Cloud provider circleci-pool/circleci-demo)::the attribute condition',
      ),
    ),
    r.stdout,
  );
  assert.ok(
    lines.some((l) =>
      l.startsWith(
        '::warning file=policies/gcp/service-accounts/deployer.json,line=9,col=9,title=gcp-binding-whole-pool (service account deployer@demo-project.iam.gserviceaccount.com)::',
      ),
    ),
    r.stdout,
  );
});

test('the Google Cloud demo is clean: no Google Cloud finding, and --strict passes (infos only)', async () => {
  const r = await runMain(['lint', '--policies', GCP_DEMO, '--strict', '--format', 'json']);
  assert.equal(r.code, 0, r.stdout);
  const out = JSON.parse(r.stdout) as { findings: { target?: string }[]; errors: number; warnings: number };
  assert.deepEqual([out.errors, out.warnings, out.findings.filter((f) => f.target !== undefined).length], [0, 0, 0]);
});
