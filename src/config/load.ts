/**
 * Loads the configuration: a directory's providers/*.json and roles/*.json, and the CloudFormation templates and
 * Terraform JSON directly in it (or the one such file --policies names), told apart by their content; other files are
 * ignored. Validates everything and reports every problem at once, each with its file (relative to the directory) and
 * dotted JSON path; any problem means no configuration (ConfigError). Roles and providers of templates and plans with
 * a value only a deployment can know are skipped and listed (LoadedConfig.skipped), never guessed.
 *
 * buildConfig is the pure, synchronous part (file texts in, config or problems out);
 * loadConfig only reads the files for it.
 */
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { OidcProvider } from '../identity/types.js';
import { at, field, isObject, type Report } from './fields.js';
import { isIacCandidateName, MAX_IAC_FILE_BYTES } from './iac/index.js';
import {
  definedIn,
  iacProviderDocument,
  isIacFile,
  readIacSources,
  sourcePath,
  sourceReport,
  type IacEntry,
  type IacFile,
} from './iac-sources.js';
import { MAX_FILE_BYTES, parseJsonDocument, parseJsonText, type SourcePositions } from './json-file.js';
import { jwksFileReference, normalizeProviderUrl, validateProvider, type ReferencedFile } from './providers.js';
import { buildGcp, GCP_POOL_DIR, GCP_SERVICE_ACCOUNT_DIR } from './gcp.js';
import { buildInfisical, INFISICAL_IDENTITY_DIR, INFISICAL_SECRETS_DIR } from './infisical.js';
import { buildVault, VAULT_DIR, VAULT_FILE } from './vault.js';
import { validateRole } from './roles.js';
import { ConfigError, type ConfigProblem, type LoadedConfig, type RoleConfig } from './types.js';

export type { ReferencedFile } from './providers.js';

/** One configuration file: its name relative to the directory ('roles/deploy.json') and its text. */
export interface ConfigFile {
  readonly name: string;
  readonly text: string;
  /** Read through a symbolic link: a syntax error is described without quoting the file (it may be anyone's). */
  readonly linked?: boolean;
  /**
   * A document given as an object (the package API, the admin surface) rather than a file: its kind, since no folder
   * says it, and its name is a JSON path such as `roles[0]`.
   */
  readonly kind?: DocumentKind;
  /** The file --policies names (rather than a directory): it must be a CloudFormation template or Terraform JSON. */
  readonly required?: boolean;
}

export type DocumentKind = 'provider' | 'role';

export interface BuildOptions {
  /** The 12-digit account the emulator runs as (`--account-id`). */
  readonly accountId: string;
  /** Absolute configuration directory: JwksFile and PrivateKeyFile resolve against it. */
  readonly dir: string;
  /** Files named by JwksFile, by absolute path; an absent path means "not found". */
  readonly referencedFiles?: ReadonlyMap<string, ReferencedFile>;
  /** Longest trust policy accepted, in non-white-space characters (default 8192). */
  readonly trustPolicyMaxChars?: number;
  /** Where the signing keys of emulated providers given as objects are kept (they have no file to sit beside). */
  readonly objectKeysDir?: string;
  /** `AWS::Region` of templates (default us-east-1). */
  readonly region?: string;
  /** Template parameters (`--parameter Key=Value`), over their defaults. */
  readonly parameters?: ReadonlyMap<string, string>;
  /** Problems of a directory without providers/ or roles/: they stand unless it holds infrastructure as code. */
  readonly missing?: readonly ConfigProblem[];
  /** Names (lower-cased) of roles put or removed since: roles of templates and plans with these names are left out. */
  readonly replacedRoles?: ReadonlySet<string>;
}

export type BuildResult =
  { readonly ok: true; readonly config: LoadedConfig } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export interface LoadOptions {
  readonly accountId: string;
  /** `AWS::Region` of templates (default us-east-1). */
  readonly region?: string;
  readonly trustPolicyMaxChars?: number;
}

/** The region templates see as `AWS::Region` when none is given (the emulator's default). */
const DEFAULT_REGION = 'us-east-1';

