/**
 * Google STS `POST /v1/token` for workload identity pools (shared/reference/gcp-wif.md §1), in the emulator's order:
 * the request (grant, token types, subject token) → the audience's form (invalid_request) → the provider, existing
 * and enabled (invalid_target) → the subject token (identity/gcp-verifier.ts: signature, iss, aud, times) → the
 * attribute mapping, its limits and the attribute condition (mapping.ts) → a federated token for the pool principal,
 * `expires_in = min(|exp − now|, 3600)` as an integer. Refusals are GcpErrors with Google's texts.
 */
import { acceptedAudiences, type GcpConfig, type GcpProvider } from '../config/index.js';
import type { GcpTokenVerifier } from '../identity/index.js';
import { GCP_TEXTS, GcpError, oauthError } from '../protocol/index.js';
import { mapAndCheck, MAPPING_REASONS, type MappingResult } from './mapping.js';
import type { FederatedPrincipal, GcpTokenAuthority } from './tokens.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const SUBJECT_TOKEN_TYPES: readonly string[] = ['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token'];
/** Federated tokens live at most an hour. */
export const MAX_FEDERATED_SECONDS = 3600;

/** `//iam.googleapis.com/<provider name>`, with or without `https:`. */
const AUDIENCE =
  /^(?:https:)?\/\/iam\.googleapis\.com\/(projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+\/providers\/[^/]+)$/;

/** The JSON (camelCase) names of the form's snake_case fields. */
const CAMEL: Readonly<Record<string, string>> = {
  grantType: 'grant_type',
  requestedTokenType: 'requested_token_type',
  subjectToken: 'subject_token',
  subjectTokenType: 'subject_token_type',
};
const FIELDS = ['grant_type', 'audience', 'scope', 'requested_token_type', 'subject_token', 'subject_token_type', 'options'] as const;
export type StsField = (typeof FIELDS)[number];
export type StsRequest = Partial<Record<StsField, string>>;

const invalidValue = (name: string, reason: string): GcpError => oauthError('invalid_request', `Invalid value for "${name}".`, reason);

/** The request's fields from a form (snake_case) or a JSON body (camelCase or snake_case); a non-string value is refused. */
export function stsRequestOf(raw: Readonly<Record<string, unknown>>): StsRequest {
  const out: StsRequest = {};
  for (const [k, v] of Object.entries(raw)) {
    const name = (CAMEL[k] ?? k) as StsField;
    if (!(FIELDS as readonly string[]).includes(name)) continue;
    if (name === 'scope' && Array.isArray(v) && v.every((s) => typeof s === 'string')) {
      out.scope = v.join(' ');
      continue;
    }
    if (name === 'options' && typeof v === 'object' && v !== null) {
      out.options = JSON.stringify(v);
      continue;
    }
    if (typeof v !== 'string') throw invalidValue(name, `${k} must be a string`);
    out[name] = v;
  }
  return out;
}

/** The provider an audience names, or Google's refusal. */
export function providerForAudience(config: GcpConfig | undefined, audience: string | undefined): GcpProvider {
  const m = audience === undefined ? null : AUDIENCE.exec(audience);
  if (m === null)
    throw oauthError(
      'invalid_request',
      GCP_TEXTS.badAudience,
      `audience ${JSON.stringify(audience) ?? 'missing'} is not //iam.googleapis.com/projects/<n>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`,
    );
  const name = m[1] as string;
  const provider = config?.providers.find((p) => p.name === name);
  if (provider === undefined) throw oauthError('invalid_target', GCP_TEXTS.badTarget, `no provider ${name} in gcp/pools/`);
  if (provider.disabled)
    throw oauthError('invalid_target', GCP_TEXTS.badTarget, `provider ${name} is disabled or deleted (${provider.file})`);
  return provider;
}

