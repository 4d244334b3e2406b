/**
 * A service account bound to a whole workload identity pool (`principalSet://.../workloadIdentityPools/<pool>/*`):
 * every identity that any provider of the pool admits, including a provider added to the pool later, may impersonate
 * it (Google "Best practices for using workload identity federation": grant access to specific principals or
 * attribute-based principal sets, not to all identities of a pool). The finding names a token a provider of the pool
 * admits, and the principal set to bind instead, from the provider's own mapping.
 */
import type { GcpConfig, GcpProvider } from '../../config/index.js';
import { IMPERSONATION_ROLES } from '../../gcp/index.js';
import { copiedClaim, showToken, someTokenGetsIn, tenantClaimNames, tenantKindOf, type NamedToken } from '../gcp-tokens.js';
import type { GcpServiceAccountRule, Report } from '../rule.js';

const WHOLE_POOL = /^principalSet:\/\/iam\.googleapis\.com\/projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/\*$/;

/** A narrower member for the token: an attribute that copies a claim naming the tenant, else the token's principal. */
function narrower(provider: GcpProvider, token: NamedToken): string {
  const base = `iam.googleapis.com/projects/${provider.projectNumber}/locations/global/workloadIdentityPools/${provider.poolId}`;
  const kind = tenantKindOf(provider);
  const tenant = new Set(kind === undefined ? [] : tenantClaimNames(kind));
  for (const [key, expression] of Object.entries(provider.attributeMapping)) {
    const claim = copiedClaim(expression);
    const value = token.result.attributes[key.slice('attribute.'.length)];
    if (key.startsWith('attribute.') && claim !== undefined && tenant.has(claim) && typeof value === 'string') {
      return `principalSet://${base}/${key}/${value}`;
    }
  }
  return `principal://${base}/subject/${token.result.subject ?? '<subject>'}`;
}

export const gcpBindingWholePool: GcpServiceAccountRule = {
  id: 'gcp-binding-whole-pool',
  severity: 'warning',
  providers: ['any'],
  summary:
    'a service account bound to a whole workload identity pool (`principalSet://.../workloadIdentityPools/<pool>/*`): every identity any provider of the pool admits, now or added later, can impersonate it',
  on: 'gcp-service-account',
  check(account, gcp: GcpConfig) {
    const reports: Report[] = [];
    account.bindings.forEach((binding, i) => {
      if (!IMPERSONATION_ROLES.includes(binding.role)) return;
      binding.members.forEach((member, j) => {
        const m = WHOLE_POOL.exec(member);
        if (m === null) return;
        const [, number, pool] = m as unknown as [string, string, string];
        const providers = gcp.providers.filter((p) => p.projectNumber === number && p.poolId === pool && !p.disabled);
        const admitted = providers
          .map((p) => ({ provider: p, token: someTokenGetsIn(p) }))
          .find((x): x is { provider: GcpProvider; token: NamedToken } => x.token !== undefined);
        const who =
          admitted !== undefined
            ? `, e.g. from provider ${pool}/${admitted.provider.providerId} (${showToken(admitted.token, tenantKindOf(admitted.provider))})`
            : providers.length > 0
              ? ` (its providers here: ${providers.map((p) => p.providerId).join(', ')})`
              : ' (no provider of the pool is configured here)';
        reports.push({
          path: `bindings[${i}].members[${j}]`,
          message: `${binding.role} on the whole pool ${pool}: every identity any provider of the pool admits, and any provider added to it later, can impersonate ${account.email}${who}`,
          fix:
            admitted !== undefined
              ? `bind what you mean: "${narrower(admitted.provider, admitted.token)}"`
              : `bind a principal set of an attribute (principalSet://iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/${pool}/attribute.<name>/<value>) or one subject (principal://.../subject/<subject>)`,
        });
      });
    });
    return reports;
  },
};
