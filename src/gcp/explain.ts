/**
 * Why Google's side allows or refuses a token (explain --gcp, test cases with gcp: targets): the token exchange and
 * the impersonation run exactly as the server runs them (exchangeToken, generateAccessToken), and their traces are
 * kept: the audience accepted, each mapped attribute with its value or error, the condition with the clause that was
 * not true, and which binding matched or why none did.
 */
import type { GcpProvider } from '../config/index.js';
import { GcpError } from '../protocol/index.js';
import { ACCESS_TOKEN_TYPE, exchangeToken, TOKEN_EXCHANGE_GRANT, type ExchangeResult } from './exchange.js';
import type { GcpExplanation } from './explain-text.js';
import { generateAccessToken } from './impersonate.js';
import type { GcpDeps } from './operations.js';
import { claimOf, exchangeExplanation, impersonationExplanation } from './trace.js';

export { explainGcpText, type GcpExplanation } from './explain-text.js';

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export async function explainGcp(
  deps: GcpDeps,
  input: { readonly token: string; readonly provider: GcpProvider; readonly serviceAccount?: string },
  now: Date,
): Promise<GcpExplanation> {
  const p = input.provider;
  let exchanged: ExchangeResult;
  try {
    exchanged = await exchangeToken(
      {
        grant_type: TOKEN_EXCHANGE_GRANT,
        audience: `//iam.googleapis.com/${p.name}`,
        scope: SCOPE,
        requested_token_type: ACCESS_TOKEN_TYPE,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        subject_token: input.token,
      },
      deps,
      now,
    );
  } catch (e) {
    if (!(e instanceof GcpError)) throw e;
    return exchangeExplanation(p, input.token, { ok: false, error: e });
  }
  const allowed = exchangeExplanation(p, input.token, { ok: true, result: exchanged });
  if (input.serviceAccount === undefined) return allowed;
  const { result: _allowed, ...base } = allowed;
  try {
    const r = generateAccessToken(
      { project: '-', account: input.serviceAccount, authorization: `Bearer ${exchanged.body.access_token}`, body: { scope: [SCOPE] } },
      deps,
      now,
    );
    return impersonationExplanation(base, input.serviceAccount, exchanged.principal, { ok: true, result: r });
  } catch (e) {
    if (!(e instanceof GcpError)) throw e;
    return impersonationExplanation(base, input.serviceAccount, exchanged.principal, { ok: false, error: e });
  }
}

/**
 * The pool provider a token is explained against: the one named (id or full name), else the only one, else the one
 * whose issuerUri is the token's `iss`. Undefined, with why, when none or several fit.
 */
export function gcpProviderFor(
  providers: readonly GcpProvider[],
  token: string,
  wanted: string | undefined,
): { readonly provider: GcpProvider } | { readonly error: string } {
  const iss = claimOf(token, 'iss');
  const candidates =
    wanted !== undefined
      ? providers.filter((p) => p.providerId === wanted || p.name === wanted)
      : providers.length === 1
        ? providers
        : providers.filter((p) => p.issuerUri === iss);
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) return { provider: only };
  const known = providers.map((p) => p.name).join(', ') || 'none';
  return {
    error: `${candidates.length === 0 ? 'no' : 'more than one'} Google Cloud provider in gcp/pools fits${wanted === undefined ? ` the token's issuer ${String(iss)}` : ` --provider ${wanted}`}: name one (providers: ${known})`,
  };
}

/** What a case expects of Google's side: allow, deny (a condition or binding refusal), or Google's error code. */
export function gcpOutcomeLabel(e: GcpExplanation): string {
  if (e.result === 'allow') return 'allow';
  const body = e.error as { error?: unknown } | undefined;
  const err = body?.error;
  return typeof err === 'string' ? err : String((err as { status?: unknown } | undefined)?.status);
}

/** Google's codes a case may expect, beside allow and deny. */
export const GCP_EXPECTATIONS: readonly string[] = [
  'invalid_request',
  'invalid_target',
  'invalid_grant',
  'unauthorized_client',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'INVALID_ARGUMENT',
];

/** Whether a label meets an expectation: `deny` is met by the condition's and the bindings' refusals. */
export function gcpExpectationMet(expect: string, got: string): boolean {
  return got === expect || (expect === 'deny' && (got === 'unauthorized_client' || got === 'PERMISSION_DENIED'));
}