/** The mapping and condition's verdict on verified claims, as a GcpError when refused (the decision for explain too). */
export function decideMapping(
  provider: GcpProvider,
  claims: Readonly<Record<string, unknown>>,
): { result: MappingResult; error?: GcpError } {
  const result = mapAndCheck(provider.mapping, provider.condition, claims);
  if (result.allowed) return { result };
  const failing = result.trace.condition?.failing;
  const conditionWhy =
    failing === undefined
      ? `the condition gave ${describeOutcome(result.trace.condition?.outcome)}`
      : `${failing.expression} gave ${describeOutcome(failing.outcome)}`;
  switch (result.reason) {
    case MAPPING_REASONS.conditionRejected:
      return { result, error: oauthError('unauthorized_client', GCP_TEXTS.condition, `attribute condition: ${conditionWhy}`).with(result) };
    case MAPPING_REASONS.subjectTooLong:
    case MAPPING_REASONS.attributeTooLong:
      return {
        result,
        error: oauthError(
          'invalid_request',
          GCP_TEXTS.subjectSize(result.attribute ?? 'google.subject'),
          `${result.attribute ?? ''} is over 127 bytes`,
        ).with(result),
      };
    case MAPPING_REASONS.mappedTooLarge:
      return {
        result,
        error: oauthError('invalid_request', GCP_TEXTS.mappedTooLarge, 'the mapped attributes are over 8 KB together').with(result),
      };
    default:
      return {
        result,
        error: oauthError('invalid_request', GCP_TEXTS.noSubject, 'google.subject is missing or empty after mapping').with(result),
      };
  }
}

function describeOutcome(o: { ok: true; value: unknown } | { ok: false; error: string } | undefined): string {
  if (o === undefined) return 'nothing';
  return o.ok ? (JSON.stringify(o.value) ?? String(o.value)) : `an error: ${o.error}`;
}

export interface ExchangeDeps {
  readonly config: GcpConfig | undefined;
  readonly verifier: GcpTokenVerifier;
  readonly tokens: GcpTokenAuthority;
}

export interface ExchangeResult {
  readonly body: {
    readonly access_token: string;
    readonly issued_token_type: string;
    readonly token_type: 'Bearer';
    readonly expires_in: number;
  };
  readonly principal: FederatedPrincipal;
  readonly mapping: MappingResult;
}

/** The token exchange; rejects with a GcpError only (anything else is a bug). */
export async function exchangeToken(request: StsRequest, deps: ExchangeDeps, now: Date): Promise<ExchangeResult> {
  if (request.grant_type !== TOKEN_EXCHANGE_GRANT) throw invalidValue('grant_type', `grant_type must be ${TOKEN_EXCHANGE_GRANT}`);
  if (request.requested_token_type !== ACCESS_TOKEN_TYPE)
    throw invalidValue('requested_token_type', `requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
  if (request.subject_token_type === undefined || !SUBJECT_TOKEN_TYPES.includes(request.subject_token_type))
    throw invalidValue('subject_token_type', `subject_token_type must be one of ${SUBJECT_TOKEN_TYPES.join(', ')} (OIDC providers)`);
  const subjectToken = request.subject_token?.trim();
  if (subjectToken === undefined || subjectToken === '') throw invalidValue('subject_token', 'subject_token is missing');
  const provider = providerForAudience(deps.config, request.audience);
  const verified = await deps.verifier.verify(
    subjectToken,
    { name: provider.name, issuerUri: provider.issuerUri, keys: provider.keys, audiences: acceptedAudiences(provider) },
    now,
  );
  const { result, error } = decideMapping(provider, verified.claims);
  if (error !== undefined) throw error;
  const exp = verified.claims['exp'] as number;
  const nowSeconds = now.getTime() / 1000;
  const expiresIn = Math.max(1, Math.min(Math.floor(Math.abs(exp - nowSeconds)), MAX_FEDERATED_SECONDS));
  const principal: FederatedPrincipal = {
    pool: provider.name.slice(0, provider.name.indexOf('/providers/')),
    provider: provider.name,
    subject: result.subject as string,
    groups: result.groups,
    attributes: result.attributes,
  };
  const accessToken = deps.tokens.seal({
    kind: 'federated',
    principal,
    issued: now,
    expires: new Date(now.getTime() + expiresIn * 1000),
  });
  return {
    body: { access_token: accessToken, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: expiresIn },
    principal,
    mapping: result,
  };
}

export { GcpError };
