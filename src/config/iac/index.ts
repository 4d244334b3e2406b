/**
 * Infrastructure as code as a configuration source: a file's text in, what kind of document it is (told by its
 * content, not its name) and the roles and OIDC providers it defines out. CloudFormation templates in JSON or YAML
 * (what `cdk synth` writes), `terraform show -json` of a plan or of a state. Pure and synchronous.
 */
import { field, isObject } from '../fields.js';
import { parseJsonDocument } from '../json-file.js';
import { readCloudFormation } from './cloudformation.js';
import { readTerraform } from './terraform.js';
import type { IacKind, IacOptions, IacRead } from './types.js';
import { parseYamlTemplate } from './yaml-template.js';

export { isSettablePseudoParameter } from './cloudformation.js';
export type { IacDocument, IacKind, IacOptions, IacRead, SkippedResource } from './types.js';

/** Largest infrastructure-as-code file read, in bytes (a Terraform state of a large project runs to megabytes). */
export const MAX_IAC_FILE_BYTES = 64 * 1024 * 1024;

/** The names a directory's own files must have to be read as infrastructure as code (their content decides). */
const IAC_FILE_NAME = /^[^./][^/]*\.(json|ya?ml|template)$/i;

/** Names that say the file is a template: it must parse as one (other files that do not are left alone). */
const TEMPLATE_FILE_NAME = /\.template(\.(json|ya?ml))?$|^template\.(json|ya?ml)$/i;

/** Whether a file directly in the configuration directory is read to see if it is infrastructure as code. */
export function isIacCandidateName(name: string): boolean {
  return IAC_FILE_NAME.test(name);
}

/** The kind of infrastructure-as-code document a parsed value is, if it is one. */
export function detectIac(value: unknown): IacKind | undefined {
  if (!isObject(value)) return undefined;
  const resources = field(value, 'Resources');
  if (isObject(resources)) {
    const typed = Object.values(resources).some((r) => isObject(r) && typeof r['Type'] === 'string');
    if (typed || field(value, 'AWSTemplateFormatVersion') !== undefined) return 'cloudformation';
  }
  if (typeof field(value, 'format_version') !== 'string') return undefined;
  if (['resource_changes', 'planned_values', 'prior_state'].some((k) => field(value, k) !== undefined)) return 'terraform-plan';
  // A state; with no resources, `terraform show -json` prints only the versions.
  if (
    field(value, 'values') !== undefined ||
    Object.keys(value).every((k) => ['format_version', 'terraform_version', 'checks'].includes(k))
  )
    return 'terraform-state';
  return undefined;
}

export type IacText =
  /** Not infrastructure as code (or, for a file that need not be, not parseable). */
  { readonly kind: 'none'; readonly why: string } | { readonly kind: 'error'; readonly message: string } | IacRead;

export interface ReadIacOptions extends IacOptions {
  /** The file must be infrastructure as code (it was named by --policies): anything else is an error. */
  readonly required: boolean;
  /** Quote the text in syntax errors (false for a file reached through a symbolic link). */
  readonly quote: boolean;
}

/** Reads one file's text: JSON when it looks like JSON (or is named .json), YAML otherwise. */
export function readIacText(name: string, text: string, options: ReadIacOptions): IacText {
  const json = /\.json$/i.test(name) || /^\s*\{/.test(text.replace(/^\uFEFF/, ''));
  const parsed = json
    ? parseJsonDocument(text, { quote: options.quote, maxBytes: MAX_IAC_FILE_BYTES })
    : parseYamlTemplate(text, { quote: options.quote });
  if (!parsed.ok) {
    // A file of the directory that fails to parse is reported only when its name or text says it is a template or plan.
    const claims =
      options.required || TEMPLATE_FILE_NAME.test(name) || /AWSTemplateFormatVersion|"format_version"|^Resources\s*:/m.test(text);
    return claims ? { kind: 'error', message: parsed.message } : { kind: 'none', why: parsed.message };
  }
  const { value, positions } = parsed;
  const kind = detectIac(value);
  if (kind === undefined) {
    const why = 'not a CloudFormation template (no Resources) nor the JSON of terraform show -json (no format_version)';
    return options.required || TEMPLATE_FILE_NAME.test(name) ? { kind: 'error', message: why } : { kind: 'none', why };
  }
  const doc = value as Record<string, unknown>;
  try {
    return kind === 'cloudformation' ? readCloudFormation(doc, positions, options) : readTerraform(doc, kind, positions);
  } catch (e) {
    // References chained deeper than the stack (thousands of resources naming each other): refused, not crashed on.
    if (e instanceof RangeError) return { kind: 'error', message: 'references nested too deeply to resolve' };
    throw e;
  }
}
