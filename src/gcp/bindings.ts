/**
 * Who may impersonate a service account (shared/reference/gcp-wif.md §2.4, §2.5), pure: a binding of
 * roles/iam.workloadIdentityUser or roles/iam.serviceAccountTokenCreator whose members name the federated principal
 * (principal://.../subject/<s>) or a set it is in (principalSet://.../group/<g>, .../attribute.<k>/<v>, .../*).
 * Returns the decision with a trace: the identifiers the principal has, and each binding with why it matched or not.
 */
import type { FederatedPrincipal } from './tokens.js';

/** The roles that carry iam.serviceAccounts.getAccessToken. */
export const IMPERSONATION_ROLES: readonly string[] = ['roles/iam.workloadIdentityUser', 'roles/iam.serviceAccountTokenCreator'];

const IAM = 'iam.googleapis.com';

/** principal://iam.googleapis.com/<pool>/subject/<subject> (the subject raw, as Google writes it). */
export function principalOf(p: Pick<FederatedPrincipal, 'pool' | 'subject'>): string {
  return `principal://${IAM}/${p.pool}/subject/${p.subject}`;
}

/** Every member identifier the principal answers to: itself, its groups, its attribute values, the whole pool. */
export function identifiersOf(p: FederatedPrincipal): string[] {
  const set = `principalSet://${IAM}/${p.pool}`;
  const ids = [principalOf(p), ...p.groups.map((g) => `${set}/group/${g}`)];
  for (const [k, v] of Object.entries(p.attributes)) {
    for (const value of typeof v === 'string' ? [v] : v) ids.push(`${set}/attribute.${k}/${value}`);
  }
  ids.push(`${set}/*`);
  return ids;
}

export interface BindingTrace {
  readonly role: string;
  readonly members: readonly string[];
  /** The member that matched, or why the binding does not grant. */
  readonly matched?: string;
  readonly why?: string;
}

export interface BindingDecision {
  readonly allowed: boolean;
  readonly identifiers: readonly string[];
  readonly bindings: readonly BindingTrace[];
}

export function checkBindings(
  bindings: readonly { readonly role: string; readonly members: readonly string[] }[],
  identifiers: readonly string[],
): BindingDecision {
  const wanted = new Set(identifiers);
  const traces: BindingTrace[] = bindings.map((b) => {
    const matched = b.members.find((m) => wanted.has(m));
    if (!IMPERSONATION_ROLES.includes(b.role)) {
      return { role: b.role, members: b.members, why: `${b.role} does not carry iam.serviceAccounts.getAccessToken` };
    }
    return matched === undefined
      ? { role: b.role, members: b.members, why: 'no member names this principal or a set it is in' }
      : { role: b.role, members: b.members, matched };
  });
  return { allowed: traces.some((t) => t.matched !== undefined), identifiers, bindings: traces };
}
