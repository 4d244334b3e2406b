/**
 * AssumeRoleWithWebIdentity: validate, verify the token, evaluate the trust policy, issue credentials.
 * Order of checks (README "Behaviour choices"): parameters -> session policy -> token -> role -> trust policy
 * (then sts:TagSession / sts:SetSourceIdentity when the token carries tags / a source identity) -> duration.
 */
import { MESSAGES, StsError } from '../protocol/errors.js';
import { CONSTRAINT, validationError } from '../protocol/validation.js';
import type { XmlNode } from '../protocol/xml.js';
import type { QueryParams } from '../protocol/query.js';
import { evaluate, type EvaluationResult } from '../policy/policy.js';
import type { RoleConfig } from '../config/types.js';
import { refusingProvider } from '../identity/refusal.js';
import type { VerifiedToken } from '../identity/types.js';
import { readWebIdentityParams, SESSION_NAME_PATTERN_TEXT } from './params.js';
import { checkSessionPolicy } from './session-policy.js';
import { denyReason } from './deny-reason.js';
import { buildWebIdentityContext, describeAbsentKey, readSessionTags, SOURCE_IDENTITY_CLAIM } from './request-context.js';
import type { StsDeps } from './deps.js';
import type { AuditInfo, StsOutcome } from './outcome.js';
import { credentialsNode } from './credentials-xml.js';

export const ACTION = 'AssumeRoleWithWebIdentity';
const STS_ACTION = 'sts:AssumeRoleWithWebIdentity';
const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;

export interface CallInfo {
  readonly sourceIp: string | undefined;
}

class Audit {
  info: { -readonly [K in keyof AuditInfo]: AuditInfo[K] } = { action: ACTION };
}

function denied(action: string, reason: string, evaluation?: EvaluationResult): StsError {
  return new StsError('AccessDenied', MESSAGES.notAuthorized(action), { reason, detail: evaluation });
}

export async function assumeRoleWithWebIdentity(deps: StsDeps, params: QueryParams, call: CallInfo): Promise<StsOutcome> {
  const audit = new Audit();
  try {
    const result = await run(deps, params, call, audit);
    return { ok: true, action: ACTION, result, audit: audit.info };
  } catch (e) {
    if (!(e instanceof StsError)) throw e;
    return { ok: false, action: ACTION, error: e, audit: audit.info };
  }
}

