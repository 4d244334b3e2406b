/**
 * What lint knows about the tokens a Google Cloud workload identity provider may be sent, to name one that gets in:
 * which issuers are shared by every customer (GitHub's, gitlab.com, HCP Terraform's; Google "Best practices for
 * using workload identity federation": "multi-tenant identity providers ... require an attributeCondition"), which
 * claims name the tenant (a repository, a project, an organization) and which the tenant's owner sets at will (a
 * branch name, a workflow name, the audience), and another tenant's token. A token is said to get in only when the
 * provider's own mapping and condition (`gcp/mapping.ts`, the exchange's code) admit it.
 */
import { acceptedAudiences, type GcpProvider } from '../config/index.js';
import { mapAndCheck, type MappingResult } from '../gcp/index.js';
import { organisationOf, presetClaims, providerKindOf } from '../identity/provider-kinds.js';
import { OTHER } from './subjects.js';

/** The kinds of issuer lint makes another tenant's token for. */
export type TenantKind = 'github' | 'gitlab' | 'terraform' | 'circleci';

interface Tenancy {
  /** What a tenant is, for messages: a GitHub repository, a CircleCI project, ... */
  readonly tenant: string;
  /** Claims the attacker cannot choose: they name the tenant (or the person). */
  readonly tenantClaims: readonly string[];
  /** Claims the tenant's owner sets at will (a branch, a workflow, an audience). */
  readonly chosen: readonly string[];
  /** The preset options of another tenant's token; variants are tried in order (CircleCI's V1 and V2 tokens). */
  readonly other: readonly Readonly<Record<string, unknown>>[];
  /** The claim messages show to say whose token it is. */
  readonly shows: string;
  /** The condition that pins the tenant, for the fix: `<expression> == '<value>'`. */
  readonly pin: { readonly claim: string; readonly placeholder: string };
}

/** Another tenant, as the lint messages name it. */
const OTHER_GITHUB = { repository: `${OTHER.owner}/${OTHER.repo}`, repositoryId: '900000009', repositoryOwnerId: '900000008' };
const OTHER_GITLAB = { projectPath: `${OTHER.group}/${OTHER.project}`, projectId: '9900099', namespaceId: '9800098' };
const OTHER_TERRAFORM = { organization: OTHER.organization, organizationId: 'org-AnotherOrg00000001' };

const TENANCY: Readonly<Record<TenantKind, Tenancy>> = {
  github: {
    tenant: 'GitHub repository',
    tenantClaims: [
      'sub',
      'repository',
      'repository_owner',
      'repository_id',
      'repository_owner_id',
      'workflow_ref',
      'job_workflow_ref',
      'enterprise',
      'enterprise_id',
      'actor',
      'actor_id',
    ],
    chosen: [
      'aud',
      'ref',
      'ref_type',
      'ref_protected',
      'workflow',
      'environment',
      'event_name',
      'base_ref',
      'head_ref',
      'runner_environment',
      'repository_visibility',
    ],
    other: [{ ...OTHER_GITHUB, actor: 'another-user', actorId: '900000007' }],
    shows: 'repository',
    pin: { claim: 'repository_owner_id', placeholder: '<owner id>' },
  },
  gitlab: {
    tenant: 'GitLab project',
    tenantClaims: [
      'sub',
      'project_path',
      'project_id',
      'namespace_path',
      'namespace_id',
      'ci_config_ref_uri',
      'user_id',
      'user_login',
      'user_email',
    ],
    chosen: [
      'aud',
      'ref',
      'ref_type',
      'ref_path',
      'ref_protected',
      'environment',
      'environment_protected',
      'deployment_tier',
      'pipeline_source',
      'user_access_level',
      'runner_environment',
      'project_visibility',
    ],
    other: [{ ...OTHER_GITLAB, userId: '9700097', userLogin: 'another-user', userEmail: 'another-user@example.com' }],
    shows: 'project_path',
    pin: { claim: 'namespace_id', placeholder: '<group id>' },
  },
  terraform: {
    tenant: 'HCP Terraform organization',
    tenantClaims: [
      'sub',
      'terraform_organization_id',
      'terraform_organization_name',
      'terraform_project_id',
      'terraform_workspace_id',
      'terraform_run_id',
    ],
    chosen: ['aud', 'terraform_project_name', 'terraform_workspace_name', 'terraform_full_workspace', 'terraform_run_phase'],
    other: [
      { ...OTHER_TERRAFORM, projectId: 'prj-AnotherProject0001', workspaceId: 'ws-AnotherWorkspace01', runId: 'run-AnotherRun000001' },
    ],
    shows: 'terraform_organization_name',
    pin: { claim: 'terraform_organization_id', placeholder: '<organization id>' },
  },
  circleci: {
    tenant: 'CircleCI project',
    tenantClaims: ['sub', 'oidc.circleci.com/project-id', 'oidc.circleci.com/vcs-origin', 'oidc.circleci.com/pipeline-definition-id'],
    chosen: ['aud', 'oidc.circleci.com/vcs-ref', 'oidc.circleci.com/context-ids', 'oidc.circleci.com/ssh-rerun'],
    // $CIRCLE_OIDC_TOKEN (V1) first: the V2 sub, with vcs-origin and vcs-ref, may be longer than google.subject allows.
    other: [true, false].map((v1) => ({ projectId: OTHER.uuid, userId: OTHER.uuid2, vcsOrigin: `github.com/demo-org/${OTHER.repo}`, v1 })),
    shows: 'oidc.circleci.com/project-id',
    pin: { claim: 'oidc.circleci.com/project-id', placeholder: '<project-id>' },
  },
};

