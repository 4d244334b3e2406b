/** What the rules know about one statement of a role's trust policy, and the small judgements several rules share. */
import type { RoleConfig } from '../config/types.js';
import { MULTIVALUED_CLAIMS, organisationOf, providedClaims, providerKindOf } from '../identity/provider-kinds.js';
import type { OidcProvider } from '../identity/types.js';
import { conditionWhenKeyAbsent, type ConditionView, type StatementView } from '../policy/index.js';

export interface StatementFacts {
  readonly role: RoleConfig;
  /** The registered OIDC providers. */
  readonly providers: readonly OidcProvider[];
  readonly statement: StatementView;
  readonly allow: boolean;
  /** Names of the OIDC providers in Principal.Federated (`oidc.circleci.com/org/<org>`). */
  readonly trusted: readonly string[];
}

const OIDC_PROVIDER_ARN = /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/(.+)$/;

export function statementFacts(role: RoleConfig, providers: readonly OidcProvider[], statement: StatementView): StatementFacts {
  const federated = statement.principal?.federated ?? [];
  const trusted = federated.map((f) => OIDC_PROVIDER_ARN.exec(f)?.[1]).filter((n): n is string => n !== undefined);
  return { role, providers, statement, allow: statement.effect === 'Allow', trusted };
}

/** The path in the role file of a path in its trust policy. */
export function at(s: StatementFacts, policyPath: string): string {
  return `${s.role.trustPolicyPath}.${policyPath}`;
}

/** The path of the statement's Condition block in the role file. */
export function conditionBlockPath(s: StatementFacts): string {
  return at(s, `${s.statement.path}.Condition`);
}

/** The trusted provider whose `<name>:` prefixes this key, if any. */
export function providerOfKey(s: StatementFacts, key: string): string | undefined {
  const lower = key.toLowerCase();
  return s.trusted.find((n) => lower.startsWith(n.toLowerCase() + ':'));
}

/** The statement's conditions on `<provider>:<claim>` (keys compared ignoring case, as IAM does). */
export function conditionsOn(s: StatementFacts, provider: string, claim: string): ConditionView[] {
  const key = `${provider}:${claim}`.toLowerCase();
  return s.statement.conditions.filter((c) => c.key.toLowerCase() === key);
}

/** Global condition keys that are sets, lower-cased. */
const MULTIVALUED_GLOBAL = new Set(['aws:tagkeys', 'sts:transitivetagkeys', 'aws:principalorgpaths', 'aws:calledvia']);

/** Whether the key is a set in the request context: a multivalued global key, or a multivalued claim of a trusted provider. */
export function isMultivaluedKey(s: StatementFacts, key: string): boolean {
  if (MULTIVALUED_GLOBAL.has(key.toLowerCase())) return true;
  const provider = providerOfKey(s, key);
  return provider !== undefined && MULTIVALUED_CLAIMS.has(key.slice(provider.length + 1));
}

/** A condition that restricts its key to its values: not negated, not ForAllValues (which admits an absent key). */
export function restricts(c: ConditionView): boolean {
  return c.qualifier !== 'ForAllValues' && /^String(Equals|Like)/.test(c.baseOperator);
}

/** Whether a policy value holds a wildcard; `${*}`, `${?}` and `${$}` are literal characters. */
export function hasWildcard(value: string): boolean {
  return /[*?]/.test(value.replace(/\$\{[*?$]\}/g, ''));
}

/** The org id when the provider is a CircleCI organisation's issuer. */
export function circleCiOrg(provider: string): string | undefined {
  return providerKindOf(provider).name === 'circleci' ? organisationOf(provider) : undefined;
}

export function isGitHub(provider: string): boolean {
  return providerKindOf(provider).name === 'github';
}

/** A key of a trusted provider that AWS does not put in the request context: its provider, claim and the claims AWS does provide. */
export function unsupportedKey(s: StatementFacts, c: ConditionView): { provider: string; claim: string; provided: string[] } | undefined {
  const provider = providerOfKey(s, c.key);
  if (provider === undefined) return undefined;
  const claim = c.key.slice(provider.length + 1);
  const provided = [...providedClaims(provider)];
  if (provided.some((x) => x.toLowerCase() === claim.toLowerCase())) return undefined;
  return { provider, claim, provided };
}

/** What a condition on a key that is never present amounts to, as the evaluator decides it. */
export function absentConsequence(c: ConditionView, allow: boolean): string {
  if (conditionWhenKeyAbsent(c)) return 'this condition is always true, so it restricts nothing';
  return allow
    ? 'this condition is always false, so the statement never allows'
    : 'this condition is always false, so the Deny never applies';
}