async function run(deps: StsDeps, params: QueryParams, call: CallInfo, audit: Audit): Promise<(XmlNode | undefined)[]> {
  const p = readWebIdentityParams(params);
  audit.info.role = p.roleArn;
  audit.info.sessionName = p.roleSessionName;
  if (p.providerId !== undefined) {
    // ProviderId is for OAuth 2.0 access tokens of www.amazon.com / graph.facebook.com, which the emulator does not host.
    throw new StsError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${p.providerId}`, {
      reason: 'ProviderId is only for OAuth 2.0 providers (www.amazon.com, graph.facebook.com); do not send it with an OIDC ID token',
    });
  }
  const role = deps.roles.find(p.roleArn); // ValidationError for a malformed ARN; lookup result used after the token
  checkSessionPolicy(p.policy, 0); // MalformedPolicyDocument before the token (README "Order of checks"); sized with tags below
  const now = deps.clock();

  let verified: VerifiedToken;
  try {
    verified = await deps.verifier.verify(p.webIdentityToken, now);
  } catch (e) {
    // Refused after iss matched a provider: the audit record and explain say which one.
    const provider = e instanceof StsError ? refusingProvider(e) : undefined;
    if (provider !== undefined) {
      audit.info.issuer = provider.url;
      audit.info.provider = provider.arn;
    }
    throw e;
  }
  const claims = verified.claims;
  audit.info.issuer = verified.provider.url;
  audit.info.provider = verified.provider.arn;
  audit.info.audience = verified.audience;
  const sub = claims['sub'];
  if (typeof sub === 'string') audit.info.subject = sub;
  else throw new StsError('InvalidIdentityToken', 'Missing a required claim: sub', { reason: 'the token has no string sub claim' });

  const tags = readSessionTags(claims);
  if (typeof tags === 'string') throw new StsError('InvalidIdentityToken', 'Invalid session tags in the web identity token', { reason: tags });
  const sourceIdentityClaim = claims[SOURCE_IDENTITY_CLAIM];
  let sourceIdentity: string | undefined;
  if (sourceIdentityClaim !== undefined) {
    if (typeof sourceIdentityClaim !== 'string' || !SOURCE_IDENTITY.test(sourceIdentityClaim)) {
      // A claim that is not a string is shown as its JSON text: nothing of the attacker's value is called.
      const shown = typeof sourceIdentityClaim === 'string' ? sourceIdentityClaim : JSON.stringify(sourceIdentityClaim);
      throw validationError([{ field: 'sourceIdentity', constraint: CONSTRAINT.pattern(SESSION_NAME_PATTERN_TEXT), value: shown }]);
    }
    sourceIdentity = sourceIdentityClaim;
  }

  if (role === undefined) throw denied(STS_ACTION, `no role ${p.roleArn} in account ${deps.accountId} (AWS answers the same for a missing role)`);
  audit.info.role = role.arn;
  const context = buildWebIdentityContext({
    provider: verified.provider,
    claims,
    audience: verified.audience,
    sessionName: p.roleSessionName,
    region: deps.region,
    now,
    sourceIp: call.sourceIp,
    roleTags: role.tags,
    sessionTags: tags,
    sourceIdentity,
    claimKeys: deps.claimKeys,
  });
  audit.info.context = context;
  audit.info.describeAbsent = (key) => describeAbsentKey(key, verified.provider, claims, deps.claimKeys);
  const request = { principal: { federated: verified.provider.arn }, action: STS_ACTION, context };
  const evaluation = evaluate(role.trustPolicy, request);
  audit.info.evaluation = evaluation;
  if (evaluation.decision !== 'allow') {
    throw denied(STS_ACTION, denyReason(evaluation), evaluation);
  }
  authorizeExtra(role, request, tags !== undefined, 'sts:TagSession', 'the token carries session tags', audit);
  authorizeExtra(role, request, sourceIdentity !== undefined, 'sts:SetSourceIdentity', 'the token carries a source identity', audit);

  const packed = checkSessionPolicy(p.policy, tagChars(tags));
  const duration = p.durationSeconds ?? 3600;
  if (duration > role.maxSessionDuration) {
    throw new StsError('ValidationError', MESSAGES.durationExceedsMax, { reason: `DurationSeconds ${duration} > MaxSessionDuration ${role.maxSessionDuration}` });
  }
  const issuedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const expiration = new Date(issuedAt.getTime() + duration * 1000);
  const creds = deps.credentials.issue({
    accountId: deps.accountId,
    roleArn: role.arn,
    roleName: role.roleName,
    roleId: role.roleId,
    sessionName: p.roleSessionName,
    expiration,
    issuedAt,
    chained: false,
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
  });
  return [
    ['Audience', verified.audience],
    ['AssumedRoleUser', [
      ['AssumedRoleId', `${role.roleId}:${p.roleSessionName}`],
      ['Arn', assumedRoleArn(deps.accountId, role.roleName, p.roleSessionName)],
    ]],
    sourceIdentity === undefined ? undefined : ['SourceIdentity', sourceIdentity],
    ['Provider', verified.provider.arn],
    credentialsNode(creds),
    ['SubjectFromWebIdentityToken', sub],
    packed === undefined ? undefined : ['PackedPolicySize', packed],
  ];
}

function authorizeExtra(role: RoleConfig, base: Parameters<typeof evaluate>[1], needed: boolean, action: string, why: string, audit: Audit): void {
  if (!needed) return;
  const ev = evaluate(role.trustPolicy, { ...base, action });
  if (ev.decision !== 'allow') {
    audit.info.evaluation = ev; // the audit trace and explain show the evaluation that refused
    throw denied(action, `${why}, which needs ${action} in the trust policy`, ev);
  }
}

function tagChars(tags: ReturnType<typeof readSessionTags>): number {
  if (tags === undefined || typeof tags === 'string') return 0;
  let n = 0;
  for (const [k, v] of tags.principalTags) n += k.length + v.length;
  return n;
}

export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

