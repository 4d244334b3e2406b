/**
 * The configuration in force, and how it changes while the emulator runs: edits made through the package API or the
 * admin surface (roles put or removed, providers added) on top of the source, a reset back to the source, and, with
 * `watch`, a reload whenever a file under the policies directory changes. A change that makes the configuration
 * invalid is refused with every problem and the last good configuration stays in force. Each change builds a new
 * runtime; a request keeps the runtime it started with. The server key never changes, so credentials issued before
 * a change stay valid.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  ConfigError,
  isConfigFileName,
  NamedDocument,
  normalizeProviderUrl,
  skippedReport,
  type ConfigSource,
  type RoleConfig,
} from '../config/index.js';
import type { IamStore } from '../iam/index.js';
import type { OidcProvider } from '../identity/index.js';
import type { IssuerRoutes } from '../server/index.js';
import { applyFileChanges, type FileChange } from './persist.js';
import { issuerRoutesOf, loadRuntime, type Runtime, type RuntimeSettings } from './runtime.js';

export interface LiveOptions extends RuntimeSettings {
  readonly source: ConfigSource;
  /** Where reload reports go (a line each). */
  readonly report: (text: string) => void;
  /**
   * Write what the IAM API creates or changes back to `source.dir` (and delete what it deletes), atomically, as the
   * files a user would write (`--persist`). Edits through putRole/addProvider and the admin surface stay in memory.
   */
  readonly persist?: boolean;
}

/** Everything on top of the source: roles by lower-cased name, providers by Url, providers added through the API. */
interface Edits {
  readonly roles: ReadonlyMap<string, unknown>;
  readonly providers: ReadonlyMap<string, NamedDocument | null>;
  readonly added: readonly unknown[];
}

const NO_EDITS: Edits = { roles: new Map(), providers: new Map(), added: [] };

/** A change: the edits it leads to, and the files it writes or deletes with --persist. */
interface Plan {
  readonly edits: Edits;
  readonly files?: readonly FileChange[];
}

/** What is in force: the runtime and the emulated issuers' routes of the same configuration. */
export interface InForce {
  readonly runtime: Runtime;
  readonly issuers: IssuerRoutes;
}

export class LiveConfiguration {
  #inForce: InForce;
  readonly #options: LiveOptions;
  #edits: Edits = NO_EDITS;
  /** When the configuration was first loaded: the IAM API's CreateDate of entities whose documents carry none. */
  readonly startedAt: Date;
  #watchers: FSWatcher[] = [];
  #debounce: NodeJS.Timeout | undefined;
  #changing: Promise<unknown> = Promise.resolve();

  private constructor(options: LiveOptions, inForce: InForce) {
    this.#options = options;
    this.#inForce = inForce;
    this.startedAt = options.clock();
  }

  /** Loads the source; throws ConfigError with every problem. */
  static async start(options: LiveOptions): Promise<LiveConfiguration> {
    if (options.persist === true && options.source.dir === undefined) {
      throw new ConfigError([{ file: 'options', path: 'persist', message: 'needs a policies directory to write to' }]);
    }
    return new LiveConfiguration(options, await build(options, NO_EDITS));
  }

  get inForce(): InForce {
    return this.#inForce;
  }

  /** Puts a role (an IAM role document, `{"Role": ...}` too): it replaces any role of its name. */
  putRole(doc: unknown): Promise<void> {
    const name = roleNameOf(doc);
    if (name === undefined) return Promise.reject(new ConfigError([{ file: 'role', path: 'RoleName', message: 'is required' }]));
    return this.#change((e) => ({ edits: { ...e, roles: new Map(e.roles).set(name.toLowerCase(), doc) } }));
  }

  /** Removes a role by name; false when there is none. */
  async removeRole(name: string): Promise<boolean> {
    await this.#changing;
    const exists = this.#inForce.runtime.config.roles.some((r) => r.roleName.toLowerCase() === name.toLowerCase());
    if (!exists) return false;
    await this.#change((e) => ({ edits: { ...e, roles: new Map(e.roles).set(name.toLowerCase(), null) } }));
    return true;
  }

  /** Adds a provider (an IAM OIDC provider document, with Jwks, JwksUri, `Emulated` ... as in a file). */
  addProvider(doc: unknown): Promise<void> {
    return this.#change((e) => ({ edits: { ...e, added: [...e.added, doc] } }));
  }

