/**
 * HCP Terraform (Terraform Cloud) workload identity tokens of workspace runs, as HCP Terraform's "Workload identity"
 * page describes them (the workspace run token structure): sub
 * organization:<org>:project:<project>:workspace:<workspace>:run_phase:<plan|apply>, the terraform_* claims, aud
 * `aws.workload.identity` unless TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE says otherwise. The issuer is the provider's Url
 * (https://app.terraform.io, https://app.eu.terraform.io, or a Terraform Enterprise host with "Preset": "terraform").
 */
import { definedClaims, times, type OptionSchema, type OptionsOf, type Preset } from './schema.js';

export const TERRAFORM_DEMO = {
  organization: 'demo-org',
  organizationId: 'org-DemoOrg0000000001',
  project: 'Default Project',
  projectId: 'prj-DemoProject000001',
  workspace: 'demo-workspace',
  workspaceId: 'ws-DemoWorkspace00001',
  runId: 'run-DemoRun0000000001',
  audience: 'aws.workload.identity',
} as const;

const OPTIONS = {
  organization: {
    kind: 'string',
    flag: 'organization',
    value: 'name',
    help: 'terraform_organization_name (default demo-org)',
    default: TERRAFORM_DEMO.organization,
  },
  organizationId: {
    kind: 'string',
    flag: 'organization-id',
    value: 'org-...',
    help: 'terraform_organization_id',
    default: TERRAFORM_DEMO.organizationId,
  },
  project: {
    kind: 'string',
    flag: 'project',
    value: 'name',
    help: 'terraform_project_name (default "Default Project")',
    default: TERRAFORM_DEMO.project,
  },
  projectId: { kind: 'string', flag: 'project-id', value: 'prj-...', help: 'terraform_project_id', default: TERRAFORM_DEMO.projectId },
  workspace: {
    kind: 'string',
    flag: 'workspace',
    value: 'name',
    help: 'terraform_workspace_name (default demo-workspace)',
    default: TERRAFORM_DEMO.workspace,
  },
  workspaceId: {
    kind: 'string',
    flag: 'workspace-id',
    value: 'ws-...',
    help: 'terraform_workspace_id',
    default: TERRAFORM_DEMO.workspaceId,
  },
  runPhase: {
    kind: 'string',
    flag: 'run-phase',
    value: 'plan|apply',
    help: 'terraform_run_phase (default apply)',
    default: 'apply',
    choices: ['plan', 'apply'],
  },
  runId: { kind: 'string', flag: 'run-id', value: 'run-...', help: 'terraform_run_id', default: TERRAFORM_DEMO.runId },
  aud: {
    kind: 'string',
    flag: 'aud',
    value: 'audience',
    help: 'audience (default aws.workload.identity, as TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE)',
    default: TERRAFORM_DEMO.audience,
  },
} as const satisfies OptionSchema;

export type TerraformOptions = OptionsOf<typeof OPTIONS>;

export const TERRAFORM_PRESET: Preset<typeof OPTIONS> = {
  name: 'terraform',
  label: 'HCP Terraform',
  source:
    'https://developer.hashicorp.com/terraform/cloud-docs/dynamic-provider-credentials/workload-identity-tokens (HCP Terraform "Workload identity", workspace run token structure)',
  options: OPTIONS,
  conflicts(o, spell) {
    // A ':' in a name would make the sub ambiguous; HCP Terraform's organization and workspace names cannot hold one.
    return (['organization', 'workspace'] as const)
      .filter((k) => o[k]?.includes(':') === true)
      .map((k) => `${spell(k)} cannot contain ':'`);
  },
  claims(issuer, o, t, jti) {
    const d = OPTIONS;
    const organization = o.organization ?? d.organization.default;
    const project = o.project ?? d.project.default;
    const workspace = o.workspace ?? d.workspace.default;
    const runPhase = o.runPhase ?? d.runPhase.default;
    const fullWorkspace = `organization:${organization}:project:${project}:workspace:${workspace}`;
    const { iat, exp } = times(t);
    return definedClaims({
      jti,
      iss: issuer.url,
      aud: o.aud ?? d.aud.default,
      iat,
      nbf: iat,
      exp,
      sub: `${fullWorkspace}:run_phase:${runPhase}`,
      terraform_organization_id: o.organizationId ?? d.organizationId.default,
      terraform_organization_name: organization,
      terraform_project_id: o.projectId ?? d.projectId.default,
      terraform_project_name: project,
      terraform_workspace_id: o.workspaceId ?? d.workspaceId.default,
      terraform_workspace_name: workspace,
      terraform_full_workspace: fullWorkspace,
      terraform_run_id: o.runId ?? d.runId.default,
      terraform_run_phase: runPhase,
    });
  },
};
