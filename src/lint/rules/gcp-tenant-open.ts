/**
 * Google Cloud workload identity providers that admit more tenants than meant. On an issuer every customer of the CI
 * service shares (GitHub's, gitlab.com, HCP Terraform's) only the attribute condition tells one customer's tokens
 * from another's, and Google requires one for such issuers (Google "Best practices for using workload identity
 * federation"; shared/reference/gcp-wif.md §2.3); on CircleCI's issuer (one per organisation,
 * oidc.circleci.com/org/<org>) every project of the organisation shares it, and CircleCI's own mapping keeps the
 * project in an attribute for the condition to pin (CircleCI "Using OpenID Connect tokens in jobs", Google Cloud
 * setup). Each finding names another tenant's token that the provider's mapping and condition admit.
 */
import { organisationOf } from '../../identity/provider-kinds.js';
import type { GcpConfig, GcpProvider } from '../../config/index.js';
import {
  conditionReadsTenant,
  copiedClaim,
  isSharedIssuer,
  otherTenantGetsIn,
  pinClause,
  pinnedClaim,
  showToken,
  tenantClaimNames,
  tenantKindOf,
  tenantName,
  type TenantKind,
} from '../gcp-tokens.js';
import { PROVIDER_NAMES, type GcpProviderRule, type Report } from '../rule.js';

/** The condition with the pinning clause added, as the JSON value to write. */
function fixedCondition(provider: GcpProvider, kind: TenantKind, value?: string): string {
  const pin = pinClause(provider, kind, value);
  return JSON.stringify(provider.attributeCondition === undefined ? pin : `${provider.attributeCondition} && ${pin}`);
}

/** The report for a provider that lets another tenant in; `issuer` says what the issuer is shared by. */
function openTo(provider: GcpProvider, kind: TenantKind, issuer: string, value?: string): Report[] {
  const tenant = tenantName(kind);
  const fix = `${provider.attributeCondition === undefined ? 'add' : 'pin it'}: "attributeCondition": ${fixedCondition(provider, kind, value)}`;
  const token = otherTenantGetsIn(provider, kind);
  if (provider.attributeCondition === undefined) {
    return [
      {
        path: 'oidc.issuerUri',
        message: `no attribute condition on ${issuer}: a job of another ${tenant} gets in${token === undefined ? '' : ` (${showToken(token, kind)})`}`,
        fix,
      },
    ];
  }
  if (token !== undefined) {
    return [
      {
        path: 'attributeCondition',
        message: `the attribute condition does not pin the ${tenant} on ${issuer}: a job of another ${tenant} gets in (${showToken(token, kind)})`,
        fix,
      },
    ];
  }
  if (conditionReadsTenant(provider, kind)) return [];
  return [
    {
      path: 'attributeCondition',
      message: `the attribute condition reads none of the claims that name the ${tenant} (${tenantClaimNames(kind).join(', ')}) on ${issuer}: a job of another ${tenant} whose other claims pass it gets in`,
      fix,
    },
  ];
}

export const gcpSharedIssuerOpen: GcpProviderRule = {
  id: 'gcp-shared-issuer-open',
  severity: 'error',
  providers: ['github', 'gitlab', 'terraform'],
  summary:
    "a Google Cloud provider on an issuer every customer shares (GitHub's, gitlab.com, HCP Terraform's) with no attribute condition, or one that does not pin the owner: another customer's repository, project or organization gets in",
  on: 'gcp-provider',
  check(provider) {
    const kind = tenantKindOf(provider);
    if (kind === undefined || kind === 'circleci' || !isSharedIssuer(provider)) return [];
    return openTo(provider, kind, `${provider.issuerUri}, an issuer every ${PROVIDER_NAMES[kind]} customer shares`);
  },
};

/** The project a binding of the pool names through an attribute that copies the project id, if one does. */
function boundProject(provider: GcpProvider, gcp: GcpConfig): string | undefined {
  const claim = pinnedClaim('circleci');
  const attributes = Object.entries(provider.attributeMapping)
    .filter(([k, e]) => k.startsWith('attribute.') && copiedClaim(e) === claim)
    .map(([k]) => k);
  const pool = `principalSet://iam.googleapis.com/projects/${provider.projectNumber}/locations/global/workloadIdentityPools/${provider.poolId}/`;
  for (const sa of gcp.serviceAccounts) {
    for (const b of sa.bindings) {
      for (const m of b.members) {
        const a = attributes.find((k) => m.startsWith(`${pool}${k}/`));
        if (a !== undefined) return m.slice(`${pool}${a}/`.length);
      }
    }
  }
  return undefined;
}

export const gcpCircleciOrgWide: GcpProviderRule = {
  id: 'gcp-circleci-org-wide',
  severity: 'warning',
  providers: ['circleci'],
  summary:
    "a Google Cloud provider on CircleCI's organisation issuer (`oidc.circleci.com/org/<org>`) whose attribute condition pins no project: a job of every project of the organisation gets in",
  on: 'gcp-provider',
  check(provider, gcp) {
    if (tenantKindOf(provider) !== 'circleci') return [];
    const org = organisationOf(provider.issuerUri.replace(/^https:\/\//, ''));
    return openTo(provider, 'circleci', `CircleCI organisation ${org ?? '?'}'s issuer`, boundProject(provider, gcp));
  },
};
