/** Runs test/vectors/policy/validation.json: every problem, in order, with its dotted path. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePolicy, type PolicyKind } from '../../src/policy/index.js';
import { readVectors } from '../helpers/policy-vectors.js';

interface ValidationCase {
  readonly name: string;
  readonly kind: PolicyKind;
  readonly doc?: unknown;
  /** A JSON text to parse instead of `doc` (for `__proto__`). */
  readonly json?: string;
  readonly ok?: true;
  readonly version?: string;
  readonly problems?: readonly { readonly path: string; readonly message?: string }[];
}

const { cases } = readVectors<{ cases: ValidationCase[] }>('validation.json');

describe('validation.json', () => {
  for (const c of cases) {
    test(c.name, () => {
      const doc: unknown = c.json === undefined ? c.doc : JSON.parse(c.json);
      const r = parsePolicy(doc, c.kind);
      if (c.ok) {
        assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
        assert.equal(r.policy.kind, c.kind);
        assert.equal(r.policy.json, JSON.stringify(doc));
        if (c.version !== undefined) assert.equal(r.policy.version, c.version);
        return;
      }
      assert.ok(!r.ok, 'expected problems');
      const expected = c.problems ?? [];
      assert.deepEqual(
        r.problems.map((p) => p.path),
        expected.map((p) => p.path),
        JSON.stringify(r.problems, null, 1),
      );
      expected.forEach((p, i) => {
        if (p.message !== undefined) assert.match(r.problems[i]?.message ?? '', new RegExp(escape(p.message)));
      });
    });
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
