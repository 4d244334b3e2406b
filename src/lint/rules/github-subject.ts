/**
 * GitHub subjects (GitHub "OpenID Connect reference": example subject claims, customizing the subject claims,
 * immutable subject claims): a wildcard context that admits every kind of job, pull requests next to deploying
 * subjects, name-only subjects against the immutable `repo:owner@ID/repo@ID` format, custom subject templates that
 * name no repository, and reusable workflows followed by branch or tag. Each names a token that gets in (or, for the
 * immutable format, one that is shut out), checked against the statement's conditions by the evaluator.
 */
import {
  admitted,
  at,
  conditionsOn,
  filled,
  hasWildcard,
  isGitHub,
  isGitHubDotCom,
  pins,
  q,
  restricts,
  restrictingValues,
  type PatternValue,
  type StatementFacts,
} from '../facts.js';
import type { Report, TrustedProviderRule } from '../rule.js';
import { customSubjectScope, GITHUB_CONTEXTS, githubSub, parseGitHubSub, type GitHubSub } from '../subjects.js';

const literal = (v: string): boolean => v !== '' && !hasWildcard(v);

/** Default-template subject values that name one repository literally. */
function repositorySubjects(s: StatementFacts, name: string): { p: PatternValue; sub: GitHubSub }[] {
  return restrictingValues(s, name, 'sub').flatMap((p) => {
    const sub = parseGitHubSub(p.value);
    return sub !== undefined && literal(sub.owner) && literal(sub.repo) ? [{ p, sub }] : [];
  });
}

const CONTEXT_LABEL: Record<keyof typeof GITHUB_CONTEXTS, string> = {
  pull_request: 'a pull request run',
  environment: 'a job in any environment',
  branch: 'a push to any branch',
  tag: 'a push of any tag',
};

export const githubSubAnyContext: TrustedProviderRule = {
  id: 'github-sub-any-context',
  severity: 'warning',
  providers: ['github'],
  summary: '`repo:owner/repo:*`: every job of the repository, pull requests, any environment, any branch and any tag',
  on: 'trusted-provider',
  check(s, name) {
    if (!isGitHub(name)) return [];
    const reports: Report[] = [];
    for (const { p, sub } of repositorySubjects(s, name)) {
      if (literal(sub.context)) continue;
      const kinds = (Object.keys(GITHUB_CONTEXTS) as (keyof typeof GITHUB_CONTEXTS)[]).flatMap((kind) => {
        const token = admitted(s, name, 'sub', p, [githubSub(sub.owner, sub.repo, GITHUB_CONTEXTS[kind])])[0];
        return token === undefined ? [] : [`${CONTEXT_LABEL[kind]} (sub ${q(token)})`];
      });
      if (kinds.length < 2) continue;
      reports.push({
        path: p.path,
        message: `${q(p.value)} admits every kind of job of ${sub.owner}/${sub.repo}: ${kinds.join(', ')}`,
        fix: `name the context: "${githubSub(sub.owner, sub.repo, 'ref:refs/heads/main')}" for the default branch, or "${githubSub(sub.owner, sub.repo, 'environment:<environment>')}" for a protected environment`,
      });
    }
    return reports;
  },
};

export const githubPullRequestSubject: TrustedProviderRule = {
  id: 'github-pull-request-subject',
  severity: 'warning',
  providers: ['github'],
  summary:
    "`repo:owner/repo:pull_request` among the allowed subjects: pull request runs, with the pull request's own code, get the role meant for branches or environments",
  on: 'trusted-provider',
  check(s, name) {
    if (!isGitHub(name) || !s.allow) return [];
    const all = restrictingValues(s, name, 'sub');
    if (all.every((p) => p.value.endsWith(':pull_request'))) return []; // a role for pull requests only says so
    return repositorySubjects(s, name).flatMap(({ p, sub }) => {
      if (sub.context !== 'pull_request') return [];
      const token = admitted(s, name, 'sub', p, [p.value])[0];
      if (token === undefined) return [];
      const others = all.filter((x) => x !== p).map((x) => q(x.value));
      return [
        {
          path: p.path,
          message: `every pull request of ${sub.owner}/${sub.repo} gets this role (sub ${q(token)}), running the pull request's code before review, next to ${others.join(', ')}`,
          fix: `drop "${p.value}" here and give pull requests a separate role with read-only permissions`,
        },
      ];
    });
  },
};

