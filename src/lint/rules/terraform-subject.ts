/**
 * HCP Terraform subjects (HCP Terraform "Dynamic provider credentials": organization:<org>:project:<project>:
 * workspace:<workspace>:run_phase:<plan|apply>). A wildcard after the organization admits its every workspace; a
 * workspace wildcard every workspace of the project; a run-phase wildcard lets plans, which run for speculative plans
 * and execute the configuration's own code, assume the role meant for applies.
 */
import { admitted, hasWildcard, isTerraform, q, restrictingValues, type PatternValue, type StatementFacts } from '../facts.js';
import type { Report, TrustedProviderRule } from '../rule.js';
import { OTHER, parseTerraformSub, TERRAFORM_DEFAULT_PROJECT, terraformSub, type TerraformSub } from '../subjects.js';

const literal = (v: string | undefined): string | undefined => (v === undefined || v === '' || hasWildcard(v) ? undefined : v);

/** Subject values that name their organization literally. */
function organizationSubjects(s: StatementFacts, name: string): { p: PatternValue; sub: TerraformSub; org: string }[] {
  if (!isTerraform(name)) return [];
  return restrictingValues(s, name, 'sub').flatMap((p) => {
    const sub = parseTerraformSub(p.value);
    const org = literal(sub?.organization);
    return sub === undefined || org === undefined ? [] : [{ p, sub, org }];
  });
}

function organizationWide(s: StatementFacts, name: string, p: PatternValue, org: string): string | undefined {
  return admitted(s, name, 'sub', p, [terraformSub(org, OTHER.project, OTHER.workspace, 'apply')])[0];
}

export const terraformOrganizationWide: TrustedProviderRule = {
  id: 'terraform-organization-wide',
  severity: 'warning',
  providers: ['terraform'],
  summary: '`organization:ORG:*`: every project and workspace of the HCP Terraform organization',
  on: 'trusted-provider',
  check(s, name) {
    return organizationSubjects(s, name).flatMap(({ p, org }): Report[] => {
      const token = organizationWide(s, name, p, org);
      if (token === undefined) return [];
      return [
        {
          path: p.path,
          message: `${q(p.value)} admits every project and workspace of organization ${org}: a run in workspace '${OTHER.workspace}' of project '${OTHER.project}' gets in (sub ${q(token)})`,
          fix: `name the project and workspace: "${terraformSub(org, '<project>', '<workspace>', 'apply')}"`,
        },
      ];
    });
  },
};

export const terraformWorkspaceWildcard: TrustedProviderRule = {
  id: 'terraform-workspace-wildcard',
  severity: 'warning',
  providers: ['terraform'],
  summary: '`workspace:*`: every workspace of the project, including ones created later by anyone who may create workspaces',
  on: 'trusted-provider',
  check(s, name) {
    return organizationSubjects(s, name).flatMap(({ p, sub, org }): Report[] => {
      if (literal(sub.workspace) !== undefined || organizationWide(s, name, p, org) !== undefined) return [];
      const project = literal(sub.project) ?? TERRAFORM_DEFAULT_PROJECT;
      const token = admitted(s, name, 'sub', p, [terraformSub(org, project, OTHER.workspace, literal(sub.runPhase) ?? 'apply')])[0];
      if (token === undefined) return [];
      return [
        {
          path: p.path,
          message: `${q(p.value)} admits every workspace of project '${project}': a run in a workspace named '${OTHER.workspace}' gets in (sub ${q(token)})`,
          fix: `name the workspace: "${terraformSub(org, literal(sub.project) ?? '*', '<workspace>', literal(sub.runPhase) ?? 'apply')}"`,
        },
      ];
    });
  },
};

export const terraformRunPhaseWildcard: TrustedProviderRule = {
  id: 'terraform-run-phase-wildcard',
  severity: 'warning',
  providers: ['terraform'],
  summary: '`run_phase:*`: plan runs (speculative plans of pull requests included) get the role meant for applies',
  on: 'trusted-provider',
  check(s, name) {
    return organizationSubjects(s, name).flatMap(({ p, sub, org }): Report[] => {
      if (literal(sub.runPhase) !== undefined || organizationWide(s, name, p, org) !== undefined) return [];
      const project = literal(sub.project) ?? TERRAFORM_DEFAULT_PROJECT;
      const workspace = literal(sub.workspace) ?? OTHER.workspace;
      const plan = admitted(s, name, 'sub', p, [terraformSub(org, project, workspace, 'plan')])[0];
      if (plan === undefined || admitted(s, name, 'sub', p, [terraformSub(org, project, workspace, 'apply')]).length === 0) return [];
      return [
        {
          path: p.path,
          message: `${q(p.value)} admits plans as well as applies: a plan run, which a speculative plan of a pull request starts and which runs the configuration's own code, gets in (sub ${q(plan)})`,
          fix: `trust this role for "${terraformSub(org, literal(sub.project) ?? '*', literal(sub.workspace) ?? '<workspace>', 'apply')}" only, and give plans a read-only role (TFC_AWS_PLAN_ROLE_ARN and TFC_AWS_APPLY_ROLE_ARN)`,
        },
      ];
    });
  },
};
