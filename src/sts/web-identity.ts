/**
 * AssumeRoleWithWebIdentity: `verify` the token (identity/), then `decide` (this file and the assume-role core).
 * Order of checks (README "Behaviour choices"): parameters -> session policy -> token -> role -> trust policy
 * (then sts:TagSession / sts:SetSourceIdentity when the token carries tags / a source identity) -> duration.
 * The server passes the request's parameters; the in-process runner (`test`, `explain`) passes a role, session
 * parameters and either a token or claims accepted as if signed by an emulated issuer.
 */
import { MESSAGES, StsError } from '../protocol/errors.js';
import type { QueryParams } from '../protocol/query.js';
import { CONSTRAINT, validationError } from '../protocol/validation.js';
import type { XmlNode } from '../protocol/xml.js';
import type { EvaluationResult } from '../policy/index.js';
import { acceptClaims } from '../identity/claims.js';
import { refusedAudiences, refusingProvider } from '../identity/refusal.js';
import type { OidcProvider, VerifiedToken } from '../identity/types.js';
import { assumeRole } from './assume-core.js';
import { credentialsNode } from './credentials-xml.js';
import type { StsDeps } from './deps.js';
import { audienceNearMiss, policyNearMisses, type NearMiss, type NearMissSubject } from './near-miss.js';
import { runOperation, type StsOutcome, type Trail } from './outcome.js';
import { readSessionParams, readWebIdentityParams, SESSION_NAME_PATTERN_TEXT, type AssumeParamsCommon } from './params.js';
import { buildWebIdentityContext, describeAbsentKey, readSessionTags, SOURCE_IDENTITY_CLAIM, type SessionTags } from './request-context.js';
import { checkSessionPolicy } from './session-policy.js';
import { roleArnFor } from './roles.js';

export const ACTION = 'AssumeRoleWithWebIdentity';
const STS_ACTION = 'sts:AssumeRoleWithWebIdentity';
const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;

/** How the caller's identity is established at `now`: a token verified by the verifier, or claims accepted in-process. */
type Identify = (now: Date) => Promise<VerifiedToken>;

