/**
 * Subjects that admit more than one tenant. subject-open-to-anyone: on GitHub, gitlab.com (or a self-managed GitLab)
 * and HCP Terraform, where anyone can open an account, a subject pattern that another owner's repository, another
 * group's project or another organisation's workspace matches. subject-open-to-organisation: a CircleCI
 * organisation's every project, or a GitHub owner's every repository. Each names a token that gets in, checked
 * against the statement's own conditions by the evaluator.
 */
import { isOpenCircleSub } from '../circleci-sub.js';
import {
  admits,
  admitted,
  circleCiOrg,
  conditionBlockPath,
  conditionsOn,
  filled,
  gitlabIssuer,
  hasWildcard,
  isGitHub,
  isTerraform,
  pins,
  q,
  restricts,
  restrictingValues,
  at,
  type StatementFacts,
} from '../facts.js';
import type { Report, TrustedProviderRule } from '../rule.js';
import {
  circleV1Sub,
  customSubjectScope,
  githubContextOf,
  githubLiteralContext,
  githubSub,
  gitlabSub,
  OTHER,
  parseGitHubSub,
  parseGitLabSub,
  parseTerraformSub,
  TERRAFORM_DEFAULT_PROJECT,
  terraformSub,
} from '../subjects.js';
import { checksGitHubSubject } from './github-sub.js';

/** GitHub keys that tie a token to one repository, owner or enterprise whatever its sub says. */
const GITHUB_TENANT_KEYS = ['repository', 'repository_id', 'repository_owner_id', 'enterprise_id', 'job_workflow_ref'] as const;
/** gitlab.com keys that tie a token to one project or namespace. */
const GITLAB_TENANT_KEYS = ['project_id', 'namespace_id'] as const;

const literal = (v: string | undefined): string | undefined => (v === undefined || v === '' || hasWildcard(v) ? undefined : v);

/** A token from another tenant that gets in, and where the subject condition is written. */
interface Open {
  readonly token: string;
  readonly path: string;
  readonly fix: string;
  readonly who: string;
}

/** The first token that gets in among those built from each subject value (or, with none, from no pattern). */
function firstAdmitted(
  s: StatementFacts,
  name: string,
  who: string,
  build: (pattern: string | undefined) => { candidates: string[]; fix: string },
): Open | undefined {
  const subs = restrictingValues(s, name, 'sub');
  if (subs.length === 0) {
    const { candidates, fix } = build(undefined);
    const token = candidates.find((c) => admits(s, name, 'sub', c));
    return token === undefined ? undefined : { token, path: conditionBlockPath(s), fix, who };
  }
  for (const p of subs) {
    const { candidates, fix } = build(p.value);
    const token = admitted(s, name, 'sub', p, candidates)[0];
    if (token !== undefined) return { token, path: p.path, fix, who };
  }
  return undefined;
}

function githubAnyone(s: StatementFacts, name: string): Open | undefined {
  // A GitHub role that checks no subject at all is github-without-sub's finding.
  if (!isGitHub(name) || !checksGitHubSubject(s, name) || pins(s, name, GITHUB_TENANT_KEYS)) return undefined;
  if (restrictingValues(s, name, 'sub').length === 0) return undefined;
  const who = `any GitHub repository can assume this role: a workflow of another owner's repository gets in`;
  return firstAdmitted(s, name, who, (pattern) => {
    // A custom-template subject that names neither a repository nor an owner is a token any repository can have.
    const custom =
      pattern !== undefined && !pattern.startsWith('repo:') && /[A-Za-z]/.test(pattern) ? customSubjectScope(pattern) : undefined;
    const anyRepository = custom !== undefined && !custom.pinned && custom.owner === undefined ? [filled(pattern as string, 'any')] : [];
    return {
      candidates: [...githubContextOf(pattern ?? '').map((ctx) => githubSub(OTHER.owner, OTHER.repo, ctx)), ...anyRepository],
      fix: `name the repository: "${name}:sub": "${githubSub('<owner>', '<repo>', githubLiteralContext(pattern ?? '') ?? 'ref:refs/heads/main')}"`,
    };
  });
}

function gitlabAnyone(s: StatementFacts, name: string): Open | undefined {
  const issuer = gitlabIssuer(s, name);
  if (issuer === undefined || pins(s, name, GITLAB_TENANT_KEYS)) return undefined;
  const who = `any project on ${issuer === 'gitlab.com' ? 'gitlab.com' : name} can assume this role: a pipeline of another group's project gets in`;
  return firstAdmitted(s, name, who, (pattern) => {
    const sub = parseGitLabSub(pattern ?? '');
    const refType = literal(sub?.refType) ?? 'branch';
    const ref = literal(sub?.ref) ?? 'main';
    return {
      candidates: [
        gitlabSub(`${OTHER.group}/${OTHER.project}`, refType, ref),
        gitlabSub(`${OTHER.group}/${OTHER.project}`, 'branch', 'main'),
      ],
      fix:
        `name the project: StringEquals "${name}:sub": "${gitlabSub('<group>/<project>', refType, ref)}"` +
        (issuer === 'gitlab.com' ? `, and pin "${name}:project_id": "<project id>"` : ''),
    };
  });
}

