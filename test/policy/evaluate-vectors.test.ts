/** Runs test/vectors/policy/evaluate.json: principal and action matching, Deny wins, implicit deny. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluate, parsePolicy, type PolicyKind } from '../../src/policy/index.js';
import { readVectors, requestOf } from '../helpers/policy-vectors.js';

interface StatementExpectation {
  readonly principalMatched?: boolean;
  readonly actionMatched?: boolean;
  readonly applies?: boolean;
  readonly conditionCount?: number;
}

interface EvaluateCase {
  readonly name: string;
  readonly kind?: PolicyKind;
  readonly policy: readonly unknown[];
  readonly request: {
    readonly federated?: string | null;
    readonly aws?: readonly string[];
    readonly action?: string;
    readonly context?: Record<string, string | string[]>;
  };
  readonly decision: string;
  readonly statements?: readonly StatementExpectation[];
}

const vectors = readVectors<{ defaults: { federated: string; action: string }; cases: EvaluateCase[] }>('evaluate.json');

describe('evaluate.json', () => {
  for (const c of vectors.cases) {
    test(c.name, () => {
      const parsed = parsePolicy({ Version: '2012-10-17', Statement: c.policy }, c.kind ?? 'trust');
      assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
      const federated = c.request.federated === undefined ? vectors.defaults.federated : c.request.federated;
      const request = requestOf({
        ...(federated === null ? {} : { federated }),
        ...(c.request.aws === undefined ? {} : { aws: c.request.aws }),
        action: c.request.action ?? vectors.defaults.action,
        ...(c.request.context === undefined ? {} : { context: c.request.context }),
      });
      const result = evaluate(parsed.policy, request);
      assert.equal(result.decision, c.decision);
      assert.equal(result.statements.length, c.policy.length);
      result.statements.forEach((s, i) => assert.equal(s.index, i));
      (c.statements ?? []).forEach((want, i) => {
        const got = result.statements[i];
        assert.ok(got);
        if (want.principalMatched !== undefined) assert.equal(got.principalMatched, want.principalMatched, 'principalMatched');
        if (want.actionMatched !== undefined) assert.equal(got.actionMatched, want.actionMatched, 'actionMatched');
        if (want.applies !== undefined) assert.equal(got.applies, want.applies, 'applies');
        if (want.conditionCount !== undefined) assert.equal(got.conditions.length, want.conditionCount, 'conditions');
      });
    });
  }
});
