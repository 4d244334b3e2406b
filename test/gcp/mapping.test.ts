/**
 * Google's attribute mapping and attribute condition as tables of vectors (shared/reference/gcp-wif.md §2.2, §2.3):
 * values, evaluation errors (an attribute left unset; a condition that errors refuses like false), the Google-specific
 * extract(), the size limits (google.subject 127 bytes, counted in UTF-8 bytes; 8 KB in all), and the sub-expression
 * of a condition `a && b` that was not true.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCel, extract } from '../../src/gcp/cel.js';
import { compileMapping, mapAndCheck, MAPPING_REASONS, type MappingResult } from '../../src/gcp/mapping.js';

const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const PROJECT = '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5';
const CIRCLE = {
  iss: `https://oidc.circleci.com/org/${ORG}`,
  aud: ORG,
  sub: `org/${ORG}/project/${PROJECT}/user/5d8e2a4c-6f1b-4e9d-a3c7-b9d1f3e5a7c9`,
  iat: 1_800_000_000,
  exp: 1_800_003_600,
  'oidc.circleci.com/project-id': PROJECT,
  'oidc.circleci.com/vcs-ref': 'refs/heads/main',
  'oidc.circleci.com/context-ids': ['c1', 'c2'],
};
const CIRCLE_MAPPING = {
  'google.subject': 'assertion.sub',
  'attribute.org_id': 'assertion.aud',
  'attribute.project': "assertion['oidc.circleci.com/project-id']",
};

function compile(mapping: Record<string, string>, condition?: string) {
  const m = compileMapping(mapping);
  assert.deepEqual(m.problems, []);
  if (condition === undefined) return { mapping: m.mapping, condition: undefined };
  const c = compileCel(condition);
  assert.ok(c.ok, `condition compiles: ${c.ok ? '' : c.message}`);
  return { mapping: m.mapping, condition: c.program };
}

function run(mapping: Record<string, string>, claims: Record<string, unknown>, condition?: string): MappingResult {
  const c = compile(mapping, condition);
  return mapAndCheck(c.mapping, c.condition, claims);
}

const attributeVectors: {
  name: string;
  expression: string;
  claims?: Record<string, unknown>;
  value?: string | string[];
  error?: RegExp;
}[] = [
  { name: 'a claim', expression: 'assertion.sub', value: CIRCLE.sub },
  { name: 'a claim with dots and a slash, by index', expression: "assertion['oidc.circleci.com/project-id']", value: PROJECT },
  { name: 'a list claim', expression: "assertion['oidc.circleci.com/context-ids']", value: ['c1', 'c2'] },
  { name: 'string concatenation', expression: "'org:' + assertion.aud", value: `org:${ORG}` },
  { name: 'a number claim, as text', expression: 'assertion.iat', value: '1800000000' },
  {
    name: 'a conditional',
    expression: "assertion['oidc.circleci.com/vcs-ref'].startsWith('refs/heads/') ? 'branch' : 'other'",
    value: 'branch',
  },
  { name: 'extract() after a prefix', expression: "assertion.sub.extract('/project/{p}/user/')", value: PROJECT },
  { name: 'extract() to the end', expression: "assertion.sub.extract('/user/{u}')", value: '5d8e2a4c-6f1b-4e9d-a3c7-b9d1f3e5a7c9' },
  { name: 'extract() without its prefix gives empty', expression: "assertion.sub.extract('/nothing/{x}')", value: '' },
  { name: 'a missing claim: an error, the attribute unset', expression: 'assertion.nosuch', error: /nosuch/ },
  { name: 'a type error', expression: 'assertion.sub + 1', error: /./ },
  { name: 'a map is not an attribute value', expression: "{'a': 'b'}", error: /not a string/ },
  { name: 'a list with a number is not an attribute value', expression: "['a', 1]", error: /not a string/ },
];

for (const v of attributeVectors) {
  test(`mapping: ${v.name}`, () => {
    const result = run({ 'google.subject': 'assertion.sub', 'attribute.x': v.expression }, v.claims ?? CIRCLE);
    const trace = result.trace.attributes.find((t) => t.key === 'attribute.x');
    assert.ok(trace !== undefined);
    assert.equal(trace.expression, v.expression);
    if (v.error !== undefined) {
      assert.ok('error' in trace.outcome, `expected an error, got ${JSON.stringify(trace.outcome)}`);
      assert.match(trace.outcome.error, v.error);
      assert.equal(Object.hasOwn(result.attributes, 'x'), false);
      assert.equal(result.allowed, true, 'an attribute that errors does not refuse by itself');
    } else {
      assert.deepEqual(trace.outcome, { value: v.value });
      assert.deepEqual(result.attributes['x'], v.value);
    }
  });
}

const extractVectors: [string, string, string][] = [
  ['foo/bar/baz', '/bar/{x}', 'baz'],
  ['arn:aws:sts::123:assumed-role/r/s', '{account_arn}assumed-role/', 'arn:aws:sts::123:'],
  ['a/users/b', '/users/{sub}', 'b'],
  ['abc', '{all}', 'abc'],
  ['abc', 'x{v}', ''],
  ['a-b-c', '-{v}-', 'b'],
  ['a-b', '-{v}-', ''],
  ['abc', 'no placeholder', ''],
];
for (const [value, template, expected] of extractVectors) {
  test(`extract(): '${value}'.extract('${template}') is '${expected}'`, () => assert.equal(extract(value, template), expected));
}

const conditionVectors: {
  name: string;
  condition: string;
  claims?: Record<string, unknown>;
  allowed: boolean;
  failing?: string;
  error?: RegExp;
}[] = [
  { name: 'the org and project hold', condition: `attribute.org_id == '${ORG}' && attribute.project == '${PROJECT}'`, allowed: true },
  {
    name: 'the second clause is false: it is named',
    condition: `attribute.org_id == '${ORG}' && assertion['oidc.circleci.com/vcs-ref'] == 'refs/heads/release'`,
    allowed: false,
    failing: 'assertion["oidc.circleci.com/vcs-ref"] == "refs/heads/release"',
  },
  {
    name: 'the first of three clauses is false',
    condition: `attribute.project == 'other' && attribute.org_id == '${ORG}' && true`,
    allowed: false,
    failing: 'attribute.project == "other"',
  },
  { name: 'google.subject is visible', condition: `google.subject.startsWith('org/${ORG}/')`, allowed: true },
  { name: "'in' a list claim", condition: "'c2' in assertion['oidc.circleci.com/context-ids']", allowed: true },
  {
    name: 'a missing claim is an error, which refuses like false',
    condition: "assertion.nosuch == 'x'",
    allowed: false,
    error: /nosuch/,
  },
  {
    name: 'an error in one clause of &&: that clause is named with its error',
    condition: `attribute.org_id == '${ORG}' && attribute.nosuch == 'x'`,
    allowed: false,
    failing: 'attribute.nosuch == "x"',
    error: /nosuch/,
  },
  { name: 'a non-boolean result refuses', condition: 'assertion.sub', allowed: false },
  {
    name: 'a missing sub: the condition errors (MEAS: condition error, not a mapping error)',
    condition: "assertion.sub == 'x'",
    claims: { ...CIRCLE, sub: undefined },
    allowed: false,
    error: /sub/,
  },
  { name: '|| is evaluated whole', condition: "attribute.project == 'a' || attribute.project == 'b'", allowed: false },
];

for (const v of conditionVectors) {
  test(`condition: ${v.name}`, () => {
    const claims = JSON.parse(JSON.stringify(v.claims ?? CIRCLE)) as Record<string, unknown>;
    const result = run(CIRCLE_MAPPING, claims, v.condition);
    assert.equal(result.allowed, v.allowed, JSON.stringify(result.trace.condition));
    const trace = result.trace.condition;
    assert.ok(trace !== undefined);
    assert.equal(trace.expression, v.condition);
    if (v.allowed) {
      assert.deepEqual(trace.outcome, { ok: true, value: true });
      return;
    }
    assert.equal(result.reason, MAPPING_REASONS.conditionRejected);
    assert.equal(trace.failing?.expression, v.failing);
    if (v.error !== undefined) {
      const outcome = trace.failing?.outcome ?? trace.outcome;
      assert.ok(!outcome.ok, 'an evaluation error');
      assert.match(outcome.error, v.error);
    }
  });
}

const limitVectors: {
  name: string;
  claims: Record<string, unknown>;
  mapping?: Record<string, string>;
  reason?: string;
  attribute?: string;
}[] = [
  { name: 'google.subject of 127 bytes is accepted', claims: { ...CIRCLE, sub: 'a'.repeat(127) } },
  {
    name: 'google.subject of 128 bytes is refused',
    claims: { ...CIRCLE, sub: 'a'.repeat(128) },
    reason: MAPPING_REASONS.subjectTooLong,
    attribute: 'google.subject',
  },
  {
    name: 'bytes, not characters: 64 × é is 128 bytes',
    claims: { ...CIRCLE, sub: 'é'.repeat(64) },
    reason: MAPPING_REASONS.subjectTooLong,
    attribute: 'google.subject',
  },
  {
    name: 'CircleCI V2 sub (with vcs-origin and vcs-ref) is over 127 bytes',
    claims: { ...CIRCLE, sub: `${CIRCLE.sub}/vcs-origin/github.com/demo-org/demo-app/vcs-ref/refs/heads/main` },
    reason: MAPPING_REASONS.subjectTooLong,
    attribute: 'google.subject',
  },
  {
    name: 'a custom attribute over 127 bytes is refused, named',
    claims: { ...CIRCLE, long: 'x'.repeat(200) },
    mapping: { ...CIRCLE_MAPPING, 'attribute.long': 'assertion.long' },
    reason: MAPPING_REASONS.attributeTooLong,
    attribute: 'attribute.long',
  },
  {
    name: 'all mapped attributes over 8 KB are refused',
    claims: { ...CIRCLE, groups: Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')}${'g'.repeat(97)}`) },
    mapping: { ...CIRCLE_MAPPING, 'google.groups': 'assertion.groups' },
    reason: MAPPING_REASONS.mappedTooLarge,
  },
  {
    name: 'no google.subject (its claim missing) is refused',
    claims: { ...CIRCLE, sub: undefined },
    reason: MAPPING_REASONS.noSubject,
    attribute: 'google.subject',
  },
  {
    name: 'an empty google.subject is refused',
    claims: { ...CIRCLE, sub: '' },
    reason: MAPPING_REASONS.noSubject,
    attribute: 'google.subject',
  },
];

for (const v of limitVectors) {
  test(`limits: ${v.name}`, () => {
    const claims = JSON.parse(JSON.stringify(v.claims)) as Record<string, unknown>;
    const result = run(v.mapping ?? CIRCLE_MAPPING, claims);
    assert.equal(result.allowed, v.reason === undefined);
    assert.equal(result.reason, v.reason);
    assert.equal(result.attribute, v.attribute);
  });
}

test('mapping: google.subject is evaluated first, whatever the order written', () => {
  const result = run({ 'attribute.project': "assertion['oidc.circleci.com/project-id']", 'google.subject': 'assertion.sub' }, CIRCLE);
  assert.deepEqual(
    result.trace.attributes.map((t) => t.key),
    ['google.subject', 'attribute.project'],
  );
});

test('compile: a syntax error is a message, never a throw', () => {
  const c = compileCel("assertion.sub == = 'x'");
  assert.equal(c.ok, false);
  assert.match(c.ok ? '' : c.message, /<input>:1:/);
  const m = compileMapping({ 'google.subject': 'assertion.(' });
  assert.equal(m.problems.length, 1);
  assert.equal(m.problems[0]?.key, 'google.subject');
});
