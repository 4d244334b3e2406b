/**
 * What decided an evaluation (the page's highlighted part) and the one-line reason built from the same rule: a table
 * of evaluations, each with its deciding parts and its reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConditionTrace, EvaluationResult, StatementTrace } from '../../src/policy/index.js';
import { decidingParts, type DecidingPart } from '../../src/sts/index.js';
import { denyReason } from '../../src/sts/deny-reason.js';

const cond = (key: string, result: boolean, contextValues: readonly string[] | null = ['x']): ConditionTrace => ({
  operator: 'StringEquals',
  key,
  contextValues,
  policyValues: ['y'],
  result,
  reason: result ? 'matched' : 'noValueMatched',
});

const stmt = (index: number, effect: 'Allow' | 'Deny', parts: Partial<StatementTrace> = {}): StatementTrace => {
  const s = { index, sid: undefined, effect, principalMatched: true, actionMatched: true, conditions: [], ...parts };
  return { ...s, applies: s.principalMatched && s.actionMatched && s.conditions.every((c) => c.result) };
};

interface Case {
  readonly name: string;
  readonly ev: EvaluationResult;
  readonly parts: readonly DecidingPart[];
  readonly reason: string;
}

const cases: readonly Case[] = [
  {
    name: 'allow: the first Allow statement that applies',
    ev: { decision: 'allow', statements: [stmt(0, 'Allow', { conditions: [cond('a', false)] }), stmt(1, 'Allow'), stmt(2, 'Allow')] },
    parts: [{ kind: 'allow', statement: 1 }],
    reason: '', // an allowed request has no reason
  },
  {
    name: 'explicit deny: the Deny statement that applies',
    ev: { decision: 'explicitDeny', statements: [stmt(0, 'Allow'), stmt(1, 'Deny', { conditions: [cond('a', true)] })] },
    parts: [{ kind: 'explicitDeny', statement: 1 }],
    reason: 'explicit Deny in Statement[1]',
  },
  {
    name: 'implicit deny: the first false condition of each Allow statement, the principal or the action otherwise',
    ev: {
      decision: 'implicitDeny',
      statements: [
        stmt(0, 'Allow', { conditions: [cond('aud', true), cond('sub', false), cond('ref', false, null)] }),
        stmt(1, 'Allow', { principalMatched: false }),
        stmt(2, 'Allow', { actionMatched: false }),
        stmt(3, 'Deny', { conditions: [cond('x', false)] }),
      ],
    },
    parts: [
      { kind: 'condition', statement: 0, condition: 1 },
      { kind: 'principal', statement: 1 },
      { kind: 'action', statement: 2 },
    ],
    reason:
      'Statement[0]: StringEquals sub is false (context ["x"], policy ["y"]); Statement[1]: principal does not match; Statement[2]: action does not match',
  },
  {
    name: 'implicit deny: an absent key',
    ev: { decision: 'implicitDeny', statements: [stmt(0, 'Allow', { conditions: [cond('ref', false, null)] })] },
    parts: [{ kind: 'condition', statement: 0, condition: 0 }],
    reason: 'Statement[0]: StringEquals ref is false (key absent, policy ["y"])',
  },
  {
    name: 'implicit deny: no Allow statement at all',
    ev: { decision: 'implicitDeny', statements: [stmt(0, 'Deny', { conditions: [cond('x', false)] })] },
    parts: [],
    reason: 'no Allow statement in the trust policy',
  },
];

for (const c of cases) {
  test(`decidingParts and denyReason: ${c.name}`, () => {
    assert.deepEqual(decidingParts(c.ev), c.parts);
    if (c.reason !== '') assert.equal(denyReason(c.ev), c.reason);
  });
}