function terraformAnyone(s: StatementFacts, name: string): Open | undefined {
  if (!isTerraform(name)) return undefined;
  const who = `any HCP Terraform organization can assume this role: a run in another organization's workspace gets in`;
  return firstAdmitted(s, name, who, (pattern) => {
    const sub = parseTerraformSub(pattern ?? '');
    const project = literal(sub?.project) ?? TERRAFORM_DEFAULT_PROJECT;
    const workspace = literal(sub?.workspace) ?? OTHER.workspace;
    const phase = literal(sub?.runPhase) ?? 'apply';
    return {
      candidates: [
        terraformSub(OTHER.organization, project, workspace, phase),
        terraformSub(OTHER.organization, TERRAFORM_DEFAULT_PROJECT, OTHER.workspace, 'apply'),
      ],
      fix: `name the organization and workspace: StringLike "${name}:sub": "${terraformSub('<organization>', literal(sub?.project) ?? '*', literal(sub?.workspace) ?? '<workspace>', 'apply')}"`,
    };
  });
}

export const subjectOpenToAnyone: TrustedProviderRule = {
  id: 'subject-open-to-anyone',
  severity: 'error',
  providers: ['github', 'gitlab', 'terraform'],
  summary:
    "a subject that another owner's repository, another group's project or another organization's workspace matches (`*`, `repo:*`, `project_path:*`, `organization:*`, or no sub condition)",
  on: 'trusted-provider',
  check(s, name): Report[] {
    const open = githubAnyone(s, name) ?? gitlabAnyone(s, name) ?? terraformAnyone(s, name);
    return open === undefined ? [] : [{ path: open.path, message: `${open.who} (sub ${q(open.token)})`, fix: open.fix }];
  },
};

/** A CircleCI sub pattern with another project's and user's ids in place of its wildcards. */
function circleCandidate(org: string, pattern: string | undefined): string {
  if (pattern === undefined || !pattern.includes('/project/')) return circleV1Sub(org, OTHER.uuid, OTHER.uuid2);
  const ids = pattern.replace(/\/project\/\*/, `/project/${OTHER.uuid}`).replace(/\/user\/\*/, `/user/${OTHER.uuid2}`);
  return filled(ids, OTHER.repo);
}

function circleOrganisation(s: StatementFacts, name: string, org: string): Report[] {
  const subs = conditionsOn(s, name, 'sub').filter(restricts);
  const path = subs[0] === undefined ? conditionBlockPath(s) : at(s, subs[0].path);
  const open = !subs.some((c) => c.values.every((v) => !isOpenCircleSub(v)));
  if (!open || pins(s, name, ['oidc.circleci.com/project-id'])) return [];
  // Named only if the evaluator lets it in (a pattern in no CircleCI format, say `repo:`, admits no job at all).
  const candidates = [...subs.flatMap((c) => c.values.filter(isOpenCircleSub)), undefined].map((v) => circleCandidate(org, v));
  const token = candidates.find((c) => admits(s, name, 'sub', c));
  if (token === undefined) return [];
  return [
    {
      path,
      message: `every project of CircleCI organisation ${org} can assume this role: a job of another project gets in (sub ${q(token)})`,
      fix: `pin the project: StringLike "${name}:sub": "org/${org}/project/<project-id>/user/*", or StringEquals "${name}:oidc.circleci.com/project-id": "<project-id>"`,
    },
  ];
}

function githubOrganisation(s: StatementFacts, name: string): Report[] {
  if (!isGitHub(name) || !checksGitHubSubject(s, name) || pins(s, name, GITHUB_TENANT_KEYS) || githubAnyone(s, name) !== undefined)
    return [];
  for (const p of restrictingValues(s, name, 'sub')) {
    const sub = parseGitHubSub(p.value);
    if (sub === undefined || literal(sub.owner) === undefined) continue;
    const candidates = githubContextOf(p.value).map((ctx) => githubSub(sub.owner, OTHER.repo, ctx));
    const token = admitted(s, name, 'sub', p, candidates)[0];
    if (token === undefined) continue;
    return [
      {
        path: p.path,
        message: `any repository of ${sub.owner} can assume this role: a workflow in ${sub.owner}/${OTHER.repo} gets in (sub ${q(token)})`,
        fix: `name the repository: "${name}:sub": "${githubSub(sub.owner, '<repo>', githubLiteralContext(p.value) ?? 'ref:refs/heads/main')}"`,
      },
    ];
  }
  return [];
}

export const subjectOpenToOrganisation: TrustedProviderRule = {
  id: 'subject-open-to-organisation',
  severity: 'warning',
  providers: ['circleci', 'github'],
  summary:
    'any project of the CircleCI organisation (no sub or project-id condition pins one: `project/*`), or any repository of a GitHub owner (`repo:org/*`)',
  on: 'trusted-provider',
  check(s, name): Report[] {
    const org = circleCiOrg(name);
    return org !== undefined ? circleOrganisation(s, name, org) : githubOrganisation(s, name);
  },
};
