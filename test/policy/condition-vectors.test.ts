/** Runs the condition vector tables in test/vectors/policy/ (operators, absent keys, qualifiers, variables). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluate, parsePolicy, type ConditionResult } from '../../src/policy/index.js';
import { readVectors, requestOf } from '../helpers/policy-vectors.js';

interface ConditionCase {
  readonly name: string;
  /** Default 2012-10-17; null omits Version. */
  readonly version?: string | null;
  readonly condition: Record<string, unknown>;
  readonly context: Record<string, string | string[]>;
  /** Whether the statement applies (all conditions hold). */
  readonly result: boolean;
  readonly reasons?: readonly string[];
  readonly policyValues?: readonly (readonly string[])[];
  readonly unresolved?: readonly (readonly string[])[];
}

const FILES = ['operators.json', 'absent-keys.json', 'qualifiers.json', 'variables.json'];

for (const file of FILES) {
  const { cases } = readVectors<{ cases: ConditionCase[] }>(file);
  describe(file, () => {
    for (const c of cases) {
      test(c.name, () => {
        const version = c.version === undefined ? '2012-10-17' : c.version;
        const doc = {
          ...(version === null ? {} : { Version: version }),
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity', Condition: c.condition }],
        };
        const parsed = parsePolicy(doc, 'trust');
        assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
        const result = evaluate(parsed.policy, requestOf({ context: c.context }));
        const st = result.statements[0];
        assert.ok(st);
        assert.equal(st.applies, c.result);
        assert.equal(result.decision, c.result ? 'allow' : 'implicitDeny');
        const conditions = st.conditions as readonly ConditionResult[];
        if (c.reasons !== undefined)
          assert.deepEqual(
            conditions.map((x) => x.reason),
            c.reasons,
          );
        if (c.policyValues !== undefined)
          assert.deepEqual(
            conditions.map((x) => x.policyValues),
            c.policyValues,
          );
        if (c.unresolved !== undefined)
          assert.deepEqual(
            conditions.map((x) => x.unresolved),
            c.unresolved,
          );
      });
    }
  });
}