const SUBDIRS = ['providers', 'roles'] as const;
const CONFIG_FILE = /^(providers|roles|gcp\/pools|gcp\/service-accounts|infisical\/identities|infisical\/secrets)\/([^/]+)$/;
/** Google Cloud's and Infisical's folders: optional, read when present. */
const GCP_SUBDIRS = [GCP_POOL_DIR, GCP_SERVICE_ACCOUNT_DIR, INFISICAL_IDENTITY_DIR, INFISICAL_SECRETS_DIR] as const;

/** True for the files the loader reads: `*.json` directly in providers/, roles/, gcp/pools/, gcp/service-accounts/, infisical/identities/ or infisical/secrets/, not hidden. */
export function isConfigFileName(name: string): boolean {
  const v = VAULT_FILE.exec(name);
  if (v !== null) return v[2] === undefined || !v[2].startsWith('.');
  const m = CONFIG_FILE.exec(name);
  return m !== null && m[2] !== undefined && m[2].endsWith('.json') && !m[2].startsWith('.');
}

type ReportIn = (file: string, path: string, message: string) => void;

function kindOf(f: ConfigFile): DocumentKind | undefined {
  if (f.kind !== undefined) return f.kind;
  return f.name.startsWith('providers/') ? 'provider' : f.name.startsWith('roles/') ? 'role' : undefined;
}

/** Validates file texts into a configuration; never throws, never reads the disk. */
export function buildConfig(files: readonly ConfigFile[], options: BuildOptions): BuildResult {
  const problems: ConfigProblem[] = [];
  const reportIn: ReportIn = (file, path, message) => {
    problems.push({ file, path, message });
  };
  if (!/^\d{12}$/.test(options.accountId)) {
    reportIn('.', '', `the account ID must be 12 digits (--account-id), got '${options.accountId}'`);
  }
  // Files in name order, then documents given as objects in their own order.
  const byName = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sorted = [...byName.filter((f) => f.kind === undefined && isConfigFileName(f.name)), ...files.filter((f) => f.kind !== undefined)];
  const iac = readIacSources(
    byName.filter((f): f is ConfigFile & IacFile => f.kind === undefined && isIacFile(f)),
    { accountId: options.accountId, region: options.region ?? DEFAULT_REGION, parameters: options.parameters ?? new Map() },
    problems,
  );
  if (!iac.found) problems.push(...(options.missing ?? []));
  const replaced = options.replacedRoles ?? new Set<string>();
  const providers = buildProviders(
    sorted.filter((f) => kindOf(f) === 'provider'),
    iac.providers,
    options,
    reportIn,
  );
  const roles = buildRoles(
    sorted.filter((f) => kindOf(f) === 'role'),
    iac.roles.filter((r) => typeof r.doc['RoleName'] !== 'string' || !replaced.has(r.doc['RoleName'].toLowerCase())),
    options,
    reportIn,
  );
  // Google Cloud's files, when there are any (a configuration without them has no gcp part).
  const gcpFiles = sorted.filter((f) => f.kind === undefined && f.name.startsWith('gcp/'));
  const gcp = gcpFiles.length === 0 ? undefined : buildGcp(gcpFiles, providers, reportIn);
  // Infisical's files (issue 20), likewise.
  const infisicalFiles = sorted.filter((f) => f.kind === undefined && f.name.startsWith('infisical/'));
  const infisical = infisicalFiles.length === 0 ? undefined : buildInfisical(infisicalFiles, providers, reportIn);
  // Vault's JWT auth mounts, when there are any (issue 20).
  const vaultFiles = sorted.filter((f) => f.kind === undefined && f.name.startsWith(`${VAULT_DIR}/`));
  const vault = vaultFiles.length === 0 ? undefined : buildVault(vaultFiles, providers, reportIn);
  if (problems.length > 0) return { ok: false, problems };
  const config = { accountId: options.accountId, providers, roles, skipped: iac.skipped, root: options.dir };
  return {
    ok: true,
    config: {
      ...config,
      ...(gcp === undefined ? {} : { gcp }),
      ...(infisical === undefined ? {} : { infisical }),
      ...(vault === undefined ? {} : { vault }),
    },
  };
}

