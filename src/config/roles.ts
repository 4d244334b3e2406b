/**
 * One roles/*.json file: IAM CreateRole fields, or the `{"Role": {...}}` that `aws iam get-role`
 * prints, pasted as is. The fields get-role adds (Arn, RoleId, CreateDate, RoleLastUsed,
 * PermissionsBoundary) are accepted; a pasted Arn must match the configured account.
 */
import { parsePolicy } from '../policy/index.js';
import { at, checkString, checkUnknownFields, describe, field, isObject, joinPath, validateTags, type Report } from './fields.js';
import type { SourcePositions } from './json-file.js';
import { decodePolicyDocument, TRUST_POLICY_MAX_CHARS } from './policy-document.js';
import { deriveRoleId, ROLE_ID_PATTERN } from './role-id.js';
import type { RoleConfig, RoleTag } from './types.js';

export const ROLE_FIELDS = [
  'RoleName',
  'Path',
  'AssumeRolePolicyDocument',
  'MaxSessionDuration',
  'Description',
  'Tags',
  'Arn',
  'RoleId',
  'CreateDate',
  'RoleLastUsed',
  'PermissionsBoundary',
] as const;

/** IAM limits. */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]+$/;
export const MAX_ROLE_NAME_LENGTH = 64;
export const PATH_PATTERN = /^(?:\/|\/[\u0021-\u007e]+\/)$/;
export const MAX_PATH_LENGTH = 512;
export const MIN_SESSION_DURATION = 3600;
export const MAX_SESSION_DURATION = 43200;
export const DEFAULT_SESSION_DURATION = 3600;
export const MAX_DESCRIPTION_LENGTH = 1000;
const DESCRIPTION_CHARS = /^[\t\n\r\u0020-\u007e\u00a1-\u00ff]*$/;

export interface RoleContext {
  readonly accountId: string;
  /** The role file, relative to the configuration directory. */
  readonly file: string;
  /** Where each value is written in it. */
  readonly positions: SourcePositions;
  readonly report: Report;
  /** Longest trust policy in non-white-space characters (default TRUST_POLICY_MAX_CHARS). */
  readonly trustPolicyMaxChars?: number;
}

