/** What the rules know about one statement of a role's trust policy, and the small judgements several rules share. */
import type { RoleConfig } from '../config/types.js';
import { MULTIVALUED_CLAIMS, organisationOf, providedClaims, providerKindOf } from '../identity/provider-kinds.js';
import type { OidcProvider } from '../identity/types.js';
import { conditionHoldsFor, conditionWhenKeyAbsent, valuesMatching, type ConditionView, type StatementView } from '../policy/index.js';

export interface StatementFacts {
  readonly role: RoleConfig;
  /** The registered OIDC providers. */
  readonly providers: readonly OidcProvider[];
  readonly statement: StatementView;
  /** Every statement of the role's trust policy (this one included). */
  readonly statements: readonly StatementView[];
  readonly allow: boolean;
  /** Names of the OIDC providers in Principal.Federated (`oidc.circleci.com/org/<org>`). */
  readonly trusted: readonly string[];
}

const OIDC_PROVIDER_ARN = /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/(.+)$/;

/** The OIDC provider names a statement's Principal.Federated trusts. */
export function trustedProviders(statement: StatementView): string[] {
  const federated = statement.principal?.federated ?? [];
  return federated.map((f) => OIDC_PROVIDER_ARN.exec(f)?.[1]).filter((n): n is string => n !== undefined);
}

export function statementFacts(
  role: RoleConfig,
  providers: readonly OidcProvider[],
  statement: StatementView,
  statements: readonly StatementView[],
): StatementFacts {
  return { role, providers, statement, statements, allow: statement.effect === 'Allow', trusted: trustedProviders(statement) };
}

/** The path in the role file of a path in its trust policy. */
export function at(s: StatementFacts, policyPath: string): string {
  return `${s.role.trustPolicyPath}.${policyPath}`;
}

/** The path of the statement's Condition block in the role file (the statement's, when it has no Condition). */
export function conditionBlockPath(s: StatementFacts): string {
  return at(s, s.statement.conditions.length > 0 ? `${s.statement.path}.Condition` : s.statement.path);
}

/** The trusted provider whose `<name>:` prefixes this key, if any. */
export function providerOfKey(s: StatementFacts, key: string): string | undefined {
  const lower = key.toLowerCase();
  return s.trusted.find((n) => lower.startsWith(n.toLowerCase() + ':'));
}

/** The statement's conditions on `<provider>:<claim>` (keys compared ignoring case, as IAM does). */
export function conditionsOn(s: StatementFacts, provider: string, claim: string): ConditionView[] {
  return conditionsOnKey(s.statement, `${provider}:${claim}`);
}

function conditionsOnKey(statement: StatementView, key: string): ConditionView[] {
  const lower = key.toLowerCase();
  return statement.conditions.filter((c) => c.key.toLowerCase() === lower);
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

/** Some restricting condition on one of the claims pins literal values only (and the key is one AWS provides). */
export function pins(s: StatementFacts, provider: string, claims: readonly string[]): boolean {
  const provided = providedClaims(provider);
  return claims.some(
    (claim) => provided.has(claim) && conditionsOn(s, provider, claim).some((c) => restricts(c) && c.values.every((v) => !hasWildcard(v))),
  );
}

/** One value of a restricting condition on a claim, with where it is written. */
export interface PatternValue {
  readonly condition: ConditionView;
  readonly index: number;
  readonly value: string;
  /** Path in the role file. */
  readonly path: string;
}

/** The values of the statement's restricting conditions on `<provider>:<claim>`. */
export function restrictingValues(s: StatementFacts, provider: string, claim: string): PatternValue[] {
  return conditionsOn(s, provider, claim)
    .filter(restricts)
    .flatMap((c) => c.values.map((value, index) => ({ condition: c, index, value, path: at(s, c.valuePaths[index] ?? c.path) })));
}

/**
 * Whether a token whose claim has this value passes every condition of the statement on that claim (the evaluator
 * decides; conditions on other keys are those of the token the policy was written for).
 */
export function admits(s: StatementFacts, provider: string, claim: string, value: string): boolean {
  return conditionsOn(s, provider, claim).every((c) => conditionHoldsFor(c, [value]));
}

/** Whether the one policy value itself matches the candidate (its operator, without the others of its condition). */
export function valueMatches(p: PatternValue, candidate: string): boolean {
  return valuesMatching(p.condition, candidate)[p.index] === true;
}

/** The candidates that the value matches and that get past every condition of the statement on the claim. */
export function admitted(s: StatementFacts, provider: string, claim: string, p: PatternValue, candidates: readonly string[]): string[] {
  return [...new Set(candidates)].filter((c) => valueMatches(p, c) && admits(s, provider, claim, c));
}

/** The org id when the provider is a CircleCI organisation's issuer. */
export function circleCiOrg(provider: string): string | undefined {
  return providerKindOf(provider).name === 'circleci' ? organisationOf(provider) : undefined;
}

export function isGitHub(provider: string): boolean {
  return providerKindOf(provider).name === 'github';
}

/** github.com's issuer (the immutable `repo:owner@ID/repo@ID` subjects are github.com's, not GHES's or GHE.com's). */
export function isGitHubDotCom(provider: string): boolean {
  return /^token\.actions\.githubusercontent\.com(\/[^/]+)?$/i.test(provider);
}

/**
 * A GitLab issuer: gitlab.com (its kind), or a self-managed instance, which AWS treats as a generic provider: lint
 * recognises one by a host name with a `gitlab` label, or by GitLab's `project_path:` subjects in the statement.
 */
export function gitlabIssuer(s: StatementFacts, provider: string): 'gitlab.com' | 'self-managed' | undefined {
  const kind = providerKindOf(provider).name;
  if (kind === 'gitlab') return 'gitlab.com';
  if (kind !== 'generic') return undefined;
  if (/^([^/]*[.-])?gitlab[.-]/i.test(provider)) return 'self-managed';
  return restrictingValues(s, provider, 'sub').some((p) => p.value.startsWith('project_path:')) ? 'self-managed' : undefined;
}

export function isTerraform(provider: string): boolean {
  return providerKindOf(provider).name === 'terraform';
}

/** The Bitbucket workspace a provider name carries, when it is a Bitbucket Pipelines issuer. */
export function bitbucketWorkspace(provider: string): string | undefined {
  return providerKindOf(provider).name === 'bitbucket' ? organisationOf(provider) : undefined;
}

export function isEks(provider: string): boolean {
  return providerKindOf(provider).name === 'eks';
}

/** The registered provider of this name, if any. */
export function registered(s: StatementFacts, provider: string): OidcProvider | undefined {
  return s.providers.find((p) => p.name.toLowerCase() === provider.toLowerCase());
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

/** The wildcards of a pattern filled so that the pattern matches the result (`*` with `fill`, `?` with one character). */
export function filled(pattern: string, fill = 'x'): string {
  return pattern.replace(/\$\{([*?$])\}|([*?])/g, (_, literal: string | undefined, wild: string) =>
    literal !== undefined ? literal : wild === '*' ? fill : '0',
  );
}

/** A value quoted for a message. */
export function q(value: string): string {
  return `'${value}'`;
}