/**
 * Every provider: those of infrastructure as code, then every provider file. A file with the Url of a provider of
 * infrastructure as code is its overlay: it gives the keys. Also reports a Url registered twice.
 */
function buildProviders(
  files: readonly ConfigFile[],
  iacProviders: readonly IacEntry[],
  options: BuildOptions,
  reportIn: ReportIn,
): OidcProvider[] {
  const urls = new Map<string, string>();
  const context = (file: string, report: Report) => ({
    accountId: options.accountId,
    dir: options.dir,
    file,
    referencedFiles: options.referencedFiles ?? new Map<string, ReferencedFile>(),
    report,
    reportIn,
  });

  // Providers of templates and plans, emulated unless an overlay gives their keys.
  const fromIac = new Map<string, { provider: OidcProvider; entry: IacEntry; overlay?: string }>();
  for (const entry of iacProviders) {
    const report = sourceReport(entry, reportIn);
    const url = entry.doc['Url'];
    const normalized = typeof url === 'string' ? normalizeProviderUrl(url) : undefined;
    if (normalized && 'url' in normalized) {
      const first = urls.get(normalized.url);
      if (first !== undefined) {
        report('Url', `${normalized.url} is already registered by ${first}`);
        continue;
      }
      urls.set(normalized.url, definedIn(entry));
    }
    const doc = normalized && 'url' in normalized ? iacProviderDocument(entry, normalized.url) : entry.doc;
    const provider = validateProvider(doc, context(entry.file, report));
    if (provider) fromIac.set(provider.url, { provider, entry });
  }

  const parsed = files.map((file) => ({ file, json: parseJsonText(file.text, { quote: file.linked !== true }) }));
  // A JWK Set that a provider names with JwksFile may sit beside it in providers/: it is not a provider.
  const jwksFiles = new Set<string>();
  for (const { file, json } of parsed) {
    const ref = json.ok ? jwksFileReference(options.dir, file.name, json.value) : undefined;
    if (ref !== undefined) jwksFiles.add(ref);
  }
  const providers: OidcProvider[] = [];
  for (const { file, json } of parsed) {
    if (jwksFiles.has(nodePath.resolve(options.dir, file.name))) continue;
    const report: Report = (path, message) => reportIn(file.name, path, message);
    if (!json.ok) {
      report('', json.message);
      continue;
    }
    const doc = json.value;
    if (isObject(doc) && field(doc, 'keys') !== undefined && field(doc, 'Url') === undefined) {
      report('', 'this is a JWK Set, not a provider: name it with JwksFile in a provider file, or move it out of providers/');
      continue;
    }
    const url = isObject(doc) ? field(doc, 'Url') : undefined;
    const normalized = typeof url === 'string' ? normalizeProviderUrl(url) : undefined;
    const base = fromIac.get(normalized && 'url' in normalized ? normalized.url : '');
    if (base !== undefined && isObject(doc)) {
      if (base.overlay !== undefined) report('Url', `${base.provider.url} already has an overlay: ${base.overlay}`);
      else overlay(base, file.name, doc, context(file.name, report), report);
      continue;
    }
    if (normalized && 'url' in normalized) {
      const first = urls.get(normalized.url);
      if (first !== undefined) report('Url', `${normalized.url} is already registered by ${first}`);
      else urls.set(normalized.url, file.name);
    }
    const provider = validateProvider(doc, {
      ...context(file.name, report),
      ...(file.kind !== undefined && options.objectKeysDir !== undefined ? { defaultKeyDir: options.objectKeysDir } : {}),
    });
    if (provider) providers.push(provider);
  }
  return [...providers, ...[...fromIac.values()].map((p) => p.provider)];
}

/**
 * A provider file over a provider of infrastructure as code (matched by Url): its keys (Jwks, JwksFile, JwksUri,
 * Emulated, or none for discovery) replace the emulated default. The client ids and thumbprints are the template's or
 * plan's; an overlay that repeats them must agree.
 */