  /** Drops every edit and reads the source again. */
  reset(): Promise<void> {
    return this.#change(() => ({ edits: NO_EDITS }));
  }

  /**
   * The IAM API's store (src/iam/store.ts): documents put under the name of the file they came from (or a new file's
   * name), and, with `persist`, written to that file or deleted from it before the change is in force.
   */
  iamStore(): IamStore {
    return {
      config: () => this.#inForce.runtime.config,
      startedAt: this.startedAt,
      putRole: (doc, current) =>
        this.#change((e) => {
          const name = roleNameOf(doc) ?? '';
          const file = this.#fileFor('roles', name, current?.file);
          return {
            edits: { ...e, roles: new Map(e.roles).set(name.toLowerCase(), new NamedDocument(file, doc)) },
            files: this.#write(file, doc),
          };
        }),
      removeRole: (current: RoleConfig) =>
        this.#change((e) => ({
          edits: { ...e, roles: new Map(e.roles).set(current.roleName.toLowerCase(), null) },
          files: this.#delete(current.file),
        })),
      putProvider: (given, current) =>
        this.#change((e) => {
          const url = providerUrlOf(given);
          const file = this.#fileFor('providers', url.replace(/^https:\/\//, ''), current?.file);
          const doc = current === undefined ? this.#withKeyFile(given, file) : given;
          return { edits: { ...e, providers: new Map(e.providers).set(url, new NamedDocument(file, doc)) }, files: this.#write(file, doc) };
        }),
      removeProvider: (current: OidcProvider) =>
        this.#change((e) => ({
          edits: { ...e, providers: new Map(e.providers).set(current.url, null) },
          files: this.#delete(current.file),
        })),
    };
  }

  #persisting(): boolean {
    return this.#options.persist === true && this.#options.source.dir !== undefined;
  }

  /**
   * The name an IAM edit is loaded (and written) under: the entity's own source name, unless persisting needs a file
   * for one that has none; for a new entity, `<sub>/<name>.json` in the policies directory (suffixed -2, -3 ... when
   * that name is taken by another entity or an existing file), or `<sub>["<name>"]` without a directory.
   */
  #fileFor(sub: 'roles' | 'providers', base: string, current: string | undefined): string {
    if (current !== undefined && (isConfigFileName(current) || !this.#persisting())) return current;
    const dir = this.#options.source.dir;
    if (dir === undefined) return `${sub}[${JSON.stringify(base)}]`;
    const { roles, providers } = this.#inForce.runtime.config;
    const taken = new Set([...roles.map((r) => r.file), ...providers.map((p) => p.file)]);
    const stem = base.replace(/[^A-Za-z0-9+=,.@_-]+/g, '_');
    for (let n = 1; ; n++) {
      const name = `${sub}/${stem}${n === 1 ? '' : `-${n}`}.json`;
      if (!taken.has(name) && !existsSync(join(dir, name))) return name;
    }
  }

  /**
   * A new provider the emulator signs for (`"Emulated": true` without a key file) gets one: beside its file when it
   * is persisted (so the committed setup keeps its key), else with the keys of providers given as objects.
   */
  #withKeyFile(doc: Readonly<Record<string, unknown>>, file: string): Readonly<Record<string, unknown>> {
    if (doc['Emulated'] !== true || doc['PrivateKeyFile'] !== undefined) return doc;
    const keyName = `${file
      .replace(/^providers\//, '')
      .replace(/\.json$/, '')
      .replace(/[^A-Za-z0-9.-]+/g, '_')}.key.pem`;
    const keysDir = this.#options.objectKeysDir;
    if (this.#persisting() || keysDir === undefined) return { ...doc, PrivateKeyFile: keyName };
    return { ...doc, PrivateKeyFile: join(keysDir, keyName) };
  }

  #write(file: string, doc: unknown): FileChange[] {
    return this.#persisting() && isConfigFileName(file) ? [{ file, document: doc }] : [];
  }

  #delete(file: string): FileChange[] {
    return this.#persisting() && isConfigFileName(file) ? [{ file, document: null }] : [];
  }

  /** Reads the source again, keeping the edits; reports the outcome and keeps the last good configuration on failure. */
  async reload(): Promise<boolean> {
    try {
      await this.#change((edits) => ({ edits }));
      const { config } = this.#inForce.runtime;
      this.#options.report(`sts-emulator: configuration reloaded (${config.roles.length} roles, ${config.providers.length} providers)\n`);
      if (config.skipped.length > 0) this.#options.report(skippedReport(config.skipped));
      return true;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const lines = e.problems.map((p) => `  ${[p.file, p.path].filter((x) => x !== '' && x !== '.').join(': ')}: ${p.message}`);
      this.#options.report(`sts-emulator: configuration not reloaded; the last good one stays in force:\n${lines.join('\n')}\n`);
      return false;
    }
  }

  /**
   * Reloads when a file in the policies directory, providers/ or roles/ changes, or the template or plan that --policies
   * names (debounced; editors that write by rename are seen through the directory). Returns a function that stops
   * watching.
   */
  watch(debounceMs = 150): () => void {
    const dir = this.#options.source.dir;
    if (dir === undefined) return () => undefined;
    const { root } = this.#inForce.runtime.config;
    // --policies names one file: its directory is watched, for changes to that file only.
    const only = resolve(dir) === root ? undefined : basename(dir);
    const arm = (): void => {
      for (const w of this.#watchers) w.close();
      this.#watchers = [];
      const dirs = [
        root,
        join(root, 'providers'),
        join(root, 'roles'),
        join(root, 'gcp'),
        join(root, 'gcp', 'pools'),
        join(root, 'gcp', 'service-accounts'),
        join(root, 'infisical'),
        join(root, 'infisical', 'identities'),
        join(root, 'infisical', 'secrets'),
        join(root, 'vault'),
        ...(this.#inForce.runtime.config.vault?.mounts ?? []).flatMap((m) => [
          join(root, 'vault', m.path),
          join(root, 'vault', m.path, 'roles'),
        ]),
      ];
      for (const d of only === undefined ? dirs : [root]) {
        try {
          const w = watch(d, (_event, name) => {
            if (only === undefined || name === null || String(name) === only) this.#schedule(debounceMs, arm);
          });
          w.on('error', () => this.#schedule(debounceMs, arm));
          this.#watchers.push(w);
        } catch {
          // A subdirectory that is missing now: its absence is reported by the reload, and it is watched once it exists.
        }
      }
    };
    arm();
    return () => {
      clearTimeout(this.#debounce);
      for (const w of this.#watchers) w.close();
      this.#watchers = [];
    };
  }

  #schedule(debounceMs: number, rearm: () => void): void {
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => {
      void this.reload().finally(rearm);
    }, debounceMs);
    this.#debounce.unref();
  }

  /**
   * One change at a time: builds the configuration with the edits `plan` makes and puts it in force, or throws
   * ConfigError. `files` are written or deleted (with --persist) once the configuration has been built, before it is
   * in force: a change the loader refuses never reaches the disk.
   */
  #change(plan: (current: Edits) => Plan): Promise<void> {
    const next = this.#changing.then(async () => {
      const { edits, files = [] } = plan(this.#edits);
      const inForce = await build(this.#options, edits);
      const dir = this.#options.source.dir;
      if (files.length > 0 && dir !== undefined) await applyFileChanges(dir, files);
      this.#inForce = inForce;
      this.#edits = edits;
    });
    this.#changing = next.catch(() => undefined);
    return next;
  }
}

async function build(options: LiveOptions, edits: Edits): Promise<InForce> {
  const source: ConfigSource = { ...options.source, providers: [...(options.source.providers ?? []), ...edits.added] };
  const runtime = await loadRuntime(source, { ...options, roleEdits: edits.roles, providerEdits: edits.providers });
  return { runtime, issuers: await issuerRoutesOf(runtime) };
}

/** The normalised Url of a provider document the IAM API built (it checked the Url first). */
function providerUrlOf(doc: Readonly<Record<string, unknown>>): string {
  const url = doc['Url'];
  const normalized = typeof url === 'string' ? normalizeProviderUrl(url) : undefined;
  if (normalized === undefined || 'error' in normalized)
    throw new ConfigError([{ file: 'provider', path: 'Url', message: 'is not a valid Url' }]);
  return normalized.url;
}

function roleNameOf(doc: unknown): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(doc)) return undefined;
  const role = isObject(doc['Role']) ? doc['Role'] : doc;
  const name = role['RoleName'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}
