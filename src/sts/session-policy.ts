/** The optional `Policy` parameter: a session policy, validated as IAM does, with its packed size. */
import { StsError } from '../protocol/errors.js';
import { parsePolicy } from '../policy/index.js';

export const SESSION_POLICY_LIMIT = 2048;

/**
 * Validates a session policy and returns its PackedPolicySize (a percentage of the limit).
 * AWS compresses policies and tags into a binary format it does not document; we report
 * ceil(100 * (minified policy length + session tag characters) / 2048) and refuse over 100 (README).
 */
export function checkSessionPolicy(policy: string | undefined, tagChars: number): number | undefined {
  if (policy === undefined) return tagChars > 0 ? packedSize(0, tagChars) : undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    throw new StsError('MalformedPolicyDocument', 'Syntax errors in policy.');
  }
  const parsed = parsePolicy(doc, 'session');
  if (!parsed.ok) {
    const first = parsed.problems[0];
    throw new StsError('MalformedPolicyDocument', first === undefined ? 'Syntax errors in policy.' : first.message, {
      reason: parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; '),
    });
  }
  return packedSize(parsed.policy.json.length, tagChars);
}

function packedSize(policyChars: number, tagChars: number): number {
  const pct = Math.ceil((100 * (policyChars + tagChars)) / SESSION_POLICY_LIMIT);
  if (pct > 100) {
    throw new StsError(
      'PackedPolicyTooLarge',
      `Packed size of session policies and session tags exceeds the limit: ${pct}% of allowed size.`,
    );
  }
  return pct;
}