function overlay(
  base: { provider: OidcProvider; entry: IacEntry; overlay?: string },
  file: string,
  doc: Record<string, unknown>,
  ctx: Parameters<typeof validateProvider>[1],
  report: Report,
): void {
  const lists = [
    ['ClientIDList', base.provider.clientIdList],
    ['ThumbprintList', base.provider.thumbprintList],
  ] as const;
  let agrees = true;
  for (const [name, theirs] of lists) {
    const mine = field(doc, name);
    if (mine === undefined) continue;
    const same = Array.isArray(mine) && mine.length === theirs.length && mine.every((v) => theirs.includes(v as string));
    if (!same) {
      agrees = false;
      const where = `${definedIn(base.entry)} ${sourcePath(base.entry, name)}`;
      report(name, `differs from ${where} (${JSON.stringify(theirs)}); an overlay gives only the keys: leave ${name} out`);
    }
  }
  const merged = { ...doc, ClientIDList: [...base.provider.clientIdList], ThumbprintList: [...base.provider.thumbprintList] };
  const keys = validateProvider(merged, ctx);
  base.overlay = file;
  if (keys && agrees) base.provider = { ...base.provider, keys: keys.keys };
}

/** One role document to validate: a roles/ file, a document given as an object, or a role of infrastructure as code. */
interface RoleInput {
  readonly file: string;
  /** How messages name where the role is defined. */
  readonly shown: string;
  readonly value: unknown;
  readonly positions: SourcePositions;
  readonly report: Report;
  /** For a role of infrastructure as code: where its trust policy is written in the template or plan. */
  readonly trustPolicyPath?: string;
}

/** Every role; also reports a RoleName (ignoring case) or a given RoleId used twice. */
function buildRoles(files: readonly ConfigFile[], iacRoles: readonly IacEntry[], options: BuildOptions, reportIn: ReportIn): RoleConfig[] {
  const inputs: (RoleInput | (() => void))[] = [];
  for (const file of files) {
    const report: Report = (path, message) => reportIn(file.name, path, message);
    const json = parseJsonDocument(file.text, { quote: file.linked !== true });
    // A file that is not JSON is reported in its turn, so problems stay in file order.
    if (!json.ok) inputs.push(() => report('', json.message));
    else inputs.push({ file: file.name, shown: file.name, value: json.value, positions: json.positions, report });
  }
  for (const entry of iacRoles) {
    inputs.push({
      file: entry.file,
      shown: definedIn(entry),
      value: entry.doc,
      positions: entry.positions,
      report: sourceReport(entry, reportIn),
      trustPolicyPath: sourcePath(entry, 'AssumeRolePolicyDocument'),
    });
  }
  const roles: RoleConfig[] = [];
  const names = new Map<string, string>();
  const roleIds = new Map<string, string>();
  for (const input of inputs) {
    if (typeof input === 'function') {
      input();
      continue;
    }
    const { report } = input;
    const { name, base } = roleNameOf(input.value);
    if (name !== undefined) {
      const first = names.get(name.toLowerCase());
      if (first !== undefined) {
        report(at(base, 'RoleName'), `role '${name}' is already defined in ${first} (IAM role names are unique ignoring case)`);
      } else names.set(name.toLowerCase(), input.shown);
    }
    const validated = validateRole(input.value, {
      accountId: options.accountId,
      file: input.file,
      positions: input.positions,
      report,
      ...(options.trustPolicyMaxChars === undefined ? {} : { trustPolicyMaxChars: options.trustPolicyMaxChars }),
    });
    if (!validated) continue;
    const role = input.trustPolicyPath === undefined ? validated : { ...validated, trustPolicyPath: input.trustPolicyPath };
    const sameId = roleIds.get(role.roleId);
    if (sameId !== undefined) report(at(base, 'RoleId'), `${role.roleId} is already the RoleId of ${sameId}`);
    else roleIds.set(role.roleId, input.shown);
    roles.push(role);
  }
  return roles;
}

function roleNameOfText(text: string): string | undefined {
  const parsed = parseJsonText(text);
  return parsed.ok ? roleNameOf(parsed.value).name : undefined;
}

function roleNameOf(doc: unknown): { name: string | undefined; base: string } {
  if (!isObject(doc)) return { name: undefined, base: '' };
  const wrapped = field(doc, 'Role');
  const role = isObject(wrapped) ? wrapped : doc;
  const name = field(role, 'RoleName');
  return { name: typeof name === 'string' && name !== '' ? name : undefined, base: wrapped === undefined ? '' : 'Role' };
}

