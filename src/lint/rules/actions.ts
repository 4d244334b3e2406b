/**
 * The actions of a statement that trusts an OIDC provider: AssumeRoleWithWebIdentity is what a federated OIDC
 * principal calls (sts:AssumeRole never is), and a token carrying session tags also needs sts:TagSession (IAM User
 * Guide "Passing session tags in AWS STS").
 */
import { statementCoversAction } from '../../policy/index.js';
import { at, trustedProviders } from '../facts.js';
import type { StatementRule } from '../rule.js';

const WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';

export const assumeRoleActionForOidc: StatementRule = {
  id: 'assume-role-action-for-oidc',
  severity: 'error',
  providers: ['any'],
  summary: '`sts:AssumeRole` instead of `sts:AssumeRoleWithWebIdentity` for a Federated OIDC principal: no token is ever admitted',
  on: 'statement',
  check(s) {
    const st = s.statement;
    if (!s.allow || s.trusted.length === 0 || statementCoversAction(st, WEB_IDENTITY) || !statementCoversAction(st, 'sts:AssumeRole'))
      return [];
    return [
      {
        path: at(s, `${st.path}.${st.notAction ? 'NotAction' : 'Action'}`),
        message: `this statement trusts ${s.trusted.join(', ')} but allows sts:AssumeRole, which a federated OIDC principal never calls: AssumeRoleWithWebIdentity with a ${s.trusted[0]} token is not allowed by it`,
        fix: `"Action": "${WEB_IDENTITY}"`,
      },
    ];
  },
};

/** Condition keys that only tokens carrying session tags fill. */
const TAG_KEY = /^(aws:requesttag\/.+|aws:tagkeys|sts:transitivetagkeys)$/i;

export const tagSessionMissing: StatementRule = {
  id: 'tag-session-missing',
  severity: 'error',
  providers: ['any'],
  summary:
    'conditions on session tags (`aws:RequestTag/...`, `aws:TagKeys`, `sts:TransitiveTagKeys`) but no `sts:TagSession` for the provider: a token carrying tags is denied',
  on: 'statement',
  check(s) {
    const st = s.statement;
    if (!s.allow || s.trusted.length === 0 || !statementCoversAction(st, WEB_IDENTITY)) return [];
    const tagCondition = st.conditions.find((c) => TAG_KEY.test(c.key));
    if (tagCondition === undefined) return [];
    const tagged = s.statements.some(
      (o) => o.effect === 'Allow' && trustedProviders(o).some((n) => s.trusted.includes(n)) && statementCoversAction(o, 'sts:TagSession'),
    );
    if (tagged) return [];
    return [
      {
        path: at(s, tagCondition.path),
        message: `'${tagCondition.key}' is filled only by a token carrying session tags (claim https://aws.amazon.com/tags), and no statement allows sts:TagSession for ${s.trusted.join(', ')}: such a token is denied`,
        fix: `"Action": ["${WEB_IDENTITY}", "sts:TagSession"]`,
      },
    ];
  },
};
