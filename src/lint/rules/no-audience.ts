/** A trusted provider without a condition on its audience admits tokens minted for any client it accepts. */
import { conditionBlockPath, conditionsOn, restricts } from '../facts.js';
import type { TrustedProviderRule } from '../rule.js';

export const noAudienceCondition: TrustedProviderRule = {
  id: 'no-audience-condition',
  severity: 'warning',
  on: 'trusted-provider',
  check(s, name) {
    if ([...conditionsOn(s, name, 'aud'), ...conditionsOn(s, name, 'azp')].some(restricts)) return [];
    const registered = s.providers.find((p) => p.name.toLowerCase() === name.toLowerCase());
    return [
      {
        path: conditionBlockPath(s),
        message: `no condition on '${name}:aud': any audience the provider accepts is admitted`,
        fix: `add "StringEquals": {"${name}:aud": "${registered?.clientIdList[0] ?? '<client id>'}"}`,
      },
    ];
  },
};
