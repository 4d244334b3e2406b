/**
 * Lint for trust policies: places where AWS reads a policy differently from what its author likely meant.
 * Works on the policy JSON as written (paths point into it) and the provider key table. Pure.
 */
import type { RoleConfig } from '../config/types.js';
import type { OidcProvider } from '../identity/types.js';
import { childPath, indexPath } from '../policy/paths.js';
import { compileWildcard, matchWildcard, wildcardUnits } from '../policy/wildcard.js';
import { MULTIVALUED_CLAIMS, providedClaims } from '../identity/provider-kinds.js';

export type Severity = 'error' | 'warning';

export interface Finding {
  readonly severity: Severity;
  readonly rule: string;
  readonly file: string;
  readonly role: string;
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

const MULTIVALUED_GLOBAL = new Set(['aws:tagkeys', 'sts:transitivetagkeys', 'aws:principalorgpaths', 'aws:calledvia']);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

interface Cond {
  readonly qualifier: string | undefined;
  readonly op: string;
  readonly rawOp: string;
  readonly ifExists: boolean;
  readonly key: string;
  readonly values: string[];
  readonly path: string;
}

function conditionsOf(stmt: Record<string, unknown>, path: string): Cond[] {
  const out: Cond[] = [];
  const c = stmt['Condition'];
  if (!isObject(c)) return out;
  for (const [rawOp, block] of Object.entries(c)) {
    if (!isObject(block)) continue;
    const colon = rawOp.indexOf(':');
    const qualifier = colon === -1 ? undefined : rawOp.slice(0, colon);
    const op = (colon === -1 ? rawOp : rawOp.slice(colon + 1)).replace(/IfExists$/, '');
    for (const [key, vals] of Object.entries(block)) {
      out.push({ qualifier, op, rawOp, ifExists: /IfExists$/.test(rawOp), key, values: asList(vals).map(String), path: childPath(childPath(childPath(path, 'Condition'), rawOp), key) });
    }
  }
  return out;
}

function providerNameOf(federated: string): string | undefined {
  const m = /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/(.+)$/.exec(federated);
  return m?.[1];
}

function circleOrg(name: string): string | undefined {
  return /^oidc\.circleci\.com\/org\/([^/]+)$/i.exec(name)?.[1];
}

/**
 * What a condition evaluates to when its key is absent (IAM: negated operators, `...IfExists` and
 * `ForAllValues:` are true; `Null` is its own value; everything else is false).
 */
function absentOutcome(c: Cond): boolean {
  if (c.op === 'Null') return c.values.every((v) => v.toLowerCase() === 'true');
  if (c.ifExists) return true;
  if (c.qualifier?.toLowerCase() === 'forallvalues') return true;
  if (c.qualifier?.toLowerCase() === 'foranyvalue') return false;
  return /^(StringNot|NumericNotEquals|DateNotEquals|ArnNot|NotIpAddress)/.test(c.op);
}

function absentConsequence(c: Cond, allow: boolean): string {
  if (absentOutcome(c)) return 'this condition is always true, so it restricts nothing';
  return allow ? 'this condition is always false, so the statement never allows' : 'this condition is always false, so the Deny never applies';
}

/** The V2 sub pattern that says what a statement's vcs-origin / vcs-ref conditions meant, with their values when single. */
function circleSubFix(org: string, provider: string, conds: readonly Cond[]): string {
  const single = (claim: string): string | undefined => {
    const c = conds.find((x) => x.key.toLowerCase() === `${provider}:oidc.circleci.com/${claim}`.toLowerCase() && x.qualifier === undefined && /^String(Equals|Like)/.test(x.op));
    return c !== undefined && c.values.length === 1 ? c.values[0] : undefined;
  };
  const origin = single('vcs-origin');
  const ref = single('vcs-ref');
  // Fixed-width '?' for the UUIDs, not '*': a '*' before the branch lets a branch name forge the rest (rule 8).
  return `org/${org}/project/${origin === undefined ? '<project-id>' : ANY_UUID}/user/${ANY_UUID}/vcs-origin/${origin ?? '<vcs-origin>'}/vcs-ref/${ref ?? '<ref>'}`;
}

/** A CircleCI project or user id (a UUID), matched with '?' only. */
const ANY_UUID = '????????-????-????-????-????????????';
const SUB_MARKERS = ['/project/', '/user/', '/vcs-origin/', '/vcs-ref/'] as const;

/**
 * How a branch name can satisfy a V2 sub pattern meant for another branch, or undefined. The ref is the last part
 * of the sub and a branch name may contain '/', so after a '*' (IAM's spans '/') the branch can repeat every later
 * part of the pattern: sub = <the real prefix> ... /vcs-ref/refs/heads/x<the rest of the pattern>. Reported only
 * when the rest names a sub part (so it is a forgery, not a loose suffix) and the branch is a valid git ref name.
 */
function forgeableCircleSub(pattern: string): { branch: string; markers: string[]; projectOpen: boolean } | undefined {
  const text = pattern.replace(/\$\{[*?$]\}/g, '_'); // ${*} ${?} ${$} are literal characters
  const star = text.indexOf('*');
  if (star === -1) return undefined;
  const rest = text.slice(star + 1);
  const markers = SUB_MARKERS.filter((m) => rest.includes(m));
  if (markers.length === 0) return undefined;
  const branch = `x${rest.replace(/[*?]/g, 'x')}`;
  if (!isGitBranchName(branch)) return undefined;
  return { branch, markers, projectOpen: !pinsCircleProject(text) };
}

/** git check-ref-format's rules for a branch name, as far as they can bar a forgery. */
function isGitBranchName(name: string): boolean {
  return /^[^\s~^:?*[\\\x00-\x1f\x7f]+$/.test(name) && !/\.\.|\/\/|@\{|\/\.|\.lock(\/|$)|\.$|\/$/.test(name);
}

/** Condition-key prefixes that name an OIDC provider (a registered one, or a CircleCI org issuer). */
function providerPrefixOf(key: string, providers: readonly OidcProvider[]): string | undefined {
  const colon = key.lastIndexOf(':');
  if (colon <= 0) return undefined;
  // A claim may itself contain ':'; the provider name never does, so try each ':' from the left.
  for (let i = key.indexOf(':'); i !== -1 && i <= colon; i = key.indexOf(':', i + 1)) {
    const prefix = key.slice(0, i).toLowerCase();
    if (providers.some((p) => p.name.toLowerCase() === prefix) || /^oidc\.circleci\.com\/org\/[^/]+$/.test(prefix)) return key.slice(0, i);
  }
  return undefined;
}

/**
 * Findings for one role. `policyPath` is where the trust policy sits in the role file:
 * `AssumeRolePolicyDocument`, or `Role.AssumeRolePolicyDocument` for pasted `aws iam get-role` output.
 */
export function lintRole(role: RoleConfig, providers: readonly OidcProvider[], policyPath = 'AssumeRolePolicyDocument'): Finding[] {
  const findings: Finding[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(role.trustPolicyJson);
  } catch {
    return findings;
  }
  if (!isObject(doc)) return findings;
  const base = policyPath;
  const add = (severity: Severity, rule: string, path: string, message: string, fix: string): void =>
    void findings.push({ severity, rule, file: role.file, role: role.roleName, path, message, fix });
  const statements = Array.isArray(doc['Statement']) ? doc['Statement'] : [doc['Statement']];
  statements.forEach((raw, i) => {
    if (!isObject(raw)) return;
    const path = Array.isArray(doc['Statement']) ? indexPath(childPath(base, 'Statement'), i) : childPath(base, 'Statement');
    const allow = raw['Effect'] === 'Allow';
    const conds = conditionsOf(raw, path);
    const principal = raw['Principal'];
    const federated = isObject(principal) ? asList(principal['Federated']).map(String) : [];
    const names = federated.map(providerNameOf).filter((n): n is string => n !== undefined);
    const actions = asList(raw['Action']).map((a) => String(a).toLowerCase());
    const webIdentity = actions.some((a) => matchWildcard(compileWildcard(wildcardUnits(a)), 'sts:assumerolewithwebidentity'));

    for (const c of conds) {
      const lowerKey = c.key.toLowerCase();
      // 1. A key AWS does not provide for this provider, or a key of a provider the statement does not trust.
      const provider = names.find((n) => lowerKey.startsWith(n.toLowerCase() + ':'));
      let unsupported = false;
      if (provider !== undefined) {
        const claim = c.key.slice(provider.length + 1);
        const providedList = [...providedClaims(provider)];
        if (!providedList.some((x) => x.toLowerCase() === claim.toLowerCase())) {
          const org = circleOrg(provider);
          const spelled = providedList.find((x) => x.toLowerCase().endsWith('/' + claim.toLowerCase()));
          const fix =
            spelled !== undefined
              ? `the key is spelled "${provider}:${spelled}"`
              : org !== undefined && /vcs-(ref|origin)$/.test(claim)
                ? `AWS has no '${claim}' key. The V2 sub carries both: StringLike "${provider}:sub": "${circleSubFix(org, provider, conds)}"`
                : org !== undefined && /context-ids$/.test(claim)
                  ? `AWS has no '${claim}' key; restrict on "${provider}:sub" (project) or "${provider}:oidc.circleci.com/project-id" instead`
                  : `match the value inside "${provider}:sub" instead (AWS provides only: ${providedList.join(', ')})`;
          unsupported = true;
          add('error', 'unsupported-condition-key', c.path, `AWS does not put '${c.key}' in the request context for ${provider}; ${absentConsequence(c, allow)}`, fix);
        }
      } else if (names.length > 0) {
        const other = providerPrefixOf(c.key, providers);
        if (other !== undefined) {
          add(
            'error',
            'condition-key-of-other-provider',
            c.path,
            `'${c.key}' is a key of ${other}, but this statement trusts ${names.join(', ')}: the key is absent from its requests; ${absentConsequence(c, allow)}`,
            `use the trusted provider's prefix: "${names[0] ?? '<provider>'}:${c.key.slice(other.length + 1)}"`,
          );
        }
      }
      // 2./3. Wildcards in StringEquals; StringLike without wildcards.
      if (/^String(Not)?Equals(IgnoreCase)?$/.test(c.op) && c.values.some((v) => /[*?]/.test(v.replace(/\$\{[*?$]\}/g, '')))) {
        add('warning', 'wildcard-in-string-equals', c.path, `${c.rawOp} compares literally: '*' and '?' here match only themselves`, `use ${c.op.includes('Not') ? 'StringNotLike' : 'StringLike'} for a pattern, or remove the wildcard`);
      }
      if (/^String(Not)?Like$/.test(c.op) && c.values.every((v) => !/[*?]/.test(v.replace(/\$\{[*?$]\}/g, '')))) {
        add('warning', 'string-like-without-wildcard', c.path, `${c.rawOp} without a wildcard is an exact comparison`, `use ${c.op.includes('Not') ? 'StringNotEquals' : 'StringEquals'} to say so`);
      }
      // 7. Set qualifiers on single-valued keys; ForAllValues with Allow.
      if (c.qualifier !== undefined) {
        const claim = provider !== undefined ? c.key.slice(provider.length + 1) : undefined;
        const multi = MULTIVALUED_GLOBAL.has(lowerKey) || (claim !== undefined && MULTIVALUED_CLAIMS.has(claim));
        if (!multi && !unsupported) {
          add('warning', 'set-qualifier-on-single-valued-key', c.path, `${c.qualifier} on '${c.key}', a single-valued key`, `drop the ${c.qualifier}: prefix`);
        }
        if (c.qualifier.toLowerCase() === 'forallvalues' && allow) {
          add('warning', 'for-all-values-with-allow', c.path, `ForAllValues is true when '${c.key}' is absent or empty, so this Allow also admits requests without it`, `add "Null": {"${c.key}": "false"} to the same statement, or use ForAnyValue`);
        }
      }
    }

    if (!allow || !webIdentity) return;
    const condPath = childPath(path, 'Condition');
    for (const name of names) {
      const keyConds = (claim: string): Cond[] => conds.filter((c) => c.key.toLowerCase() === `${name}:${claim}`.toLowerCase());
      // A condition that restricts the key to its values (not negated, not ForAllValues, which admits an absent key).
      const positive = (c: Cond): boolean => c.qualifier?.toLowerCase() !== 'forallvalues' && /^String(Equals|Like)/.test(c.op);
      // 4. No audience condition.
      if (![...keyConds('aud'), ...keyConds('azp')].some(positive)) {
        const p = providers.find((x) => x.name.toLowerCase() === name.toLowerCase());
        add('warning', 'no-audience-condition', condPath, `no condition on '${name}:aud': any audience the provider accepts is admitted`, `add "StringEquals": {"${name}:aud": "${p?.clientIdList[0] ?? '<client id>'}"}`);
      }
      const subs = keyConds('sub').filter(positive);
      const org = circleOrg(name);
      // 5. Subject open to the whole organisation: no positive sub condition pins a project (or one repository).
      if (org !== undefined) {
        const projectPinned = keyConds('oidc.circleci.com/project-id').some((c) => positive(c) && c.values.every((v) => !/[*?]/.test(v)));
        const open = !subs.some((c) => c.values.every((v) => !isOpenCircleSub(v)));
        if (open && !projectPinned) {
          add('warning', 'subject-open-to-organisation', subs[0]?.path ?? condPath, `every project of CircleCI organisation ${org} can assume this role`, `pin the project: StringLike "${name}:sub": "org/${org}/project/<project-id>/user/*", or StringEquals "${name}:oidc.circleci.com/project-id": "<project-id>"`);
        }
      }
      // 8. A '*' before a later part of the V2 sub: a branch name can repeat that part (README "`*` crosses `/`").
      if (org !== undefined) {
        for (const c of subs) {
          if (c.op !== 'StringLike') continue;
          for (const v of c.values) {
            const forged = forgeableCircleSub(v);
            if (forged === undefined) continue;
            const guard = (m: string): string => `*${m}*${m}*`;
            const guarded = conds.some((g) => g.key.toLowerCase() === c.key.toLowerCase() && g.op === 'StringNotLike' && g.qualifier === undefined && g.values.some((x) => forged.markers.some((m) => x === guard(m))));
            if (guarded) continue;
            const fixed = v.replace(/\/project\/\*\//, `/project/${ANY_UUID}/`).replace(/\/user\/\*\//, `/user/${ANY_UUID}/`);
            const marker = forged.markers.includes('/vcs-ref/') ? '/vcs-ref/' : (forged.markers.at(-1) as string);
            add(
              'warning',
              'sub-wildcard-spans-branch',
              c.path,
              `IAM's '*' spans '/' and a branch name may contain '/': a pipeline of ${forged.projectOpen ? `any project of CircleCI organisation ${org}` : 'this project'} on a branch named '${forged.branch}' matches '${v}'`,
              forgeableCircleSub(fixed) === undefined
                ? `match the ids with '?' so that no '*' comes before the branch: StringLike "${c.key}": "${fixed}"`
                : `add "StringNotLike": {"${c.key}": "${guard(marker)}"} to this statement (a real sub has each part once)`,
            );
          }
        }
      }
      const github = /^token\.actions\./i.test(name) || /^github\.com\//i.test(name);
      if (github) {
        // 6. GitHub roles must check sub or job_workflow_ref (IAM refuses to create them otherwise).
        const checked = [...keyConds('sub'), ...keyConds('job_workflow_ref')].some((c) => c.qualifier === undefined && /^String(Equals|Like|EqualsIgnoreCase)$/.test(c.op));
        if (!checked) {
          add('error', 'github-without-sub', condPath, `IAM refuses trust policies for ${name} that do not evaluate ${name}:sub or ${name}:job_workflow_ref with StringEquals, StringLike or StringEqualsIgnoreCase`, `add "StringEquals": {"${name}:sub": "repo:<owner>/<repo>:ref:refs/heads/main"}`);
        } else {
          const repoPinned = [...keyConds('repository'), ...keyConds('repository_id')].some((c) => positive(c) && c.values.every((v) => !/[*?]/.test(v)));
          const open = subs.length > 0 && !subs.some((c) => c.values.every((v) => !isOpenGitHubSub(v)));
          if (open && !repoPinned) {
            add('warning', 'subject-open-to-organisation', subs[0]?.path ?? condPath, `the sub pattern admits more than one repository (an owner's repositories, or every owner's)`, `name the repository: "repo:<owner>/<repo>:ref:refs/heads/main"`);
          }
        }
      }
    }
  });
  return findings;
}

/**
 * A CircleCI sub pattern that pins neither the project nor the vcs-origin to one repository. IAM's `*`
 * spans `/`, so only a wildcard-free run from the start pins a segment.
 */
function isOpenCircleSub(v: string): boolean {
  const projectPinned = pinsCircleProject(v);
  const originPinned = /\/vcs-origin\/[^*?/]+\/[^*?/]+\/[^*?/]+\/vcs-ref\//.test(v);
  return !projectPinned && !originPinned;
}

/** Whether a CircleCI sub pattern names one organisation and one project before any wildcard. */
function pinsCircleProject(v: string): boolean {
  return /^org\/[^*?/]+\/project\/[^*?/]+\//.test(v + '/');
}

/** A GitHub sub pattern that admits more than one repository (repo:<owner>/*, repo:*, *). */
function isOpenGitHubSub(v: string): boolean {
  return !/^repo:[^*?/:]+\/[^*?/:]+(:|$)/.test(v);
}

export function lintConfig(roles: readonly RoleConfig[], providers: readonly OidcProvider[], policyPathOf: (role: RoleConfig) => string = () => 'AssumeRolePolicyDocument'): Finding[] {
  return roles.flatMap((r) => lintRole(r, providers, policyPathOf(r)));
}