/** Where a configuration's providers are, for messages: `<policies>/providers`, or the template or plan --policies names. */
export function providersWhere(config: LoadedConfig, policies: string): string {
  return nodePath.resolve(policies) === config.root ? `${policies}/providers` : policies;
}

/**
 * Reads and validates the configuration directory `dir` (providers/ and roles/ inside it).
 * @throws ConfigError listing every problem, including a missing directory.
 */
export async function loadConfig(dir: string, options: LoadOptions): Promise<LoadedConfig> {
  return loadConfigFrom({ dir }, options);
}

/** Where a configuration comes from: a policies directory (or one template or plan), documents given as objects, or both. */
export interface ConfigSource {
  /**
   * A directory holding providers/ and roles/, CloudFormation templates or Terraform JSON (or both); or one template,
   * `terraform show -json` plan or state.
   */
  readonly dir?: string;
  /** Provider and role documents in the shapes of the files (named `providers[0]`, `roles[0]` in problems), after the files. */
  readonly providers?: readonly unknown[];
  readonly roles?: readonly unknown[];
  /** Template parameters (and AWS::StackName, AWS::StackId), over their defaults: `--parameter Key=Value`. */
  readonly parameters?: Readonly<Record<string, string>>;
}

/**
 * A document edit loaded under a name of its own rather than `roles["name"]`: the file it came from (an IAM API edit
 * of `roles/deploy.json` is validated, and reported, as that file, and its relative paths resolve beside it) or the
 * file `--persist` writes it to. A name such as `providers/x.json` is loaded as that file would be.
 */
export class NamedDocument {
  constructor(
    readonly name: string,
    readonly document: unknown,
  ) {}
}

export interface SourceOptions extends LoadOptions {
  /**
   * Roles put or removed after the source was written (the package API, the admin surface, the IAM API), by
   * lower-cased RoleName: a document (or a NamedDocument) replaces any role of that name in the source, null removes it.
   */
  readonly roleEdits?: ReadonlyMap<string, unknown>;
  /**
   * Providers put or removed after the source was written (the IAM API), by their normalised Url: a NamedDocument
   * replaces any provider of that Url in the source, null removes it.
   */
  readonly providerEdits?: ReadonlyMap<string, NamedDocument | null>;
  /** Where relative paths in documents given as objects resolve when there is no directory (default: the process's). */
  readonly baseDir?: string;
  /** Where the keys of emulated providers given as objects are kept. */
  readonly objectKeysDir?: string;
}

/**
 * Reads and validates a configuration source: the directory's files (the only reads of policies/), then the documents
 * given as objects, validated by the same rules and reported with their JSON path instead of a file name.
 * @throws ConfigError listing every problem.
 */
