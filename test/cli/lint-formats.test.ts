/**
 * `lint --format sarif` is valid SARIF 2.1.0 (the OASIS schema, vendored in test/fixtures/sarif, validated with ajv
 * in its draft-07 mode), with the rule table as rule metadata and each result on the line its JSON path is written
 * on; `--format github` prints one workflow command per finding on the same lines; README's annotation example is a
 * line of the real output; --format and --json refuse to disagree.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { RULES } from '../../src/lint/index.js';
import { DEMO_POLICIES, REPO_ROOT } from '../helpers/harness.js';
import { assertOneLineError, CIRCLE_ARN, GH_ARN, GH, ORG, policiesWith, runMain, tempDir, trustRole } from './helpers.js';

interface JsonFinding {
  severity: string;
  rule: string;
  file: string;
  path: string;
  line?: number;
  column?: number;
  message: string;
  fix: string;
}

function sarifValidator(): (data: unknown) => { valid: boolean; errors: string } {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  // Ajv's default (draft-07) mode, strict; unicodeRegExp: false, as the schema's `language` pattern
  // (^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$) has a lone ']' that the u flag refuses.
  const ajv = new Ajv({ allErrors: true, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => URL.canParse(s, 'http://base.invalid/'));
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s));
  const validate = ajv.compile(schema);
  return (data) => ({ valid: validate(data) === true, errors: ajv.errorsText(validate.errors, { separator: '\n' }) });
}

/** The line of a file on which a finding's JSON path is written names the path's last key (or, for a list value, its key's line or later). */
function assertOnItsLine(file: string, line: number, path: string): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  const key = /(?:\.(\w+)|\["([^"]+)"\])(?:\[\d+\])?$/.exec(path);
  const name = key?.[1] ?? key?.[2] ?? assert.fail(path);
  const text = lines[line - 1] ?? '';
  assert.ok(text.includes(`"${name}"`) || /\[\d+\]$/.test(path), `${file}:${line} should hold ${path}: ${text}`);
}

let dir: string;
let cleanup: () => Promise<void>;
let mixed: string;
before(async () => {
  ({ dir, cleanup } = await tempDir('sts-cli-lint-formats-'));
  // An error, a warning and an info, in a file with a comma and a space in its name.
  mixed = await policiesWith(join(dir, 'mixed'), {
    'gh, any.json': trustRole('gh-any', GH_ARN, {
      StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' },
      StringLike: { [`${GH}:sub`]: 'repo:*' },
    }),
    'ci.json': trustRole('ci', CIRCLE_ARN, { StringLike: { [`oidc.circleci.com/org/${ORG}:sub`]: `org/${ORG}/project/*/user/*` } }),
  });
});
after(() => cleanup());

