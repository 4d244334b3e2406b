/**
 * Roles and providers read from infrastructure as code, validated by the same rules as roles/ and providers/ files, with
 * every problem pointing into the template or plan: its file, and the path of the value there
 * (`Resources.DeployRole.Properties.AssumeRolePolicyDocument.Statement[0]...`, or `aws_iam_role.deploy.assume_role_policy`).
 * A provider found this way has no keys: the emulator signs its tokens (a key beside the file, in `.sts-emulator/`),
 * unless a provider file with the same Url, an overlay, gives them.
 */
import { joinPath, type Report } from './fields.js';
import type { IacDocument, IacRead, SkippedResource } from './iac/index.js';
import { isIacCandidateName, isSettablePseudoParameter, readIacText } from './iac/index.js';
import type { SourcePositions } from './json-file.js';
import { keyFileNameOf } from './providers.js';
import type { ConfigProblem } from './types.js';

/** Where the keys of providers read from infrastructure as code are made, beside the file that defines them. */
export const IAC_KEYS_DIR = '.sts-emulator';

/** One role or provider document of a source, with its file and where its values are written. */
export interface IacEntry extends IacDocument {
  readonly file: string;
  readonly positions: SourcePositions;
}

export interface IacSources {
  readonly roles: readonly IacEntry[];
  readonly providers: readonly IacEntry[];
  readonly skipped: readonly SkippedResource[];
  /** Whether any file was infrastructure as code (then providers/ and roles/ may be absent). */
  readonly found: boolean;
}

export interface IacFile {
  readonly name: string;
  readonly text: string;
  readonly linked?: boolean;
  /** Named by --policies itself: it must be infrastructure as code. */
  readonly required?: boolean;
}

export interface IacSourceOptions {
  readonly accountId: string;
  readonly region: string;
  readonly parameters: ReadonlyMap<string, string>;
}

/** Whether a file of the configuration is read as infrastructure as code: named by --policies, or directly in its directory. */
export function isIacFile(f: IacFile): boolean {
  return f.required === true || isIacCandidateName(f.name);
}

/** Reads every infrastructure-as-code file; reports problems (with file and path) and checks the `--parameter` names. */
export function readIacSources(files: readonly IacFile[], options: IacSourceOptions, problems: ConfigProblem[]): IacSources {
  const roles: IacEntry[] = [];
  const providers: IacEntry[] = [];
  const skipped: SkippedResource[] = [];
  const declared = new Set<string>();
  let found = false;
  for (const f of files) {
    const read = readIacText(f.name, f.text, { ...options, required: f.required === true, quote: f.linked !== true });
    if (read.kind === 'none') continue;
    if (read.kind === 'error') {
      problems.push({ file: f.name, path: '', message: read.message });
      continue;
    }
    found = true;
    add(f.name, read);
  }

  function add(file: string, read: IacRead): void {
    for (const p of read.problems) problems.push({ file, ...p });
    for (const s of read.skipped) skipped.push({ file, ...s });
    for (const r of read.roles) roles.push({ ...r, file, positions: read.positions });
    for (const p of read.providers) providers.push({ ...p, file, positions: read.positions });
    for (const name of read.parameters) declared.add(name);
  }

  for (const name of options.parameters.keys()) {
    if (declared.has(name) || isSettablePseudoParameter(name)) continue;
    const message = name.startsWith('AWS::')
      ? `parameter '${name}' is not one a template takes from --parameter (the account and region come from --account-id and --region)`
      : `parameter '${name}' is declared by no template in the configuration${declared.size > 0 ? ` (declared: ${[...declared].join(', ')})` : ''}`;
    problems.push({ file: '.', path: '', message });
  }
  return { roles, providers, skipped, found };
}

/**
 * A report into the source: a path of the IAM-shaped document (`AssumeRolePolicyDocument.Statement[0]`) becomes the
 * path of that value in the file (`Resources.Deploy.Properties.AssumeRolePolicyDocument.Statement[0]`).
 */
export function sourceReport(entry: IacEntry, reportIn: (file: string, path: string, message: string) => void): Report {
  return (path, message) => reportIn(entry.file, sourcePath(entry, path), message);
}

export function sourcePath(entry: IacDocument, path: string): string {
  const key = /^[^.[]*/.exec(path)?.[0] ?? '';
  const mapped = entry.paths[key];
  if (path === '' || mapped === undefined) return joinPath(entry.paths[''] ?? '', path);
  const rest = path.slice(key.length);
  return joinPath(mapped, rest.startsWith('.') ? rest.slice(1) : rest);
}

/** The document of a provider read from infrastructure as code: its fields, and by default an emulated key beside its file. */
export function iacProviderDocument(entry: IacEntry, url: string): Record<string, unknown> {
  return { ...entry.doc, Emulated: true, PrivateKeyFile: `${IAC_KEYS_DIR}/${keyFileNameOf(url)}` };
}

/** `file (resource)`, how messages name where a role or provider of infrastructure as code is defined. */
export function definedIn(entry: IacEntry): string {
  return `${entry.file} (${entry.resource})`;
}

/** One line per skipped role or provider (`sts-emulator: skipped role ...`), for the logs of serve and reload; '' for none. */
export function skippedReport(skipped: readonly SkippedResource[]): string {
  return skipped.map((s) => `sts-emulator: skipped ${describeSkipped(s)}\n`).join('');
}

/** `role DeployRole (Stack.template.json: Resources.DeployRole.Properties...: why)`. */
export function describeSkipped(s: SkippedResource): string {
  return `${s.kind} ${s.resource} (${s.file}: ${s.path}: ${s.message})`;
}