export async function loadConfigFrom(source: ConfigSource, options: SourceOptions): Promise<LoadedConfig> {
  const target = nodePath.resolve(source.dir ?? options.baseDir ?? '.');
  const problems: ConfigProblem[] = [];
  const missing: ConfigProblem[] = [];
  let root = target;
  let files: ConfigFile[] = [];
  if (source.dir !== undefined) {
    const read = await readSource(target, problems, missing);
    root = read.root;
    files = read.files;
  }
  files.push(
    ...objectDocuments('provider', 'providers', source.providers, problems),
    ...objectDocuments('role', 'roles', source.roles, problems),
  );
  const edits = options.roleEdits;
  if (edits !== undefined && edits.size > 0) {
    files = files.filter((f) => kindOf(f) !== 'role' || !edits.has(roleNameOfText(f.text)?.toLowerCase() ?? ''));
    for (const [name, doc] of edits) {
      if (doc instanceof NamedDocument) files.push(...namedDocument('role', doc, problems));
      else if (doc !== null) files.push(...documentOf('role', `roles[${JSON.stringify(name)}]`, doc, problems));
    }
  }
  const providerEdits = options.providerEdits;
  if (providerEdits !== undefined && providerEdits.size > 0) {
    files = files.filter((f) => kindOf(f) !== 'provider' || !providerEdits.has(providerUrlOfText(f.text) ?? ''));
    for (const doc of providerEdits.values()) if (doc !== null) files.push(...namedDocument('provider', doc, problems));
  }

  const referencedFiles = new Map<string, ReferencedFile>();
  for (const file of files) {
    if (kindOf(file) !== 'provider') continue;
    const parsed = parseJsonText(file.text);
    const ref = parsed.ok ? jwksFileReference(root, file.name, parsed.value) : undefined;
    if (ref === undefined || referencedFiles.has(ref)) continue;
    const result = await readLimited(ref);
    if (result === 'skip') referencedFiles.set(ref, { error: 'not a regular file' });
    else if ('text' in result) referencedFiles.set(ref, { text: result.text });
    else if (!result.notFound) referencedFiles.set(ref, { error: result.error });
  }

  const built = buildConfig(files, {
    accountId: options.accountId,
    dir: root,
    referencedFiles,
    missing,
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(source.parameters === undefined ? {} : { parameters: new Map(Object.entries(source.parameters)) }),
    ...(edits === undefined ? {} : { replacedRoles: new Set(edits.keys()) }),
    ...(options.trustPolicyMaxChars === undefined ? {} : { trustPolicyMaxChars: options.trustPolicyMaxChars }),
    ...(options.objectKeysDir === undefined ? {} : { objectKeysDir: options.objectKeysDir }),
  });
  if (!built.ok) problems.push(...built.problems);
  if (problems.length > 0 || !built.ok) throw new ConfigError(problems);
  return built.config;
}

/** The files of a source: a directory's, or the one file named (a template or plan), with the directory names are relative to. */
async function readSource(
  target: string,
  problems: ConfigProblem[],
  missing: ConfigProblem[],
): Promise<{ root: string; files: ConfigFile[] }> {
  const targetStat = await stat(target).catch((err: NodeJS.ErrnoException) => err);
  if (targetStat instanceof Error || (!targetStat.isDirectory() && !targetStat.isFile())) {
    const why = targetStat instanceof Error ? describeFsError(targetStat) : 'not a directory nor a file';
    throw new ConfigError([{ file: '.', path: '', message: `configuration directory ${target}: ${why}` }]);
  }
  if (targetStat.isDirectory()) return { root: target, files: await readConfigDir(target, problems, missing) };
  const name = nodePath.basename(target);
  const result = await readLimited(target, MAX_IAC_FILE_BYTES);
  if (result === 'skip' || 'error' in result) {
    const why = result === 'skip' ? 'not a regular file' : result.error;
    throw new ConfigError([{ file: name, path: '', message: why }]);
  }
  return {
    root: nodePath.dirname(target),
    files: [{ name, text: result.text, required: true, ...(result.linked ? { linked: true } : {}) }],
  };
}

/**
 * The providers/*.json and roles/*.json files of a directory, and the files directly in it that may be templates or
 * plans. A missing subdirectory is a problem unless the directory holds infrastructure as code (buildConfig decides).
 */
async function readConfigDir(root: string, problems: ConfigProblem[], missing: ConfigProblem[]): Promise<ConfigFile[]> {
  const files: ConfigFile[] = [];
  for (const entry of (await readdir(root)).sort()) {
    if (!isIacCandidateName(entry)) continue;
    const result = await readLimited(nodePath.join(root, entry), MAX_IAC_FILE_BYTES);
    if (result === 'skip') continue;
    if ('error' in result) problems.push({ file: entry, path: '', message: result.error });
    else files.push({ name: entry, text: result.text, ...(result.linked ? { linked: true } : {}) });
  }
  for (const sub of [...SUBDIRS, ...GCP_SUBDIRS]) {
    const subdir = nodePath.join(root, sub);
    let entries: string[];
    try {
      entries = (await readdir(subdir)).sort();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if ((sub.startsWith('gcp/') || sub.startsWith('infisical/')) && e.code === 'ENOENT') continue;
      const why = e.code === 'ENOENT' ? 'directory not found' : describeFsError(e);
      (e.code === 'ENOENT' ? missing : problems).push({
        file: sub,
        path: '',
        message: `${why}: ${subdir} must exist and hold the ${sub}/*.json files`,
      });
      continue;
    }
    for (const entry of entries) {
      const name = `${sub}/${entry}`;
      if (!isConfigFileName(name)) continue;
      const result = await readLimited(nodePath.join(subdir, entry));
      if (result === 'skip') continue;
      if ('error' in result) problems.push({ file: name, path: '', message: result.error });
      else files.push({ name, text: result.text, ...(result.linked ? { linked: true } : {}) });
    }
  }
  files.push(...(await readVaultDir(root, problems)));
  return files;
}

