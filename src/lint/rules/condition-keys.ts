/**
 * Keys AWS never puts in the request context: a claim AWS does not provide for the trusted provider, or a key
 * of another provider than the statement trusts. Either way the condition sees an absent key.
 */
import { providerKindOf } from '../../identity/provider-kinds.js';
import type { OidcProvider } from '../../identity/types.js';
import { circleSubFix } from '../circleci-sub.js';
import { absentConsequence, at, circleCiOrg, providerOfKey, unsupportedKey } from '../facts.js';
import type { ConditionRule } from '../rule.js';

export const unsupportedConditionKey: ConditionRule = {
  id: 'unsupported-condition-key',
  severity: 'error',
  providers: ['any'],
  summary:
    "a key AWS does not provide for that provider (CircleCI's `oidc.circleci.com/vcs-ref`, `vcs-origin`, `context-ids`, `ssh-rerun`; GitHub's `sha`; GitLab's `project_path`, `ref`), with the `sub`-based equivalent",
  on: 'condition',
  check(s, c) {
    const u = unsupportedKey(s, c);
    if (u === undefined) return [];
    const { provider, claim, provided } = u;
    const org = circleCiOrg(provider);
    const spelled = provided.find((x) => x.toLowerCase().endsWith('/' + claim.toLowerCase()));
    const fix =
      spelled !== undefined
        ? `the key is spelled "${provider}:${spelled}"`
        : org !== undefined && /vcs-(ref|origin)$/.test(claim)
          ? `AWS has no '${claim}' key. The V2 sub carries both: StringLike "${provider}:sub": "${circleSubFix(org, provider, s.statement.conditions)}"`
          : org !== undefined && /ssh-rerun$/.test(claim)
            ? `AWS has no '${claim}' key and the sub does not carry it: no condition can tell an SSH rerun apart; disable "Rerun job with SSH" for the project (CircleCI support: "Disable re-run job with SSH")`
            : org !== undefined && /context-ids$/.test(claim)
              ? `AWS has no '${claim}' key; restrict on "${provider}:sub" (project) or "${provider}:oidc.circleci.com/project-id" instead`
              : `match the value inside "${provider}:sub" instead (AWS provides only: ${provided.join(', ')})`;
    return [
      {
        path: at(s, c.path),
        message: `AWS does not put '${c.key}' in the request context for ${provider}; ${absentConsequence(c, s.allow)}`,
        fix,
      },
    ];
  },
};

export const conditionKeyOfOtherProvider: ConditionRule = {
  id: 'condition-key-of-other-provider',
  severity: 'error',
  providers: ['any'],
  summary: 'a key naming a provider the statement does not trust',
  on: 'condition',
  check(s, c) {
    if (s.trusted.length === 0 || providerOfKey(s, c.key) !== undefined) return [];
    const other = providerPrefixOf(c.key, s.providers);
    if (other === undefined) return [];
    return [
      {
        path: at(s, c.path),
        message: `'${c.key}' is a key of ${other}, but this statement trusts ${s.trusted.join(', ')}: the key is absent from its requests; ${absentConsequence(c, s.allow)}`,
        fix: `use the trusted provider's prefix: "${s.trusted[0] ?? '<provider>'}:${c.key.slice(other.length + 1)}"`,
      },
    ];
  },
};

/** The prefix of a key that names an OIDC provider: a registered one, or one of a known kind (CircleCI, GitHub, ...). */
function providerPrefixOf(key: string, providers: readonly OidcProvider[]): string | undefined {
  const colon = key.lastIndexOf(':');
  if (colon <= 0) return undefined;
  // A claim may itself contain ':'; the provider name never does, so try each ':' from the left.
  for (let i = key.indexOf(':'); i !== -1 && i <= colon; i = key.indexOf(':', i + 1)) {
    const prefix = key.slice(0, i).toLowerCase();
    if (providers.some((p) => p.name.toLowerCase() === prefix) || providerKindOf(prefix).name !== 'generic') return key.slice(0, i);
  }
  return undefined;
}

export const conditionKeyPrefixNotProvider: ConditionRule = {
  id: 'condition-key-prefix-not-provider',
  severity: 'error',
  providers: ['any'],
  summary:
    "a key meant for the trusted provider whose prefix is not the provider's name (`https://...:sub`, a trailing `/`, `oidc.circleci.com:aud` without `/org/<id>`)",
  on: 'condition',
  check(s, c) {
    if (s.trusted.length === 0 || providerOfKey(s, c.key) !== undefined) return [];
    const colon = c.key.lastIndexOf(':');
    const prefix = c.key.slice(0, colon);
    if (colon <= 0 || !/[./]/.test(prefix)) return []; // aws:..., sts:... are global keys
    const bare = prefix
      .replace(/^https?:\/\//i, '')
      .replace(/\/+$/, '')
      .toLowerCase();
    const meant = s.trusted.find((t) => bare === t.toLowerCase() || t.toLowerCase().startsWith(bare + '/'));
    if (meant === undefined) return [];
    const claim = c.key.slice(colon + 1);
    return [
      {
        path: at(s, c.path),
        message: `'${c.key}' is not a key of ${meant}: a key's prefix is the provider's name exactly (its Url without https:// or a trailing '/'), so this key is absent from its requests; ${absentConsequence(c, s.allow)}`,
        fix: `"${meant}:${claim}"`,
      },
    ];
  },
};
