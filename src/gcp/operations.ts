/**
 * The Google endpoints as the server calls them: body text in, `{status, body}` out, Google's refusals rendered from
 * GcpError in one place (the emulator's reason beside the answer, never in it). Anything else thrown is a bug: the
 * server answers it as Google's 500.
 */
import type { GcpConfig } from '../config/index.js';
import type { GcpTokenVerifier } from '../identity/index.js';
import { GcpError, oauthError, type JsonAnswer } from '../protocol/index.js';
import { exchangeAudit, impersonationAudit } from './audit.js';
import { exchangeToken, stsRequestOf, type StsRequest } from './exchange.js';
import { federatedPrincipal, impersonate, tokenInfo } from './impersonate.js';
import type { FederatedPrincipal, GcpTokenAuthority } from './tokens.js';

export interface GcpDeps {
  readonly config: GcpConfig | undefined;
  readonly verifier: GcpTokenVerifier;
  readonly tokens: GcpTokenAuthority;
  readonly clock: () => Date;
}

/** An answer of the JSON road: status, Google's body, and why a request was refused in the emulator's words. */
export type GcpAnswer = JsonAnswer;

export interface GcpOperations {
  /** POST /v1/token */
  token(contentType: string | undefined, text: string): Promise<GcpAnswer>;
  /** POST /v1/projects/<project>/serviceAccounts/<account>:generateAccessToken */
  generateAccessToken(project: string, account: string, authorization: string | undefined, text: string): Promise<GcpAnswer>;
  /** GET tokeninfo?access_token= */
  tokeninfo(token: string): GcpAnswer;
}

const refused = (e: GcpError): GcpAnswer => ({ status: e.status, body: e.body, reason: e.reason });

/** The fields of a form or JSON body (the two forms the clients send; gcp-wif.md §1.1). */
export function parseStsBody(contentType: string | undefined, text: string): Record<string, unknown> {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || (type === '' && text.trimStart().startsWith('{'))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw oauthError('invalid_request', 'Invalid JSON payload received.', 'the body is not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw oauthError('invalid_request', 'Invalid JSON payload received.', 'the JSON body is not an object');
    return parsed as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) if (!Object.hasOwn(out, k)) out[k] = v;
  return out;
}

export function gcpOperations(deps: GcpDeps): GcpOperations {
  return {
    async token(contentType, text) {
      let request: StsRequest | undefined;
      try {
        request = stsRequestOf(parseStsBody(contentType, text));
        const result = await exchangeToken(request, deps, deps.clock());
        return { status: 200, body: result.body, audit: exchangeAudit(deps.config, request, { ok: true, result }) };
      } catch (e) {
        if (e instanceof GcpError) return { ...refused(e), audit: exchangeAudit(deps.config, request, { ok: false, error: e }) };
        throw e;
      }
    },
    async generateAccessToken(project, account, authorization, text) {
      const now = deps.clock();
      let principal: FederatedPrincipal | undefined;
      try {
        principal = federatedPrincipal(authorization, deps.tokens, now);
        let body: unknown = {};
        if (text.trim() !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
        }
        const result = impersonate(principal, { project, account, body }, deps, now);
        return { status: 200, body: result.body, audit: impersonationAudit(deps.config, account, principal, { ok: true, result }) };
      } catch (e) {
        if (e instanceof GcpError)
          return { ...refused(e), audit: impersonationAudit(deps.config, account, principal, { ok: false, error: e }) };
        throw e;
      }
    },
    tokeninfo(token) {
      const info = tokenInfo(token, deps.tokens, deps.clock());
      return info === undefined
        ? { status: 400, body: { error: 'invalid_token', error_description: 'Invalid Value' }, reason: 'not a live token of this emulator' }
        : { status: 200, body: info };
    },
  };
}
