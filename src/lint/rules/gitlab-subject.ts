/**
 * GitLab subjects, gitlab.com and self-managed (GitLab "Connect to cloud services": project_path:{group}/{project}:
 * ref_type:{type}:ref:{branch_name}; "Configure OpenID Connect in AWS": on gitlab.com pin the stable project_id and
 * namespace_id next to the path). A `*` after the group spans subgroups; a wildcard ref type admits tags named like
 * the branch; a wildcard ref admits every branch; a path alone admits whoever next owns the path.
 */
import {
  admitted,
  filled,
  gitlabIssuer,
  hasWildcard,
  pins,
  q,
  restrictingValues,
  type PatternValue,
  type StatementFacts,
} from '../facts.js';
import type { Report, TrustedProviderRule } from '../rule.js';
import { gitlabSub, OTHER, parseGitLabSub, type GitLabSub } from '../subjects.js';

const literal = (v: string | undefined): string | undefined => (v === undefined || v === '' || hasWildcard(v) ? undefined : v);

/** gitlab.com keys that tie a token to one project or namespace whatever its path. */
const ID_KEYS = ['project_id', 'namespace_id'] as const;

function gitlabSubjects(s: StatementFacts, name: string): { p: PatternValue; sub: GitLabSub }[] {
  return restrictingValues(s, name, 'sub').flatMap((p) => {
    const sub = parseGitLabSub(p.value);
    return sub === undefined ? [] : [{ p, sub }];
  });
}

/** Whether the statement pins `ref_protected` to "true" (gitlab.com): only protected branches and tags get in. */
function protectedOnly(s: StatementFacts, name: string): boolean {
  return pins(s, name, ['ref_protected']) && restrictingValues(s, name, 'ref_protected').every((p) => p.value === 'true');
}

export const gitlabProjectPathSpansSubgroups: TrustedProviderRule = {
  id: 'gitlab-project-path-spans-subgroups',
  severity: 'warning',
  providers: ['gitlab'],
  summary: "`project_path:group/*`: IAM's `*` spans `/`, so every project of every subgroup matches",
  on: 'trusted-provider',
  check(s, name) {
    const issuer = gitlabIssuer(s, name);
    if (issuer === undefined || pins(s, name, ID_KEYS)) return [];
    return gitlabSubjects(s, name).flatMap(({ p, sub }): Report[] => {
      const group = /^([^*?]+)\/\*/.exec(sub.projectPath)?.[1];
      if (group === undefined) return [];
      const candidate = filled(p.value.replace(`project_path:${group}/*`, `project_path:${group}/${OTHER.subgroup}/${OTHER.project}`));
      const token = admitted(s, name, 'sub', p, [candidate])[0];
      if (token === undefined) return [];
      return [
        {
          path: p.path,
          message: `${q(p.value)}: IAM's '*' spans '/', so every project of every subgroup of ${group} matches: a pipeline of ${group}/${OTHER.subgroup}/${OTHER.project} gets in (sub ${q(token)})`,
          fix:
            `name the project: "${gitlabSub(`${group}/<project>`, literal(sub.refType) ?? 'branch', literal(sub.ref) ?? 'main')}"` +
            (issuer === 'gitlab.com'
              ? `, or keep the group's own projects only with StringEquals "${name}:namespace_id": "<id of ${group}>"`
              : ''),
        },
      ];
    });
  },
};

export const gitlabRefTypeWildcard: TrustedProviderRule = {
  id: 'gitlab-ref-type-wildcard',
  severity: 'warning',
  providers: ['gitlab'],
  summary: '`ref_type:*`: a tag named like the branch (`ref_type:tag:ref:main`) matches too',
  on: 'trusted-provider',
  check(s, name) {
    if (gitlabIssuer(s, name) === undefined || protectedOnly(s, name)) return [];
    return gitlabSubjects(s, name).flatMap(({ p, sub }): Report[] => {
      if (literal(sub.refType) !== undefined) return [];
      const path = filled(sub.projectPath, OTHER.project);
      const ref = literal(sub.ref) ?? 'main';
      const tag = admitted(s, name, 'sub', p, [gitlabSub(path, 'tag', ref)])[0];
      if (tag === undefined || admitted(s, name, 'sub', p, [gitlabSub(path, 'branch', ref)]).length === 0) return [];
      return [
        {
          path: p.path,
          message: `${q(p.value)} does not tell branches from tags: a pipeline for a tag named '${ref}', which anyone who may push tags creates, gets in (sub ${q(tag)})`,
          fix: `name the ref type: "${gitlabSub(literal(sub.projectPath) ?? sub.projectPath, 'branch', literal(sub.ref) ?? sub.ref ?? 'main')}"`,
        },
      ];
    });
  },
};

export const gitlabRefWildcard: TrustedProviderRule = {
  id: 'gitlab-ref-wildcard',
  severity: 'warning',
  providers: ['gitlab'],
  summary: '`ref:*`: a pipeline on any branch (or tag), including unprotected ones any developer pushes',
  on: 'trusted-provider',
  check(s, name) {
    const issuer = gitlabIssuer(s, name);
    if (issuer === undefined || protectedOnly(s, name)) return [];
    return gitlabSubjects(s, name).flatMap(({ p, sub }): Report[] => {
      if (sub.ref !== undefined && literal(sub.ref) !== undefined) return [];
      const refType = literal(sub.refType) ?? 'branch';
      const token = admitted(s, name, 'sub', p, [gitlabSub(filled(sub.projectPath, OTHER.project), refType, OTHER.branch)])[0];
      if (token === undefined) return [];
      return [
        {
          path: p.path,
          message: `${q(p.value)} admits any ${refType}: a pipeline on a ${refType} named '${OTHER.branch}', unprotected, gets in (sub ${q(token)})`,
          fix:
            `name the ${refType}: "${gitlabSub(literal(sub.projectPath) ?? sub.projectPath, refType, 'main')}"` +
            (issuer === 'gitlab.com' ? `, or admit protected refs only: StringEquals "${name}:ref_protected": "true"` : ''),
        },
      ];
    });
  },
};

export const gitlabSubjectPathOnly: TrustedProviderRule = {
  id: 'gitlab-subject-path-only',
  severity: 'warning',
  providers: ['gitlab'],
  summary:
    'gitlab.com: a project named by path only (`project_path:group/project`), open to whoever next owns the path; pin `project_id` / `namespace_id` as GitLab documents',
  on: 'trusted-provider',
  check(s, name) {
    if (gitlabIssuer(s, name) !== 'gitlab.com' || pins(s, name, ID_KEYS)) return [];
    return gitlabSubjects(s, name).flatMap(({ p, sub }): Report[] => {
      const path = literal(sub.projectPath);
      if (path === undefined) return [];
      const token = admitted(s, name, 'sub', p, [filled(p.value, OTHER.branch)])[0];
      if (token === undefined) return [];
      return [
        {
          path: p.path,
          message: `${q(p.value)} names the project by path only: once ${path} is renamed, transferred or deleted, a project created at that path gets in (sub ${q(token)})`,
          fix: `pin the ids too: StringEquals "${name}:project_id": "<id of ${path}>", "${name}:namespace_id": "<id of ${path.replace(/\/[^/]+$/, '')}>"`,
        },
      ];
    });
  },
};