/** AssumeRoleWithWebIdentity as the server receives it. */
export function assumeRoleWithWebIdentity(deps: StsDeps, params: QueryParams, sourceIp: string | undefined): Promise<StsOutcome> {
  return runOperation(ACTION, async (trail) => {
    const p = readWebIdentityParams(params);
    if (p.providerId !== undefined) {
      trail.role = p.roleArn;
      trail.sessionName = p.roleSessionName;
      // ProviderId is for OAuth 2.0 access tokens of www.amazon.com / graph.facebook.com, which the emulator does not host.
      throw new StsError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${p.providerId}`, {
        reason: 'ProviderId is only for OAuth 2.0 providers (www.amazon.com, graph.facebook.com); do not send it with an OIDC ID token',
      });
    }
    return decide(deps, p, (now) => deps.verifier.verify(p.webIdentityToken, now), sourceIp, trail);
  });
}

/** One in-process call: the role (name or ARN), session parameters, and a token or claims of an emulated issuer. */
export interface InProcessCall {
  readonly role: string;
  readonly token?: string;
  readonly claims?: { readonly provider: OidcProvider; readonly values: Readonly<Record<string, unknown>> };
  readonly sessionName?: string;
  readonly durationSeconds?: number;
  readonly sourceIp?: string;
  readonly policy?: string;
}

/** AssumeRoleWithWebIdentity in-process (`test`, `explain`, the package API): the same decision, without HTTP. */
export function assumeRoleInProcess(deps: StsDeps, call: InProcessCall): Promise<StsOutcome> {
  const params = new Map<string, string>();
  params.set('RoleArn', roleArnFor(call.role, deps.accountId));
  params.set('RoleSessionName', call.sessionName ?? 'sts-emulator-case');
  if (call.durationSeconds !== undefined) params.set('DurationSeconds', String(call.durationSeconds));
  if (call.policy !== undefined) params.set('Policy', call.policy);
  const claims = call.claims;
  if (claims === undefined) {
    if (call.token !== undefined) params.set('WebIdentityToken', call.token);
    return assumeRoleWithWebIdentity(deps, params, call.sourceIp);
  }
  return runOperation(ACTION, async (trail) =>
    decide(deps, readSessionParams(params), async (now) => acceptClaims(claims.provider, claims.values, now), call.sourceIp, trail),
  );
}

async function decide(
  deps: StsDeps,
  p: AssumeParamsCommon,
  identify: Identify,
  sourceIp: string | undefined,
  trail: Trail,
): Promise<(XmlNode | undefined)[]> {
  trail.role = p.roleArn;
  trail.sessionName = p.roleSessionName;
  const role = deps.roles.find(p.roleArn); // ValidationError for a malformed ARN; a missing role is refused after the token
  checkSessionPolicy(p.policy, 0); // MalformedPolicyDocument before the token (README "Order of checks"); sized with tags below
  const now = deps.clock();

  let verified: VerifiedToken;
  try {
    verified = await identify(now);
  } catch (e) {
    // Refused after iss matched a provider: the audit record and explain say which one.
    const provider = e instanceof StsError ? refusingProvider(e) : undefined;
    if (provider !== undefined) {
      trail.issuer = provider.url;
      trail.provider = provider.arn;
      const audiences = refusedAudiences(e as StsError);
      if (audiences !== undefined) trail.nearMisses = () => [audienceNearMiss(provider, audiences)];
    }
    throw e;
  }
  const { claims, provider, audience } = verified;
  trail.issuer = provider.url;
  trail.provider = provider.arn;
  trail.audience = audience;
  const sub = claims['sub'];
  if (typeof sub === 'string') trail.subject = sub;
  else throw new StsError('InvalidIdentityToken', 'Missing a required claim: sub', { reason: 'the token has no string sub claim' });

  const tags = readSessionTags(claims);
  if (typeof tags === 'string')
    throw new StsError('InvalidIdentityToken', 'Invalid session tags in the web identity token', { reason: tags });
  const sourceIdentity = readSourceIdentity(claims);

  if (role === undefined) {
    throw new StsError('AccessDenied', MESSAGES.notAuthorized(STS_ACTION), {
      reason: `no role ${p.roleArn} in account ${deps.accountId} (AWS answers the same for a missing role)`,
    });
  }
  trail.role = role.arn;
  const context = buildWebIdentityContext({
    provider,
    claims,
    audience,
    sessionName: p.roleSessionName,
    region: deps.region,
    now,
    sourceIp,
    roleTags: role.tags,
    sessionTags: tags,
    sourceIdentity,
    claimKeys: deps.claimKeys,
  });
  trail.context = context;
  trail.describeAbsent = (key) => describeAbsentKey(key, provider, claims, deps.claimKeys);
  const assumed = assumeRole(
    deps,
    now,
    {
      role,
      principal: { federated: provider.arn },
      action: STS_ACTION,
      context,
      extraActions: [
        ...(tags === undefined ? [] : [{ action: 'sts:TagSession', why: 'the token carries session tags' }]),
        ...(sourceIdentity === undefined ? [] : [{ action: 'sts:SetSourceIdentity', why: 'the token carries a source identity' }]),
      ],
      sessionName: p.roleSessionName,
      policy: p.policy,
      tagChars: tagChars(tags),
      durationSeconds: p.durationSeconds,
      chained: false,
      sourceIdentity,
      denied: (action, reason, evaluation) => {
        trail.nearMisses = nearMissesLater(evaluation, { provider, claims, claimKeys: deps.claimKeys });
        return new StsError('AccessDenied', MESSAGES.notAuthorized(action), { reason, detail: evaluation });
      },
    },
    trail,
  );
  return [
    ['Audience', audience],
    assumed.assumedRoleUser,
    sourceIdentity === undefined ? undefined : ['SourceIdentity', sourceIdentity],
    ['Provider', provider.arn],
    credentialsNode(assumed.credentials),
    ['SubjectFromWebIdentityToken', sub],
    assumed.packedPolicySize === undefined ? undefined : ['PackedPolicySize', assumed.packedPolicySize],
  ];
}

/** The source identity claim, checked against the sourceIdentity member's constraints. */
function readSourceIdentity(claims: Readonly<Record<string, unknown>>): string | undefined {
  const value = claims[SOURCE_IDENTITY_CLAIM];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && SOURCE_IDENTITY.test(value)) return value;
  // A claim that is not a string is shown as its JSON text: nothing of the attacker's value is called.
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  throw validationError([{ field: 'sourceIdentity', constraint: CONSTRAINT.pattern(SESSION_NAME_PATTERN_TEXT), value: shown }]);
}

function tagChars(tags: SessionTags | undefined): number {
  let n = 0;
  for (const [k, v] of tags?.principalTags ?? []) n += k.length + v.length;
  return n;
}

/**
 * The near misses of a refusal, worked out when asked. Made here, not in `decide`, so that what a kept audit record
 * holds on to is the evaluation (which it shows anyway), the provider and the claims, not the request.
 */
function nearMissesLater(evaluation: EvaluationResult, subject: NearMissSubject): () => readonly NearMiss[] {
  return () => policyNearMisses(evaluation, subject);
}