describe('lint --format sarif', () => {
  const validate = sarifValidator();

  test('the default policies: valid SARIF 2.1.0, every rule described, each result on its line', async () => {
    const r = await runMain(['lint', '--format', 'sarif']);
    assert.equal(r.code, 1);
    const log = JSON.parse(r.stdout) as {
      version: string;
      runs: { tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } }; results: Record<string, any>[] }[];
    };
    const { valid, errors } = validate(log);
    assert.ok(valid, errors);
    // The schema does bite: a result without a message, a level SARIF does not know.
    const broken = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    delete broken.runs[0]?.results[0]?.['message'];
    if (broken.runs[0]?.results[1] !== undefined) broken.runs[0].results[1]['level'] = 'info';
    assert.equal(validate(broken).valid, false);
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0] ?? assert.fail('one run');
    assert.deepEqual(
      run.tool.driver.rules.map((d) => d.id),
      RULES.map((x) => x.id),
    );
    const json = JSON.parse((await runMain(['lint', '--json'])).stdout) as { findings: JsonFinding[] };
    assert.equal(run.results.length, json.findings.length);
    run.results.forEach((res, i) => {
      const f = json.findings[i] as JsonFinding;
      assert.equal(res['ruleId'], f.rule);
      assert.equal(run.tool.driver.rules[res['ruleIndex']]?.id, f.rule);
      assert.equal(res['level'], { error: 'error', warning: 'warning', info: 'note' }[f.severity]);
      const loc = res['locations'][0].physicalLocation;
      assert.equal(loc.artifactLocation.uri, f.file);
      assert.equal(loc.region.startLine, f.line);
      assert.equal(loc.region.startColumn, f.column);
      assertOnItsLine(join(REPO_ROOT, f.file), f.line as number, f.path);
      assert.match(res['message'].text, /\. Fix: /);
    });
  });

  test('every severity, a file name to percent-encode, and files outside the current directory (file:// URIs)', async () => {
    const here = await runMain(['lint', '--policies', mixed, '--format', 'sarif'], undefined, mixed);
    const outside = await runMain(['lint', '--policies', mixed, '--format', 'sarif'], undefined, REPO_ROOT);
    for (const r of [here, outside]) {
      assert.equal(r.code, 1);
      const log = JSON.parse(r.stdout) as { runs: { results: Record<string, any>[] }[] };
      const { valid, errors } = validate(log);
      assert.ok(valid, errors);
      const results = log.runs[0]?.results ?? [];
      assert.deepEqual(new Set(results.map((x) => x['level'])), new Set(['error', 'warning', 'note']));
      for (const res of results) {
        const loc = res['locations'][0].physicalLocation;
        const file = r === here ? join(mixed, decodeURIComponent(loc.artifactLocation.uri)) : fileURLToPath(loc.artifactLocation.uri);
        assertOnItsLine(file, loc.region.startLine, res['properties'].jsonPath);
      }
    }
    const uris = (JSON.parse(here.stdout) as { runs: { results: Record<string, any>[] }[] }).runs[0]?.results.map(
      (x) => x['locations'][0].physicalLocation.artifactLocation.uri,
    );
    assert.ok(uris?.includes('roles/gh%2C%20any.json'), String(uris));
  });
});

describe('lint --format github', () => {
  test('one workflow command per finding, on the line of the JSON findings, then the summary', async () => {
    const r = await runMain(['lint', '--format', 'github']);
    assert.equal(r.code, 1);
    const json = JSON.parse((await runMain(['lint', '--json'])).stdout) as { findings: JsonFinding[] };
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, json.findings.length + 1);
    json.findings.forEach((f, i) => {
      const command = { error: 'error', warning: 'warning', info: 'notice' }[f.severity];
      const title = `${f.rule} (role ${(f as unknown as { role: string }).role})`;
      assert.equal(
        lines[i],
        `::${command} file=${f.file},line=${f.line},col=${f.column},title=${title}::${`${f.message}\nfix: ${f.fix}`.replace(/%/g, '%25').replace(/\n/g, '%0A')}`,
      );
    });
    assert.match(lines.at(-1) ?? '', /^\d+ errors?, \d+ warnings?, \d+ infos? in \d+ roles$/);
  });

  test('properties are escaped (a comma in the file name)', async () => {
    const r = await runMain(['lint', '--policies', mixed, '--format', 'github'], undefined, mixed);
    assert.match(r.stdout, /^::error file=roles\/gh%2C any\.json,line=\d+,col=\d+,title=subject-open-to-anyone \(role gh-any\)::/m);
  });

  test('README shows a finding as GitHub annotates it: a line of `lint --format github` on the default policies', async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('### `lint');
    const section = readme.slice(start, readme.indexOf('\n## ', start));
    const block =
      /lint --format github` on the default policies[\s\S]*?```text\n([\s\S]*?)```/.exec(section)?.[1] ??
      assert.fail('a ```text block after "`npx sts-emulator lint --format github` on the default policies"');
    const r = await runMain(['lint', '--format', 'github']);
    const real = new Set(r.stdout.split('\n'));
    for (const line of block.trimEnd().split('\n')) assert.ok(real.has(line), `not a line of the real output: ${line}`);
  });
});

describe('lint: --format usage errors', () => {
  test('an unknown format, and --json with another format: exit 2, one line', async () => {
    assertOneLineError(await runMain(['lint', '--format', 'xml']), 2, /--format must be one of text, json, sarif, github, got 'xml'/);
    assertOneLineError(await runMain(['lint', '--json', '--format', 'sarif']), 2, /--json and --format sarif disagree/);
  });
  test('--json --format json is json', async () => {
    const r = await runMain(['lint', '--json', '--format', 'json', '--policies', DEMO_POLICIES]);
    assert.ok(Array.isArray((JSON.parse(r.stdout) as { findings: unknown[] }).findings));
  });
});
