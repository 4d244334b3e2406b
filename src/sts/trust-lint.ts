/**
 * Lint for trust policies: places where AWS reads a policy differently from what its author likely meant.
 * Works on the policy JSON as written (paths point into it) and the provider key table. Pure.
 */
import type { RoleConfig } from '../config/types.js';
import type { OidcProvider } from '../identity/types.js';
import { MULTIVALUED_CLAIMS } from './provider-claim-keys.js';
import { providedClaims } from './claim-keys.js';

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
      out.push({ qualifier, op, rawOp, key, values: asList(vals).map(String), path: `${path}.Condition.${rawOp}.${key}` });
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

export function lintRole(role: RoleConfig, providers: readonly OidcProvider[]): Finding[] {
  const findings: Finding[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(role.trustPolicyJson);
  } catch {
    return findings;
  }
  if (!isObject(doc)) return findings;
  const base = 'AssumeRolePolicyDocument';
  const add = (severity: Severity, rule: string, path: string, message: string, fix: string): void =>
    void findings.push({ severity, rule, file: role.file, role: role.roleName, path, message, fix });
  const statements = Array.isArray(doc['Statement']) ? doc['Statement'] : [doc['Statement']];
  statements.forEach((raw, i) => {
    if (!isObject(raw)) return;
    const path = Array.isArray(doc['Statement']) ? `${base}.Statement[${i}]` : `${base}.Statement`;
    const allow = raw['Effect'] === 'Allow';
    const conds = conditionsOf(raw, path);
    const principal = raw['Principal'];
    const federated = isObject(principal) ? asList(principal['Federated']).map(String) : [];
    const names = federated.map(providerNameOf).filter((n): n is string => n !== undefined);
    const actions = asList(raw['Action']).map((a) => String(a).toLowerCase());
    const webIdentity = actions.some((a) => a === 'sts:assumerolewithwebidentity' || a === 'sts:*' || a === '*');

    for (const c of conds) {
      const lowerKey = c.key.toLowerCase();
      // 1. A key AWS does not provide for this provider.
      const provider = names.find((n) => lowerKey.startsWith(n.toLowerCase() + ':'));
      if (provider !== undefined) {
        const claim = c.key.slice(provider.length + 1);
        const provided = [...providedClaims(provider)].map((x) => x.toLowerCase());
        if (!provided.includes(claim.toLowerCase())) {
          const org = circleOrg(provider);
          const fix =
            org !== undefined && /vcs-(ref|origin)$/.test(claim)
              ? `AWS has no '${claim}' key. The V2 sub carries both: StringLike "${provider}:sub": "org/${org}/project/<project-id>/user/*/vcs-origin/<vcs-origin>/vcs-ref/<ref>"`
              : org !== undefined && /context-ids$/.test(claim)
                ? `AWS has no '${claim}' key; restrict on "${provider}:sub" (project) or "${provider}:oidc.circleci.com/project-id" instead`
                : `match the value inside "${provider}:sub" instead (AWS provides only: ${[...providedClaims(provider)].join(', ')})`;
          add(
            'error',
            'unsupported-condition-key',
            c.path,
            `AWS does not put '${c.key}' in the request context for ${provider}; ${c.op.startsWith('StringNot') || c.op.startsWith('Not') ? 'this negated condition is always true' : allow ? 'this condition is always false, so the statement never allows' : 'this condition is always false, so the Deny never applies'}`,
            fix,
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
        if (!multi) {
          add('warning', 'set-qualifier-on-single-valued-key', c.path, `${c.qualifier} on '${c.key}', a single-valued key`, `drop the ${c.qualifier}: prefix`);
        }
        if (c.qualifier.toLowerCase() === 'forallvalues' && allow) {
          add('warning', 'for-all-values-with-allow', c.path, `ForAllValues is true when '${c.key}' is absent or empty, so this Allow also admits requests without it`, `add "Null": {"${c.key}": "false"} to the same statement, or use ForAnyValue`);
        }
      }
    }

    if (!allow || !webIdentity) return;
    for (const name of names) {
      const keyConds = (claim: string): Cond[] => conds.filter((c) => c.key.toLowerCase() === `${name}:${claim}`.toLowerCase());
      // 4. No audience condition.
      if (keyConds('aud').length === 0 && keyConds('azp').length === 0) {
        const p = providers.find((x) => x.name === name);
        add('warning', 'no-audience-condition', `${path}.Condition`, `no condition on '${name}:aud': any audience the provider accepts is admitted`, `add "StringEquals": {"${name}:aud": "${p?.clientIdList[0] ?? '<client id>'}"}`);
      }
      const subs = keyConds('sub');
      const org = circleOrg(name);
      const pinsPositive = (cs: Cond[]): boolean => cs.some((c) => c.qualifier === undefined && /^String(Equals|Like)/.test(c.op));
      // 5. Subject open to the whole organisation.
      if (org !== undefined) {
        const projectPinned = pinsPositive(keyConds('oidc.circleci.com/project-id'));
        const open = subs.length === 0 || subs.every((c) => c.values.some((v) => isOpenCircleSub(v)));
        if (open && !projectPinned) {
          add('warning', 'subject-open-to-organisation', subs[0]?.path ?? `${path}.Condition`, `every project of CircleCI organisation ${org} can assume this role`, `pin the project: StringLike "${name}:sub": "org/${org}/project/<project-id>/user/*"`);
        }
      }
      const github = name.startsWith('token.actions.') || name.startsWith('github.com/');
      if (github) {
        // 6. GitHub roles must check sub or job_workflow_ref (IAM refuses to create them otherwise).
        const checked = [...subs, ...keyConds('job_workflow_ref')].some((c) => c.qualifier === undefined && /^String(Equals|Like|EqualsIgnoreCase)$/.test(c.op));
        if (!checked) {
          add('error', 'github-without-sub', `${path}.Condition`, `IAM refuses trust policies for ${name} that do not evaluate ${name}:sub or ${name}:job_workflow_ref with StringEquals, StringLike or StringEqualsIgnoreCase`, `add "StringLike": {"${name}:sub": "repo:<owner>/<repo>:ref:refs/heads/main"}`);
        } else if (subs.length > 0 && subs.every((c) => c.values.some((v) => /^repo:([^/:]*\*[^:]*|[^/:]+\/\*)(:|$)/.test(v) || v === '*'))) {
          add('warning', 'subject-open-to-organisation', subs[0]?.path ?? path, `the sub pattern admits every repository of the owner`, `name the repository: "repo:<owner>/<repo>:ref:refs/heads/main"`);
        }
      }
    }
  });
  return findings;
}

/** A CircleCI sub pattern that does not pin the project, nor the vcs-origin to one repository. */
function isOpenCircleSub(v: string): boolean {
  if (v === '*') return true;
  const m = /^org\/[^/]+\/(.*)$/.exec(v);
  if (m === null) return false;
  const rest = m[1] ?? '';
  const projectPinned = /^project\/[^*?/]+\//.test(rest + '/');
  const originPinned = /vcs-origin\/[^*?]+\/[^*?/]+\/vcs-ref\//.test(rest);
  return !projectPinned && !originPinned;
}

export function lintConfig(roles: readonly RoleConfig[], providers: readonly OidcProvider[]): Finding[] {
  return roles.flatMap((r) => lintRole(r, providers));
}