/** Validates one role document; returns undefined if it has any problem. */
export function validateRole(value: unknown, ctx: RoleContext): RoleConfig | undefined {
  let problems = 0;
  const report: Report = (p, m) => {
    problems++;
    ctx.report(p, m);
  };
  if (!isObject(value)) {
    report('', `must be a JSON object with RoleName and AssumeRolePolicyDocument, got ${describe(value)}`);
    return undefined;
  }
  // `aws iam get-role` / `create-role` output: {"Role": {...}}
  let role = value;
  let base = '';
  const wrapped = field(value, 'Role');
  if (wrapped !== undefined) {
    checkUnknownFields(value, ['Role'], '', report);
    if (!isObject(wrapped)) {
      report('Role', `must be an object, got ${describe(wrapped)}`);
      return undefined;
    }
    role = wrapped;
    base = 'Role';
  }
  const p = (key: string): string => at(base, key);
  checkUnknownFields(role, ROLE_FIELDS, base, report);

  const roleName = field(role, 'RoleName');
  let name: string | undefined;
  if (roleName === undefined) report(p('RoleName'), 'is required');
  else if (checkString(roleName, p('RoleName'), report, { min: 1, max: MAX_ROLE_NAME_LENGTH })) {
    if (ROLE_NAME_PATTERN.test(roleName)) name = roleName;
    else report(p('RoleName'), 'may contain only letters, digits and + = , . @ _ -');
  }

  const rawPath = field(role, 'Path');
  let path = '/';
  if (rawPath !== undefined && checkString(rawPath, p('Path'), report, { min: 1, max: MAX_PATH_LENGTH })) {
    if (PATH_PATTERN.test(rawPath)) path = rawPath;
    else report(p('Path'), "must be '/' or start and end with '/' (e.g. /ci/), with printable ASCII characters and no spaces");
  }

  const arn = name === undefined ? undefined : `arn:aws:iam::${ctx.accountId}:role${path}${name}`;
  const givenArn = field(role, 'Arn');
  if (givenArn !== undefined && typeof givenArn !== 'string') report(p('Arn'), `must be a string, got ${describe(givenArn)}`);
  else if (typeof givenArn === 'string' && arn !== undefined && givenArn !== arn) {
    report(p('Arn'), arnMismatch(givenArn, arn, ctx.accountId));
  }

  const givenId = field(role, 'RoleId');
  let roleId: string | undefined;
  if (givenId !== undefined) {
    if (typeof givenId === 'string' && ROLE_ID_PATTERN.test(givenId)) roleId = givenId;
    else report(p('RoleId'), 'must be AROA followed by 17 uppercase letters or digits (or leave it out to derive one)');
  } else if (name !== undefined) roleId = deriveRoleId(ctx.accountId, name);

  const maxSessionDuration = sessionDuration(field(role, 'MaxSessionDuration'), p('MaxSessionDuration'), report);

  const rawDescription = field(role, 'Description');
  let description: string | undefined;
  if (rawDescription !== undefined && checkString(rawDescription, p('Description'), report, { min: 0, max: MAX_DESCRIPTION_LENGTH })) {
    if (DESCRIPTION_CHARS.test(rawDescription)) description = rawDescription;
    else report(p('Description'), 'may contain only tab, line breaks and characters U+0020 to U+00FF (no other Unicode)');
  }

  const createDate = field(role, 'CreateDate');
  if (createDate !== undefined && typeof createDate !== 'string') report(p('CreateDate'), `must be a string, got ${describe(createDate)}`);

  const rawTags = field(role, 'Tags');
  const tags: RoleTag[] = rawTags === undefined ? [] : validateTags(rawTags, p('Tags'), report);

  const docPath = p('AssumeRolePolicyDocument');
  const rawDoc = field(role, 'AssumeRolePolicyDocument');
  let trust: { policy: RoleConfig['trustPolicy']; json: string } | undefined;
  if (rawDoc === undefined) report(docPath, 'is required (the trust policy)');
  else {
    const decoded = decodePolicyDocument(rawDoc, docPath, report, ctx.trustPolicyMaxChars ?? TRUST_POLICY_MAX_CHARS);
    if (decoded) {
      const result = parsePolicy(decoded.doc, 'trust');
      if (result.ok) trust = { policy: result.policy, json: decoded.json };
      else for (const problem of result.problems) report(joinPath(docPath, problem.path), problem.message);
    }
  }

  if (problems > 0 || name === undefined || arn === undefined || roleId === undefined || trust === undefined) return undefined;
  return {
    roleName: name,
    path,
    arn,
    roleId,
    maxSessionDuration,
    description,
    tags,
    trustPolicy: trust.policy,
    trustPolicyJson: trust.json,
    file: ctx.file,
    wrapped: base !== '',
    trustPolicyPath: docPath,
    positions: ctx.positions,
    ...(typeof createDate === 'string' ? { createDate } : {}),
    document: value,
  };
}

function sessionDuration(value: unknown, path: string, report: Report): number {
  if (value === undefined) return DEFAULT_SESSION_DURATION;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    report(path, `must be an integer number of seconds, got ${describe(value)}`);
  } else if (value < MIN_SESSION_DURATION || value > MAX_SESSION_DURATION) {
    report(path, `must be between ${MIN_SESSION_DURATION} and ${MAX_SESSION_DURATION} seconds (1 to 12 hours), got ${value}`);
  } else return value;
  return DEFAULT_SESSION_DURATION;
}

function arnMismatch(given: string, expected: string, accountId: string): string {
  const account = /^arn:[^:]*:iam::(\d{12}):/.exec(given)?.[1];
  if (account !== undefined && account !== accountId) {
    return `names account ${account}, but the emulator runs as account ${accountId}; start it with --account-id ${account} or remove Arn (expected ${expected})`;
  }
  return `must be ${expected} (computed from account, Path and RoleName), or be left out`;
}
