/** parsePolicy never throws, whatever it is given; evaluate never throws on any compiled policy and context. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { evaluate, parsePolicy } from '../../src/policy/index.js';
import { requestOf } from '../helpers/policy-vectors.js';

test('property: parsePolicy never throws and always answers ok or problems', () => {
  fc.assert(
    fc.property(fc.anything(), fc.constantFrom('trust' as const, 'session' as const), (doc, kind) => {
      const r = parsePolicy(doc, kind);
      return r.ok ? typeof r.policy.json === 'string' : r.problems.length > 0;
    }),
    { numRuns: 2000 },
  );
});

const operator = fc.constantFrom(
  'StringEquals',
  'StringNotEquals',
  'StringLike',
  'ForAnyValue:StringNotLike',
  'ForAllValues:StringEqualsIgnoreCase',
  'ArnLike',
  'ArnNotEqualsIfExists',
  'Bool',
  'Null',
  'StringLikeIfExists',
);
const text = fc.string({ maxLength: 12, unit: fc.constantFrom('a', '*', '?', ':', '$', '{', '}', ' ', ',', "'", 'k') });

test('property: evaluate never throws and traces every statement and condition', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(operator, fc.array(text, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 4 }),
      fc.dictionary(fc.constantFrom('k:a', 'k:b', 'k:aa'), fc.oneof(text, fc.array(text, { maxLength: 3 }))),
      (conds, ctx) => {
        const Condition: Record<string, Record<string, string[]>> = {};
        conds.forEach(([op, values], i) => {
          Condition[op] = { ...(Condition[op] ?? {}), [`k:${'a'.repeat(1 + (i % 2))}`]: values };
        });
        const parsed = parsePolicy(
          { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Condition }] },
          'trust',
        );
        if (!parsed.ok) return true; // e.g. Bool/Null with a non-boolean value
        const result = evaluate(parsed.policy, requestOf({ context: ctx }));
        const count = Object.values(Condition).reduce((n, keys) => n + Object.keys(keys).length, 0);
        assert.equal(result.statements[0]?.conditions.length, count);
        return ['allow', 'implicitDeny'].includes(result.decision);
      },
    ),
    { numRuns: 1500 },
  );
});

test('a compiled policy is reusable and evaluation does not mutate the request', () => {
  const parsed = parsePolicy(
    {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Condition: { StringLike: { 'k:a': '${k:b}*' } } }],
    },
    'trust',
  );
  assert.ok(parsed.ok);
  const request = requestOf({ context: { 'k:a': 'xy', 'k:b': 'x' } });
  const before = JSON.stringify([...request.context.values]);
  assert.equal(evaluate(parsed.policy, request).decision, 'allow');
  assert.equal(evaluate(parsed.policy, requestOf({ context: { 'k:a': 'xy', 'k:b': 'z' } })).decision, 'implicitDeny');
  assert.equal(evaluate(parsed.policy, request).decision, 'allow');
  assert.equal(JSON.stringify([...request.context.values]), before);
});
