/** What a CloudFormation template or a Terraform plan or state yields: IAM-shaped documents, and what was skipped. */
import type { SourcePositions } from '../json-file.js';

/** The kinds of infrastructure-as-code document the loader reads, told apart by their content. */
export type IacKind = 'cloudformation' | 'terraform-plan' | 'terraform-state';

/**
 * A role or an OIDC provider read from infrastructure as code, in the shape of a roles/ or providers/ document
 * (RoleName, Path, MaxSessionDuration, AssumeRolePolicyDocument, Arn | Url, ClientIDList, ThumbprintList), with where
 * each of its fields is written in the source, so that every problem points into the template or plan.
 */
export interface IacDocument {
  /** The CloudFormation logical id, or the Terraform address (`module.ci.aws_iam_role.deploy["main"]`). */
  readonly resource: string;
  readonly doc: Readonly<Record<string, unknown>>;
  /** Dotted path in the source of each field of `doc`; `''` is the resource itself. */
  readonly paths: Readonly<Record<string, string>>;
}

/** A value that cannot be known without deploying: the resource is skipped, never guessed. */
export interface Unresolved {
  /** Dotted path in the source of the value. */
  readonly path: string;
  readonly message: string;
}

/** A role or provider left out of the configuration, and why. */
export interface SkippedResource {
  /** The source file, relative to the configuration directory. */
  readonly file: string;
  readonly kind: 'role' | 'provider';
  /** The CloudFormation logical id, or the Terraform address. */
  readonly resource: string;
  /** The role's name when it is known (a test case may name the role this way). */
  readonly roleName?: string;
  /** Dotted path in the source of the value that could not be resolved. */
  readonly path: string;
  readonly message: string;
}

/** What one source yields. */
export interface IacRead {
  readonly kind: IacKind;
  readonly roles: readonly IacDocument[];
  readonly providers: readonly IacDocument[];
  readonly skipped: readonly Omit<SkippedResource, 'file'>[];
  /** Problems that make the source unusable (a Terraform format this reader does not know, a malformed template). */
  readonly problems: readonly Unresolved[];
  /** Where the values named by `paths` are written. */
  readonly positions: SourcePositions;
  /** Template parameters declared (CloudFormation), for checking `--parameter` names. */
  readonly parameters: readonly string[];
}

/** What the readers need from the emulator's options. */
export interface IacOptions {
  readonly accountId: string;
  readonly region: string;
  /** `--parameter Key=Value`: template parameters (and AWS::StackName, AWS::StackId), overriding defaults. */
  readonly parameters: ReadonlyMap<string, string>;
}