/** vault/<mount>/config.json and vault/<mount>/roles/*.json, when vault/ exists (optional, like gcp/). */
async function readVaultDir(root: string, problems: ConfigProblem[]): Promise<ConfigFile[]> {
  const files: ConfigFile[] = [];
  const list = async (dir: string): Promise<string[]> => {
    try {
      return (await readdir(nodePath.join(root, dir))).sort();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT' && e.code !== 'ENOTDIR') problems.push({ file: dir, path: '', message: describeFsError(e) });
      return [];
    }
  };
  const read = async (name: string): Promise<void> => {
    if (!isConfigFileName(name)) return;
    const result = await readLimited(nodePath.join(root, name));
    if (result === 'skip') return;
    if ('error' in result) problems.push({ file: name, path: '', message: result.error });
    else files.push({ name, text: result.text, ...(result.linked ? { linked: true } : {}) });
  };
  for (const mount of await list(VAULT_DIR)) {
    if (mount.startsWith('.')) continue;
    await read(`${VAULT_DIR}/${mount}/config.json`);
    for (const entry of await list(`${VAULT_DIR}/${mount}/roles`)) await read(`${VAULT_DIR}/${mount}/roles/${entry}`);
  }
  return files;
}

/** The normalised Url of a provider file's text, if it has one. */
function providerUrlOfText(text: string): string | undefined {
  const parsed = parseJsonText(text);
  const url = parsed.ok && isObject(parsed.value) ? field(parsed.value, 'Url') : undefined;
  const normalized = typeof url === 'string' ? normalizeProviderUrl(url) : undefined;
  return normalized !== undefined && 'url' in normalized ? normalized.url : undefined;
}

/** An edit under its own name: a file's name (`roles/x.json`) is loaded as that file, any other as a document given as an object. */
function namedDocument(kind: DocumentKind, doc: NamedDocument, problems: ConfigProblem[]): ConfigFile[] {
  return documentOf(kind, doc.name, doc.document, problems).map((f) => {
    if (!isConfigFileName(f.name)) return f;
    return { name: f.name, text: f.text };
  });
}

/** Documents given as objects, as the text the loader validates. */
function objectDocuments(kind: DocumentKind, label: string, docs: readonly unknown[] | undefined, problems: ConfigProblem[]): ConfigFile[] {
  return (docs ?? []).flatMap((doc, i) => documentOf(kind, `${label}[${i}]`, doc, problems));
}

/** One document given as an object; one that is not JSON data is a problem. */
function documentOf(kind: DocumentKind, name: string, doc: unknown, problems: ConfigProblem[]): ConfigFile[] {
  let text: string | undefined;
  try {
    text = JSON.stringify(doc);
  } catch (e) {
    problems.push({ file: name, path: '', message: `must be JSON data: ${(e as Error).message}` });
    return [];
  }
  if (text === undefined) {
    problems.push({ file: name, path: '', message: 'must be a JSON object' });
    return [];
  }
  return [{ name, text, kind }];
}

type ReadResult = { text: string; linked: boolean } | { error: string; notFound: boolean } | 'skip';

/** Reads a regular file of at most `limit` bytes (following a symbolic link); 'skip' for directories and other non-files. */
async function readLimited(path: string, limit = MAX_FILE_BYTES): Promise<ReadResult> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return 'skip';
    if (s.size > limit) {
      return { error: `file is too large (${s.size} bytes; the limit is ${limit})`, notFound: false };
    }
    const linked = (await lstat(path)).isSymbolicLink();
    return { text: await readFile(path, 'utf8'), linked };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: describeFsError(e), notFound: e.code === 'ENOENT' };
  }
}

function describeFsError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'not a directory';
    default:
      return err.code ?? err.message;
  }
}