/** What a tenant of the kind is, for messages. */
export function tenantName(kind: TenantKind): string {
  return TENANCY[kind].tenant;
}

/** The kind of the provider's issuer, when lint makes tokens for it. */
export function tenantKindOf(provider: Pick<GcpProvider, 'issuerUri'>): TenantKind | undefined {
  const kind = providerKindOf(provider.issuerUri.replace(/^https:\/\//, '')).name;
  return kind === 'github' || kind === 'gitlab' || kind === 'terraform' || kind === 'circleci' ? kind : undefined;
}

/**
 * Whether the issuer is shared by every customer of the CI service: GitHub's public issuer (not an enterprise's),
 * gitlab.com, HCP Terraform (US or EU). Its tokens are told apart by their claims only.
 */
export function isSharedIssuer(provider: Pick<GcpProvider, 'issuerUri'>): boolean {
  const kind = tenantKindOf(provider);
  const name = provider.issuerUri.replace(/^https:\/\//, '');
  return (kind === 'github' || kind === 'gitlab' || kind === 'terraform') && organisationOf(name) === undefined;
}

/** The preset's own (demo) tenant: CircleCI's V1 token first, as for another tenant. */
const OWN: Readonly<Record<TenantKind, readonly Readonly<Record<string, unknown>>[]>> = {
  github: [{}],
  gitlab: [{}],
  terraform: [{}],
  circleci: [{ v1: true }, { v1: false }],
};

/** Lint's clock: the tokens it makes are never checked for time, only mapped. */
const TIME = { now: new Date(Date.UTC(2026, 0, 1)), ttlSeconds: 3600 };

/** A token lint names, and what the provider's mapping and condition made of it. */
export interface NamedToken {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly result: MappingResult;
}

/** `assertion.x`, `assertion["x"]` / `assertion['x']`, `attribute.x` or `google.subject` at the start of a text. */
const REFERENCE = /^(?:assertion\.([A-Za-z_][\w]*)|assertion\[(["'])((?:(?!\2).)+)\2\]|attribute\.([a-z0-9_]+)|google\.subject)/;
const LITERAL = /^(["'])((?:(?!\1)[^\\])*)\1$/;

/** The claim a mapping expression copies as is (`assertion.sub`, `assertion['oidc.circleci.com/project-id']`), if it does. */
export function copiedClaim(expression: string): string | undefined {
  const m = REFERENCE.exec(expression.trim());
  if (m === null || m[0].length !== expression.trim().length) return undefined;
  return m[1] ?? m[3];
}

/** The claim a reference reads: directly, or through a mapped attribute that copies it. */
function claimOf(reference: string, provider: GcpProvider): string | undefined {
  const m = REFERENCE.exec(reference);
  if (m === null || m[0].length !== reference.length) return undefined;
  if (m[1] !== undefined || m[3] !== undefined) return m[1] ?? m[3];
  const key = m[4] === undefined ? 'google.subject' : `attribute.${m[4]}`;
  const expression = provider.attributeMapping[key];
  return expression === undefined ? undefined : copiedClaim(expression);
}

/**
 * What the clauses of the condition (its top-level `&&` operands) ask of single claims: `<ref> == 'v'`,
 * `<ref>.startsWith('v')`, `<ref> in ['v', ...]` give the claim the value v.
 */
function askedValues(provider: GcpProvider): Map<string, string> {
  const asked = new Map<string, string>();
  const condition = provider.condition;
  if (condition === undefined) return asked;
  const clauses = condition.conjuncts.length > 0 ? condition.conjuncts.map((c) => c.text) : [condition.text];
  for (const raw of clauses) {
    const clause = raw
      .trim()
      .replace(/^\((.*)\)$/s, '$1')
      .trim();
    let m: RegExpExecArray | null;
    let reference: string | undefined;
    let value: string | undefined;
    if ((m = /^(\S+?)\s*==\s*(.+)$/s.exec(clause)) !== null) {
      const [left, right] = [m[1] as string, (m[2] as string).trim()];
      const lit = LITERAL.exec(right) ?? LITERAL.exec(left);
      reference = LITERAL.test(right) ? left : right;
      value = lit?.[2];
    } else if ((m = /^(\S+?)\.startsWith\((.+)\)$/s.exec(clause)) !== null) {
      reference = m[1];
      value = LITERAL.exec((m[2] as string).trim())?.[2];
    } else if ((m = /^(\S+?)\s+in\s+\[\s*(["'])((?:(?!\2)[^\\])*)\2/s.exec(clause)) !== null) {
      reference = m[1];
      value = m[3];
    }
    if (reference === undefined || value === undefined) continue;
    const claim = claimOf(reference.trim(), provider);
    if (claim !== undefined && !asked.has(claim)) asked.set(claim, value);
  }
  return asked;
}

/**
 * A token of another tenant that the provider admits, if one does: the tenant's claims are another tenant's, the
 * claims its owner chooses take the values the condition asks for, the audience is one the provider accepts.
 */
export function otherTenantGetsIn(provider: GcpProvider, kind: TenantKind): NamedToken | undefined {
  const tenancy = TENANCY[kind];
  return firstAdmitted(provider, tenancy.other, kind);
}

/**
 * A token the provider admits, of the kind its issuer mints (one of another tenant when the kind is known, else a
 * token with a stand-in subject), for naming who a binding lets in; undefined when lint finds none.
 */
export function someTokenGetsIn(provider: GcpProvider): NamedToken | undefined {
  const kind = tenantKindOf(provider);
  if (kind !== undefined) return firstAdmitted(provider, TENANCY[kind].other, kind) ?? firstAdmitted(provider, OWN[kind], kind);
  const claims: Record<string, unknown> = { iss: provider.issuerUri, sub: 'any-subject', aud: acceptedAudiences(provider)[0] };
  for (const [claim, value] of askedValues(provider)) claims[claim] = value;
  const result = mapAndCheck(provider.mapping, provider.condition, claims);
  return result.allowed ? { claims, result } : undefined;
}

function firstAdmitted(
  provider: GcpProvider,
  variants: readonly Readonly<Record<string, unknown>>[],
  kind: TenantKind,
): NamedToken | undefined {
  const asked = askedValues(provider);
  const chosen = new Set(TENANCY[kind].chosen);
  for (const options of variants) {
    const claims = presetClaims(kind, provider.issuerUri, { ...options, aud: acceptedAudiences(provider)[0] }, TIME);
    for (const [claim, value] of asked) if (chosen.has(claim)) claims[claim] = value;
    const result = mapAndCheck(provider.mapping, provider.condition, claims);
    if (result.allowed) return { claims, result };
  }
  return undefined;
}

/** Whether the condition, or an attribute it reads, reads a claim that names the tenant. */
export function conditionReadsTenant(provider: GcpProvider, kind: TenantKind): boolean {
  const text = provider.attributeCondition;
  if (text === undefined) return false;
  const tenant = TENANCY[kind].tenantClaims;
  const reads = (expression: string): boolean =>
    tenant.some((c) => new RegExp(`assertion\\s*(?:\\.\\s*${escape(c)}\\b|\\[\\s*(["'])${escape(c)}\\1\\s*\\])`).test(expression));
  if (reads(text)) return true;
  return Object.entries(provider.attributeMapping).some(([key, expression]) => {
    const name = key === 'google.subject' ? 'google\\.subject' : key === 'google.groups' ? 'google\\.groups' : escape(key);
    return new RegExp(`(^|[^\\w.])${name}\\b`).test(text) && reads(expression);
  });
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The clause that pins the tenant, written with the attribute the provider maps from the claim when it maps one. */
export function pinClause(provider: GcpProvider, kind: TenantKind, value?: string): string {
  const { claim, placeholder } = TENANCY[kind].pin;
  const mapped = Object.entries(provider.attributeMapping).find(([k, e]) => k.startsWith('attribute.') && copiedClaim(e) === claim)?.[0];
  const reference = mapped ?? (/^[A-Za-z_]\w*$/.test(claim) ? `assertion.${claim}` : `assertion['${claim}']`);
  return `${reference} == '${value ?? placeholder}'`;
}

/** A token as messages name it: whose it is and the google.subject it maps to. */
export function showToken(token: NamedToken, kind: TenantKind | undefined): string {
  const claim = kind === undefined ? undefined : TENANCY[kind].shows;
  const whose = claim === undefined ? [] : [`${claim} '${String(token.claims[claim])}'`];
  return [...whose, `google.subject '${token.result.subject ?? ''}'`].join(', ');
}

/** The claims that name the tenant, for messages. */
export function tenantClaimNames(kind: TenantKind): readonly string[] {
  return TENANCY[kind].tenantClaims.filter((c) => c !== 'sub');
}

/** The claim a kind's fix pins. */
export function pinnedClaim(kind: TenantKind): string {
  return TENANCY[kind].pin.claim;
}
