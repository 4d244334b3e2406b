/**
 * Issuers scoped to one tenant whose subject must still name the workload. Bitbucket Pipelines (one issuer per
 * workspace; sub {<repository uuid>}:{<step uuid>}, Bitbucket "Integrate Pipelines with resource servers using
 * OIDC"): a sub of `*`, a repository wildcard, or only `aud` pinned admits every repository of the workspace. EKS (one
 * issuer per cluster; sub system:serviceaccount:<namespace>:<name>, Amazon EKS "IAM roles for service accounts"): a
 * namespace wildcard, or no sub, admits a service account of that name in any namespace.
 */
import {
  admits,
  admitted,
  bitbucketWorkspace,
  conditionBlockPath,
  filled,
  hasWildcard,
  isEks,
  q,
  restrictingValues,
  type StatementFacts,
} from '../facts.js';
import type { Report, TrustedProviderRule } from '../rule.js';
import { bitbucketRepository, bitbucketSub, OTHER, parseServiceAccountSub, serviceAccountSub } from '../subjects.js';

/** A token that gets in with a subject the restricting values build, or (with none) the fallback. */
function firstToken(
  s: StatementFacts,
  name: string,
  build: (value: string) => string | undefined,
  fallback: string,
): { token: string; path: string } | undefined {
  const subs = restrictingValues(s, name, 'sub');
  if (subs.length === 0) return admits(s, name, 'sub', fallback) ? { token: fallback, path: conditionBlockPath(s) } : undefined;
  for (const p of subs) {
    const candidate = build(p.value);
    const token = candidate === undefined ? undefined : admitted(s, name, 'sub', p, [candidate])[0];
    if (token !== undefined) return { token, path: p.path };
  }
  return undefined;
}

export const bitbucketWorkspaceWide: TrustedProviderRule = {
  id: 'bitbucket-workspace-wide',
  severity: 'warning',
  providers: ['bitbucket'],
  summary: 'a `sub` of `*`, a repository wildcard, or only `aud` pinned: every repository of the Bitbucket workspace',
  on: 'trusted-provider',
  check(s, name): Report[] {
    const workspace = bitbucketWorkspace(name);
    if (workspace === undefined) return [];
    const other = bitbucketSub(OTHER.uuid, OTHER.uuid2);
    const found = firstToken(s, name, (v) => (bitbucketRepository(v) === undefined ? other : undefined), other);
    if (found === undefined) return [];
    return [
      {
        path: found.path,
        message: `every repository of Bitbucket workspace ${workspace} can assume this role: a pipeline step of another repository gets in (sub ${q(found.token)})`,
        fix: `pin the repository: StringLike "${name}:sub": "{<repository-uuid>}:*" (Repository settings > OpenID Connect shows the UUID)`,
      },
    ];
  },
};

export const eksServiceAccountWildcard: TrustedProviderRule = {
  id: 'eks-service-account-wildcard',
  severity: 'warning',
  providers: ['eks'],
  summary: '`system:serviceaccount:*:*`, a namespace wildcard, or no `sub` condition: a service account in any namespace of the cluster',
  on: 'trusted-provider',
  check(s, name): Report[] {
    if (!isEks(name)) return [];
    let account = 'default';
    let namespace: string = OTHER.namespace;
    const found = firstToken(
      s,
      name,
      (v) => {
        const sa = parseServiceAccountSub(v);
        if (sa !== undefined && !hasWildcard(sa.namespace)) return undefined;
        account = sa === undefined || hasWildcard(sa.name) ? 'default' : sa.name;
        namespace = sa === undefined ? OTHER.namespace : filled(sa.namespace, OTHER.namespace);
        return serviceAccountSub(namespace, account);
      },
      serviceAccountSub(OTHER.namespace, 'default'),
    );
    if (found === undefined) return [];
    const named = restrictingValues(s, name, 'sub')
      .map((p) => parseServiceAccountSub(p.value))
      .find((sa) => sa !== undefined);
    return [
      {
        path: found.path,
        message: `a service account named '${account}' in any namespace of the cluster can assume this role: a pod in namespace '${namespace}' (whoever may create a namespace or service account) gets in (sub ${q(found.token)})`,
        fix: `name the namespace and service account: StringEquals "${name}:sub": "${serviceAccountSub(
          named === undefined || hasWildcard(named.namespace) ? '<namespace>' : named.namespace,
          named === undefined || hasWildcard(named.name) ? '<service-account>' : filled(named.name),
        )}"`,
      },
    ];
  },
};
