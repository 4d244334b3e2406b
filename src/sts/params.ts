/**
 * Parameter validation of the STS operations, in AWS's words (shared/reference/sts.md §2, §3).
 * Pure: QueryParams in, typed parameters or a ValidationError out. Failures are collected in model member order.
 */
import { StsError } from '../protocol/errors.js';
import { listMembers, type QueryParams } from '../protocol/query.js';
import {
  CONSTRAINT,
  codePointsAgainst,
  ParamChecker as Checker,
  validationError,
  WEB_IDENTITY_TOKEN_LENGTH,
} from '../protocol/validation.js';

export const ARN_PATTERN_TEXT = '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+';
const ARN_CHARS = /^[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u;
export const SESSION_NAME_PATTERN_TEXT = '[\\w+=,.@-]*';
const SESSION_NAME = /^[\w+=,.@-]*$/;
const POLICY_PATTERN_TEXT = '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+';
const POLICY_CHARS = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]*$/;

/** Whether the text is a RoleSessionName STS accepts (2..64 of letters, digits and `_+=,.@-`). */
export function isRoleSessionName(text: string): boolean {
  return text.length >= 2 && text.length <= 64 && SESSION_NAME.test(text);
}

export interface AssumeParamsCommon {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly policy: string | undefined;
  readonly policyArns: readonly string[];
  readonly durationSeconds: number | undefined;
}

export interface WebIdentityParams extends AssumeParamsCommon {
  readonly webIdentityToken: string;
  readonly providerId: string | undefined;
}

export interface AssumeRoleParams extends AssumeParamsCommon {
  readonly externalId: string | undefined;
  readonly sourceIdentity: string | undefined;
  readonly serialNumber: string | undefined;
  readonly tokenCode: string | undefined;
}

function policyArns(params: QueryParams, c: Checker): string[] {
  let values: string[];
  try {
    values = listMembers(params, 'PolicyArns', 'arn').values;
  } catch (e) {
    if (!(e instanceof StsError)) throw e;
    c.failures.push({ field: 'policyArns', constraint: 'be a list of PolicyDescriptorType with an arn member', value: null });
    return [];
  }
  values.forEach((arn, i) => {
    const field = `policyArns.${i + 1}.member.arn`;
    if (!ARN_CHARS.test(arn)) c.failures.push({ field, constraint: CONSTRAINT.pattern(ARN_PATTERN_TEXT), value: arn });
    const against = codePointsAgainst(arn, 20, 2048);
    if (against < 0) c.failures.push({ field, constraint: CONSTRAINT.minLength(20), value: arn });
    if (against > 0) c.failures.push({ field, constraint: CONSTRAINT.maxLength(2048), value: arn });
  });
  return values;
}

/** Members shared by AssumeRole and AssumeRoleWithWebIdentity. `between` reads members the model lists in the middle. */
function common(params: QueryParams, c: Checker, between: () => void): AssumeParamsCommon {
  const roleArn = c.string('RoleArn', 'roleArn', { required: true, min: 20, max: 2048, pattern: [ARN_CHARS, ARN_PATTERN_TEXT] });
  const roleSessionName = c.string('RoleSessionName', 'roleSessionName', {
    required: true,
    min: 2,
    max: 64,
    pattern: [SESSION_NAME, SESSION_NAME_PATTERN_TEXT],
  });
  between();
  const arns = policyArns(params, c);
  const policy = c.string('Policy', 'policy', { required: false, min: 1, max: 2048, pattern: [POLICY_CHARS, POLICY_PATTERN_TEXT] });
  const durationSeconds = c.integer('DurationSeconds', 'durationSeconds', 900, 43200);
  return { roleArn: roleArn ?? '', roleSessionName: roleSessionName ?? '', policy, policyArns: arns, durationSeconds };
}

function finish(c: Checker, base: AssumeParamsCommon): void {
  if (c.failures.length > 0) throw validationError(c.failures);
  if (base.policyArns.length > 10) {
    throw validationError([{ field: 'policyArns', constraint: CONSTRAINT.maxLength(10), value: `[${base.policyArns.join(', ')}]` }]);
  }
}

export function readWebIdentityParams(params: QueryParams): WebIdentityParams {
  const c = new Checker(params);
  let token: string | undefined;
  let providerId: string | undefined;
  // Model order: RoleArn, RoleSessionName, WebIdentityToken, ProviderId, PolicyArns, Policy, DurationSeconds.
  const base = common(params, c, () => {
    token = c.string('WebIdentityToken', 'webIdentityToken', { required: true, ...WEB_IDENTITY_TOKEN_LENGTH, sensitive: true });
    providerId = c.string('ProviderId', 'providerId', { required: false, min: 4, max: 2048 });
  });
  finish(c, base);
  return { ...base, webIdentityToken: token ?? '', providerId };
}

/** The members a web-identity call shares with AssumeRole, for a call whose identity is not a token parameter (in-process claims). */
export function readSessionParams(params: QueryParams): AssumeParamsCommon {
  const c = new Checker(params);
  const base = common(params, c, () => undefined);
  finish(c, base);
  return base;
}

export function readAssumeRoleParams(params: QueryParams): AssumeRoleParams {
  const c = new Checker(params);
  const base = common(params, c, () => undefined);
  const externalId = c.string('ExternalId', 'externalId', {
    required: false,
    min: 2,
    max: 1224,
    pattern: [EXTERNAL_ID, '[\\w+=,.@:\\/-]*'],
  });
  const serialNumber = c.string('SerialNumber', 'serialNumber', { required: false, min: 9, max: 256 });
  const tokenCode = c.string('TokenCode', 'tokenCode', { required: false, min: 6, max: 6 });
  const sourceIdentity = c.string('SourceIdentity', 'sourceIdentity', {
    required: false,
    min: 2,
    max: 64,
    pattern: [SESSION_NAME, SESSION_NAME_PATTERN_TEXT],
  });
  finish(c, base);
  return { ...base, externalId, sourceIdentity, serialNumber, tokenCode };
}
