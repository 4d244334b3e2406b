/**
 * The audit fields of Google's decisions (the JSON road turns them into the record of the audit log, the request log
 * and the recent decisions): `gcp:ExchangeToken` for STS /v1/token, the provider as the role and google.subject as
 * the subject; `gcp:GenerateAccessToken` for IAM Credentials, the service account as the role and the principal's
 * subject. The decision is `deny` for the refusals of the policy (the attribute condition, the bindings) and `error`
 * for the others, as AWS's AccessDenied and other errors; Google's code and text, the emulator's reason, and the trace
 * `explain --gcp --json` shows.
 */
import { defaultAudiences, type GcpConfig, type GcpProvider } from '../config/index.js';
import type { AuditFields, GcpError } from '../protocol/index.js';
import type { ExchangeResult } from './exchange.js';
import { GCP_ACTIONS, type GcpExplanation } from './explain-text.js';
import type { ImpersonationResult } from './impersonate.js';
import type { FederatedPrincipal } from './tokens.js';
import { claimOf, exchangeExplanation, impersonationExplanation, providerOfPrincipal, providerSummary, type Outcome } from './trace.js';

/** Google's refusals that are the policy's answer (the condition, the bindings), not a bad request or token. */
const DENIALS: ReadonlySet<string> = new Set(['unauthorized_client', 'PERMISSION_DENIED']);

/** Google's code and text of a refusal, from either of its error shapes. */
function codeAndText(e: GcpError): { code: string; text: string } {
  const body = e.body;
  return typeof body.error === 'string'
    ? { code: body.error, text: (body as { error_description: string }).error_description }
    : { code: body.error.status, text: body.error.message };
}

/** What to change, for the policy's refusals: the clause that was not true, or the members a binding could name. */
function nearMisses(explanation: GcpExplanation, code: string): string[] {
  if (code === 'unauthorized_client') {
    const failing = explanation.mapping?.trace.condition?.failing;
    return failing === undefined ? [] : [`the attribute condition's clause ${failing.expression} is not true for this token`];
  }
  if (code === 'PERMISSION_DENIED' && explanation.bindings !== undefined && explanation.serviceAccount !== undefined) {
    const members = explanation.bindings.identifiers.filter((id) => !id.endsWith('/*'));
    return members.length === 0
      ? []
      : [`bind roles/iam.workloadIdentityUser on ${explanation.serviceAccount} to one of: ${members.join(', ')}`];
  }
  return [];
}

function fields(
  action: string,
  role: string | null,
  subject: string | null,
  issuer: string | null,
  explanation: GcpExplanation,
  error: GcpError | undefined,
): AuditFields {
  const refusal = error === undefined ? undefined : codeAndText(error);
  return {
    action,
    role,
    sessionName: null,
    subject,
    issuer,
    decision: refusal === undefined ? 'allow' : DENIALS.has(refusal.code) ? 'deny' : 'error',
    errorCode: refusal?.code ?? null,
    message: refusal?.text ?? null,
    reason: error?.reason ?? null,
    trace: explanation,
    nearMisses: refusal === undefined ? [] : nearMisses(explanation, refusal.code),
  };
}

/** The provider an audience names, enabled or not (for the record; the exchange itself refuses a disabled one). */
export function providerNamed(config: GcpConfig | undefined, audience: string | undefined): GcpProvider | undefined {
  return audience === undefined ? undefined : config?.providers.find((p) => defaultAudiences(p).includes(audience));
}

/** The record of one token exchange: the subject token as sent (its iss, unverified when refused), its outcome. */
export function exchangeAudit(
  config: GcpConfig | undefined,
  request: { readonly audience?: string; readonly subject_token?: string } | undefined,
  outcome: Outcome<ExchangeResult>,
): AuditFields {
  const provider = providerNamed(config, request?.audience);
  const token = request?.subject_token;
  const explanation = exchangeExplanation(provider, token, outcome);
  const iss = claimOf(token, 'iss');
  const subject = outcome.ok ? outcome.result.principal.subject : (explanation.mapping?.subject ?? null);
  return fields(
    GCP_ACTIONS.exchange,
    provider?.name ?? null,
    subject,
    typeof iss === 'string' ? iss : null,
    explanation,
    outcome.ok ? undefined : outcome.error,
  );
}

/** The record of one generateAccessToken: the account asked for, the federated principal (unless its token was refused). */
export function impersonationAudit(
  config: GcpConfig | undefined,
  account: string,
  principal: FederatedPrincipal | undefined,
  outcome: Outcome<ImpersonationResult>,
): AuditFields {
  const provider = providerOfPrincipal(config, principal);
  const explanation = impersonationExplanation(
    provider === undefined ? {} : { provider: providerSummary(provider) },
    account,
    principal,
    outcome,
  );
  return fields(
    GCP_ACTIONS.impersonate,
    account,
    principal?.subject ?? null,
    provider?.issuerUri ?? null,
    explanation,
    outcome.ok ? undefined : outcome.error,
  );
}
