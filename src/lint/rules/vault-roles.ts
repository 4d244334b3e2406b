/**
 * Vault JWT auth roles read differently from what their authors likely meant (shared/reference/infisical-vault.md
 * §2.3): go-glob has no `?`, classes, braces or negation; string mode has no wildcard and compares types; a role that
 * binds only the audience admits every pipeline that gets that audience. Each rule names a claim value the decision
 * (vault/glob.ts, the matcher the login uses) shuts out or lets in.
 */
import { at } from '../../config/fields.js';
import type { VaultBoundValue, VaultMount, VaultRole } from '../../config/vault.js';
import { goGlob } from '../../vault/glob.js';
import type { Report, VaultRoleRule } from '../rule.js';

const claimPath = (role: VaultRole, claim: string): string => at(at(role.base, 'bound_claims'), claim);

/** A value a reader of another glob dialect expects the pattern to match: each metacharacter read as they would. */
function intendedMatch(pattern: string): string {
  return pattern
    .replace(/\[!?([^\]])[^\]]*\]/g, '$1')
    .replace(/\{([^,}]*)[^}]*\}/g, '$1')
    .replace(/^!/, '')
    .replace(/\\(.)/g, '$1')
    .replace(/\?/g, '1')
    .replace(/\*/g, 'x');
}

const GLOB_SPECIAL_ELSEWHERE = /[?[\]{}!\\]/;

export const vaultGlobLiteralMetacharacter: VaultRoleRule = {
  id: 'vault-glob-literal-metacharacter',
  severity: 'warning',
  providers: ['any'],
  summary:
    'Vault: a `bound_claims` glob with `?`, `[]`, `{}`, `!` or `\\`, which go-glob takes literally (only `*` is special): the values meant are refused',
  on: 'vault-role',
  check(_mount, role) {
    if (role.boundClaimsType !== 'glob') return [];
    const out: Report[] = [];
    for (const bound of role.boundClaims)
      for (const v of bound.values) {
        if (v.type !== 'string' || !GLOB_SPECIAL_ELSEWHERE.test(v.value)) continue;
        const meant = intendedMatch(v.value);
        if (meant === v.value || goGlob(v.value, meant)) continue;
        out.push({
          path: claimPath(role, bound.claim),
          message: `${JSON.stringify(v.value)} is a go-glob pattern, where only * is special: a token with ${bound.claim} ${JSON.stringify(meant)} is refused (only the literal characters match)`,
          fix: `list the values meant (bound_claims ${JSON.stringify({ [bound.claim]: [meant] })}: any of a list matches), or use * (which also crosses /)`,
        });
      }
    return out;
  },
};

export const vaultStringModeWildcard: VaultRoleRule = {
  id: 'vault-string-mode-wildcard',
  severity: 'warning',
  providers: ['any'],
  summary: 'Vault: a `*` in `bound_subject`, or in `bound_claims` in string mode, is a literal star: the values meant are refused',
  on: 'vault-role',
  check(_mount, role) {
    const out: Report[] = [];
    if (role.boundSubject.includes('*'))
      out.push({
        path: at(role.base, 'bound_subject'),
        message: `bound_subject is compared exactly: a token with sub ${JSON.stringify(intendedMatch(role.boundSubject))} is refused`,
        fix: `leave bound_subject empty and bind the pattern as bound_claims {"sub": ${JSON.stringify(role.boundSubject)}} with bound_claims_type glob`,
      });
    if (role.boundClaimsType === 'string')
      for (const bound of role.boundClaims)
        for (const v of bound.values)
          if (v.type === 'string' && v.value.includes('*'))
            out.push({
              path: claimPath(role, bound.claim),
              message: `bound_claims_type is string: ${JSON.stringify(v.value)} is compared exactly, so a token with ${bound.claim} ${JSON.stringify(intendedMatch(v.value))} is refused`,
              fix: 'set bound_claims_type to glob (every bound value is then a go-glob pattern; * crosses /)',
            });
    return out;
  },
};

const show = (v: VaultBoundValue): string => (v.type === 'string' ? JSON.stringify(v.value) : v.value.toString());

export const vaultStringModeType: VaultRoleRule = {
  id: 'vault-string-mode-type',
  severity: 'warning',
  providers: ['any'],
  summary:
    'Vault: string-mode `bound_claims` compare types: `"true"` never equals a boolean claim, `"123"` never a number, `123` never the string `"123"`',
  on: 'vault-role',
  check(_mount, role) {
    if (role.boundClaimsType !== 'string') return [];
    const out: Report[] = [];
    for (const bound of role.boundClaims)
      for (const v of bound.values) {
        const looks =
          v.type === 'string' && (v.value === 'true' || v.value === 'false')
            ? 'boolean'
            : v.type === 'string' && /^-?\d+$/.test(v.value)
              ? 'number'
              : undefined;
        if (looks !== undefined)
          out.push({
            path: claimPath(role, bound.claim),
            message: `${show(v)} is a string: if the token's ${bound.claim} is the ${looks} ${v.value}, it never matches (string mode compares Go types)`,
            fix: `if the claim is a JSON ${looks}, write the bound value as ${v.value} without quotes`,
          });
        else if (v.type !== 'string')
          out.push({
            path: claimPath(role, bound.claim),
            message: `${show(v)} is a JSON ${v.type === 'bool' ? 'boolean' : 'number'}: a token whose ${bound.claim} is the string ${JSON.stringify(String(v.value))} is refused (string mode compares Go types)`,
            fix: `if the claim is a string in the token, quote the bound value: ${JSON.stringify(String(v.value))}`,
          });
      }
    return out;
  },
};

const CIRCLECI_ISSUER = /^https:\/\/oidc\.circleci\.com\/org\/([^/]+)$/;

export const vaultSubjectOpen: VaultRoleRule = {
  id: 'vault-subject-open',
  severity: 'warning',
  providers: ['any'],
  summary:
    'Vault: a role with an empty `bound_subject`, no `bound_claims` and no `token_bound_cidrs`: only the audience is checked, so every pipeline of the organisation logs in',
  on: 'vault-role',
  check(mount: VaultMount, role) {
    if (role.roleType !== 'jwt' || role.boundSubject !== '' || role.boundClaims.length > 0 || role.tokenBoundCidrs.length > 0) return [];
    const org = CIRCLECI_ISSUER.exec(mount.boundIssuer)?.[1];
    const who =
      org !== undefined
        ? `any job of any project of the CircleCI organisation, e.g. sub "org/${org}/project/<any project>/user/<any user>"`
        : 'any token of the issuer with that audience';
    return [
      {
        path: at(role.base, 'bound_audiences'),
        message: `only bound_audiences ${JSON.stringify(role.boundAudiences)} is checked: ${who} logs in`,
        fix:
          org !== undefined
            ? 'add bound_claims {"oidc.circleci.com/project-id": "<project id>", "oidc.circleci.com/vcs-ref": "refs/heads/main"} (string mode)'
            : 'add bound_subject (exact) or bound_claims that name the repository or project and the branch',
      },
    ];
  },
};

export const VAULT_ROLE_RULES: readonly VaultRoleRule[] = [
  vaultGlobLiteralMetacharacter,
  vaultStringModeWildcard,
  vaultStringModeType,
  vaultSubjectOpen,
];