export const githubSubNameBased: TrustedProviderRule = {
  id: 'github-sub-name-based',
  severity: 'info',
  providers: ['github'],
  summary:
    'a name-based `repo:owner/repo` subject on github.com: repositories created, renamed or transferred after 2026-07-15 send `repo:owner@ID/repo@ID`, which it does not match',
  on: 'trusted-provider',
  check(s, name) {
    if (!isGitHubDotCom(name) || pins(s, name, ['repository_id', 'repository_owner_id'])) return [];
    return repositorySubjects(s, name).flatMap(({ p, sub }) => {
      if (sub.owner.includes('@') || sub.repo.includes('@')) return [];
      const immutable = githubSub(`${sub.owner}@<owner-id>`, `${sub.repo}@<repo-id>`, sub.context);
      return [
        {
          path: p.path,
          message: `${q(p.value)} names the repository, not its ids: once ${sub.owner}/${sub.repo} is renamed or transferred, or opts in to immutable subjects, its tokens carry sub ${q(immutable)} and are denied`,
          fix: `accept both: ${p.condition.operator} "${p.condition.key}": ["${p.value}", "${immutable}"] (the ids: gh api repos/${sub.owner}/${sub.repo} --jq '.owner.id, .id'), or pin "${name}:repository_id"`,
        },
      ];
    });
  },
};

export const githubCustomSubjectUnpinned: TrustedProviderRule = {
  id: 'github-custom-subject-unpinned',
  severity: 'warning',
  providers: ['github'],
  summary:
    'a custom subject template (`include_claim_keys`: the subject no longer starts with `repo:`) that names an owner but no repository or reusable workflow',
  on: 'trusted-provider',
  check(s, name) {
    if (!isGitHub(name) || pins(s, name, ['repository', 'repository_id', 'job_workflow_ref'])) return [];
    return restrictingValues(s, name, 'sub').flatMap((p) => {
      if (p.value.startsWith('repo:') || !/[A-Za-z]/.test(p.value.replace(/\$\{[*?$]\}/g, ''))) return [];
      const { pinned, owner } = customSubjectScope(p.value);
      // Naming neither a repository nor an owner, any repository on GitHub gets in: subject-open-to-anyone's finding.
      if (pinned || owner === undefined) return [];
      const token = admitted(s, name, 'sub', p, [filled(p.value, 'any')])[0];
      if (token === undefined) return [];
      return [
        {
          path: p.path,
          message: `${q(p.value)} is a custom subject (include_claim_keys) that names no repository: a workflow in any repository of ${owner} whose token carries these claims gets in (sub ${q(token)})`,
          fix: `add the repository to the subject template (include_claim_keys with "repo") and to this pattern, or pin "${name}:repository_id"`,
        },
      ];
    });
  },
};

export const githubJobWorkflowRefNotSha: TrustedProviderRule = {
  id: 'github-job-workflow-ref-not-sha',
  severity: 'info',
  providers: ['github'],
  summary:
    '`job_workflow_ref` pinned to a branch or tag (`...@refs/heads/main`) rather than a commit SHA: whoever can push there changes the workflow that gets the role',
  on: 'trusted-provider',
  check(s, name) {
    if (!isGitHub(name)) return [];
    const refs = conditionsOn(s, name, 'job_workflow_ref')
      .filter(restricts)
      .flatMap((c) => c.values.map((v, i) => ({ value: v, path: at(s, c.valuePaths[i] ?? c.path) })));
    const inSub = restrictingValues(s, name, 'sub').flatMap((p) => {
      const ref = /(?:^|:)job_workflow_ref:([^:]+@[^:]+)/.exec(p.value)?.[1];
      return ref === undefined ? [] : [{ value: ref, path: p.path }];
    });
    return [...refs, ...inSub].flatMap(({ value, path }) => {
      const m = /^(([^/]+\/[^/]+)\/[^@]+)@(refs\/(heads|tags)\/.+|.*[*?].*)$/.exec(value);
      if (m === null) return [];
      const [, workflow, repository, ref] = m as unknown as [string, string, string, string];
      const where = hasWildcard(ref) ? `any ref of ${repository}` : `${ref} of ${repository}`;
      return [
        {
          path,
          message: `job_workflow_ref ${q(value)} follows ${where}: a run of the workflow after anyone with push access there changes it gets in`,
          fix: `call the reusable workflow by commit SHA (uses: ${workflow}@<commit-sha>) and pin "${workflow}@<commit-sha>"`,
        },
      ];
    });
  },
};
