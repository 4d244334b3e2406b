/**
 * A trusted provider without a restricting condition on its audience. IAM admits only audiences in the provider's
 * ClientIDList, so the condition matters when that list is shared: with several client ids a token minted for another
 * of them gets in (warning); with one, the list alone pins the audience until someone adds a client id (info).
 */
import { conditionBlockPath, conditionsOn, q, registered, restricts, type StatementFacts } from '../facts.js';
import type { TrustedProviderRule } from '../rule.js';

function unpinned(s: StatementFacts, name: string): boolean {
  return ![...conditionsOn(s, name, 'aud'), ...conditionsOn(s, name, 'azp')].some(restricts);
}

export const noAudienceCondition: TrustedProviderRule = {
  id: 'no-audience-condition',
  severity: 'warning',
  providers: ['any'],
  summary:
    "no condition on `aud` while the provider's ClientIDList is shared (several client ids) or the provider is not registered: a token minted for another client gets in",
  on: 'trusted-provider',
  check(s, name) {
    const clientIds = registered(s, name)?.clientIdList;
    if (!unpinned(s, name) || (clientIds !== undefined && clientIds.length < 2)) return [];
    const [mine, other] = clientIds ?? [];
    return [
      {
        path: conditionBlockPath(s),
        message:
          other === undefined
            ? `no condition on '${name}:aud': any audience the provider accepts is admitted`
            : `no condition on '${name}:aud' while its ClientIDList holds ${clientIds?.map(q).join(', ')}: a token minted for ${q(other)} gets in as well as one for ${q(mine as string)}`,
        fix: `add "StringEquals": {"${name}:aud": "${mine ?? '<client id>'}"}`,
      },
    ];
  },
};

export const audiencePinnedByClientIdList: TrustedProviderRule = {
  id: 'audience-only-in-client-id-list',
  severity: 'info',
  providers: ['any'],
  summary:
    "no condition on `aud`, and the provider's ClientIDList has one client id: only that list pins the audience (EKS's `sts.amazonaws.com`, GitLab's instance URL)",
  on: 'trusted-provider',
  check(s, name) {
    const clientIds = registered(s, name)?.clientIdList;
    if (!unpinned(s, name) || clientIds === undefined || clientIds.length !== 1) return [];
    const only = clientIds[0] as string;
    return [
      {
        path: conditionBlockPath(s),
        message: `no condition on '${name}:aud': only the provider's ClientIDList (${q(only)}) pins the audience, so a client id added to the provider later (a token minted for it) is admitted here too`,
        fix: `add "StringEquals": {"${name}:aud": "${only}"}`,
      },
    ];
  },
};
