/**
 * The claim presets, one file each under presets/: what every CI issuer's (and EKS's) tokens look like, from the
 * provider's own documentation (each file names its page). The provider-kind table (provider-kinds.ts) says which
 * issuers mint which preset; everyone reaches a preset through it.
 */
import { BITBUCKET_DEMO, BITBUCKET_PRESET, type BitbucketOptions } from './presets/bitbucket.js';
import { CIRCLECI_DEMO, CIRCLECI_PRESET, type CircleCiOptions } from './presets/circleci.js';
import { EKS_DEMO, EKS_PRESET, type EksOptions } from './presets/eks.js';
import { GITHUB_DEMO, GITHUB_PRESET, type GitHubOptions } from './presets/github.js';
import { GITLAB_DEMO, GITLAB_PRESET, type GitLabOptions } from './presets/gitlab.js';
import type { PresetName } from './presets/schema.js';
import { TERRAFORM_DEMO, TERRAFORM_PRESET, type TerraformOptions } from './presets/terraform.js';

export {
  oldFlagOf,
  presetOptionProblems,
  type OptionKind,
  type OptionSchema,
  type OptionsOf,
  type Preset,
  type PresetIssuer,
  type PresetName,
  type PresetOption,
  type Spell,
  type TimeOptions,
} from './presets/schema.js';
export { BITBUCKET_PRESET, CIRCLECI_PRESET, EKS_PRESET, GITHUB_PRESET, GITLAB_PRESET, TERRAFORM_PRESET };
export type { BitbucketOptions, CircleCiOptions, EksOptions, GitHubOptions, GitLabOptions, TerraformOptions };

/** The demo values each preset uses by default. */
export const DEMO = {
  circleci: CIRCLECI_DEMO,
  github: GITHUB_DEMO,
  gitlab: GITLAB_DEMO,
  terraform: TERRAFORM_DEMO,
  bitbucket: BITBUCKET_DEMO,
  eks: EKS_DEMO,
} as const;

/** Each preset's options object, by preset name (the package API types a preset and its options with it). */
export interface PresetOptionsByName {
  readonly circleci: CircleCiOptions;
  readonly github: GitHubOptions;
  readonly gitlab: GitLabOptions;
  readonly terraform: TerraformOptions;
  readonly bitbucket: BitbucketOptions;
  readonly eks: EksOptions;
}

/** A preset and its options, as case files and the package API give them: `{ name: 'github', trigger: 'pull_request' }`. */
export type PresetSpec = { [N in PresetName]: { readonly name: N } & PresetOptionsByName[N] }[PresetName];
