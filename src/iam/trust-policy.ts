/**
 * A trust policy given to CreateRole or UpdateAssumeRolePolicy, checked as IAM checks it before storing: JSON, its
 * size quota, the policy grammar (the same parser the loader and the evaluator use), and only STS actions. Failures
 * are IAM's answers: MalformedPolicyDocument with IAM's text where IAM has one (`This policy contains invalid Json`,
 * `Has prohibited field Resource`, `Missing required field Principal` ...) and `Syntax errors in policy.` otherwise,
 * LimitExceeded for the size. Every problem found, with its JSON path, goes into the emulator's reason.
 */
import { parsePolicy, PROBLEMS, type PolicyProblem } from '../policy/index.js';
import { IAM_MESSAGES, StsError } from '../protocol/errors.js';

/** IAM's policy characters after JSON decoding (an escape such as \u0100 can bring others in). */
const POLICY_CHARS = /^[\t\n\r\u0020-\u00ff]*$/;

/** Parser problems IAM words the same way, and the text IAM answers for each. */
const IAM_WORDED: readonly (readonly [RegExp, (message: string) => string])[] = [
  [/^Missing required field (?:Principal|Effect|Action|Statement)$/, (m) => m],
  [/^Has prohibited field /, (m) => m],
  [/^Invalid principal in policy: /, (m) => m],
  [new RegExp(`^${escapeRegExp(PROBLEMS.notPrincipalTrust)}`), () => 'Has prohibited field NotPrincipal'],
  [new RegExp(`^${escapeRegExp(PROBLEMS.vendor)}`), () => PROBLEMS.vendor],
  [new RegExp(`^${escapeRegExp(PROBLEMS.duplicateSid)}`), () => `${PROBLEMS.duplicateSid}.`],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const malformed = (message: string, reason: string): StsError => new StsError('MalformedPolicyDocument', message, { reason });

/** IAM's message for the first problem, and every problem with its path for the reason. */
export function iamPolicyMessage(problems: readonly PolicyProblem[]): { message: string; reason: string } {
  const first = problems[0];
  const worded = first === undefined ? undefined : IAM_WORDED.find(([re]) => re.test(first.message));
  return {
    message: worded !== undefined && first !== undefined ? worded[1](first.message) : IAM_MESSAGES.syntaxErrors,
    reason: `trust policy: ${problems.map((p) => `${p.path === '' ? '' : `${p.path}: `}${p.message}`).join('; ')}`,
  };
}

/** The actions a statement names, as written (strings only; the parser reports other shapes). */
function actionsOf(doc: Record<string, unknown>): string[] {
  const raw = doc['Statement'];
  const statements = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const s of statements) {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) continue;
    const a = (s as Record<string, unknown>)['Action'];
    for (const v of Array.isArray(a) ? a : [a]) if (typeof v === 'string') out.push(v);
  }
  return out;
}

/**
 * The trust policy as a JSON object, or the StsError IAM answers. `maxChars` is the role trust policy quota
 * (characters not counting white space, as IAM counts).
 */
export function checkTrustPolicy(text: string, maxChars: number): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw malformed(IAM_MESSAGES.invalidJson, `trust policy is not JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw malformed(IAM_MESSAGES.syntaxErrors, 'trust policy is not a JSON object');
  }
  const size = text.replace(/\s/g, '').length;
  if (size > maxChars) {
    throw new StsError('LimitExceeded', IAM_MESSAGES.quota('ACLSizePerRole', maxChars), {
      reason: `trust policy is ${size} characters long not counting white space; the quota is ${maxChars}`,
    });
  }
  if (!POLICY_CHARS.test(JSON.stringify(doc))) {
    throw malformed(IAM_MESSAGES.syntaxErrors, 'trust policy decodes to characters outside U+0009, U+000A, U+000D, U+0020-U+00FF');
  }
  const parsed = parsePolicy(doc, 'trust');
  if (!parsed.ok) {
    const { message, reason } = iamPolicyMessage(parsed.problems);
    throw malformed(message, reason);
  }
  const foreign = actionsOf(doc as Record<string, unknown>).find((a) => a !== '*' && !a.toLowerCase().startsWith('sts:'));
  if (foreign !== undefined)
    throw malformed(IAM_MESSAGES.trustActions, `trust policy names the action '${foreign}', which is not an STS action`);
  return doc as Record<string, unknown>;
}
