/**
 * Turns a role's AssumeRolePolicyDocument into a JSON object, whichever way it was written:
 * a JSON object (what `aws iam get-role` prints), a string holding JSON, or URL-encoded JSON
 * (what the IAM Query API returns). Enforces IAM's character set and the trust-policy length limit.
 */
import { describe, isObject, type Report } from './fields.js';

/**
 * Default longest trust policy, in characters not counting white space (IAM does not count it).
 * IAM's quota "Role trust policy length" is 2048 by default and can be raised; 8192 is the largest
 * value it can be raised to, so any policy some account can hold is accepted.
 */
export const TRUST_POLICY_MAX_CHARS = 8192;

/** IAM policy documents may contain only TAB, LF, CR and U+0020..U+00FF. */
const POLICY_CHARS = /^[\t\n\r\u0020-\u00ff]*$/;

export interface DecodedPolicy {
  readonly doc: Record<string, unknown>;
  /** The document as minified JSON. */
  readonly json: string;
}

/** Decodes the document at `path`; reports and returns undefined when it cannot be used. */
export function decodePolicyDocument(
  value: unknown,
  path: string,
  report: Report,
  maxChars: number = TRUST_POLICY_MAX_CHARS,
): DecodedPolicy | undefined {
  let doc: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') {
      report(path, 'must not be empty');
      return undefined;
    }
    const parsed = parseStringDocument(text);
    if ('error' in parsed) {
      report(path, parsed.error);
      return undefined;
    }
    doc = parsed.doc;
  }
  if (!isObject(doc)) {
    report(path, `must be a policy document (a JSON object, a JSON string or URL-encoded JSON), got ${describe(doc)}`);
    return undefined;
  }
  const json = JSON.stringify(doc);
  if (!POLICY_CHARS.test(json)) {
    report(path, 'may contain only tab, line feed, carriage return and characters U+0020 to U+00FF');
    return undefined;
  }
  const size = json.replace(/\s/g, '').length;
  if (size > maxChars) {
    report(path, `is ${size} characters long (not counting white space); the limit is ${maxChars}`);
    return undefined;
  }
  return { doc, json };
}

/** JSON text, or URL-encoded JSON (`%7B%22Version%22...`, as the IAM API returns it). */
function parseStringDocument(text: string): { doc: unknown } | { error: string } {
  let plainError: string;
  try {
    return { doc: JSON.parse(text) as unknown };
  } catch (err) {
    plainError = (err as Error).message;
  }
  if (!/^%7b/i.test(text) && !text.includes('%22')) {
    return { error: `is a string but not a JSON policy document: ${plainError}` };
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    return { error: 'looks URL-encoded but is not valid percent-encoding' };
  }
  try {
    return { doc: JSON.parse(decoded) as unknown };
  } catch (err) {
    return { error: `is URL-encoded but does not decode to a JSON policy document: ${(err as Error).message}` };
  }
}
