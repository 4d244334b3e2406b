/**
 * The configuration in force, and how it changes while the emulator runs: edits made through the package API or the
 * admin surface (roles put or removed, providers added) on top of the source, a reset back to the source, and, with
 * `watch`, a reload whenever a file under the policies directory changes. A change that makes the configuration
 * invalid is refused with every problem and the last good configuration stays in force. Each change builds a new
 * runtime; a request keeps the runtime it started with. The server key never changes, so credentials issued before
 * a change stay valid.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ConfigError, skippedReport, type ConfigSource } from '../config/index.js';
import type { IssuerRoutes } from '../server/index.js';
import { issuerRoutesOf, loadRuntime, type Runtime, type RuntimeSettings } from './runtime.js';

export interface LiveOptions extends RuntimeSettings {
  readonly source: ConfigSource;
  /** Where reload reports go (a line each). */
  readonly report: (text: string) => void;
}

/** What is in force: the runtime and the emulated issuers' routes of the same configuration. */
export interface InForce {
  readonly runtime: Runtime;
  readonly issuers: IssuerRoutes;
}

export class LiveConfiguration {
  #inForce: InForce;
  readonly #options: LiveOptions;
  #roleEdits = new Map<string, unknown>();
  #addedProviders: unknown[] = [];
  #watchers: FSWatcher[] = [];
  #debounce: NodeJS.Timeout | undefined;
  #changing: Promise<unknown> = Promise.resolve();

  private constructor(options: LiveOptions, inForce: InForce) {
    this.#options = options;
    this.#inForce = inForce;
  }

  /** Loads the source; throws ConfigError with every problem. */
  static async start(options: LiveOptions): Promise<LiveConfiguration> {
    return new LiveConfiguration(options, await build(options, new Map(), []));
  }

  get inForce(): InForce {
    return this.#inForce;
  }

  /** Puts a role (an IAM role document, `{"Role": ...}` too): it replaces any role of its name. */
  putRole(doc: unknown): Promise<void> {
    const name = roleNameOf(doc);
    if (name === undefined) return Promise.reject(new ConfigError([{ file: 'role', path: 'RoleName', message: 'is required' }]));
    const edits = new Map(this.#roleEdits).set(name.toLowerCase(), doc);
    return this.#change(edits, this.#addedProviders);
  }

  /** Removes a role by name; false when there is none. */
  async removeRole(name: string): Promise<boolean> {
    await this.#changing;
    const exists = this.#inForce.runtime.config.roles.some((r) => r.roleName.toLowerCase() === name.toLowerCase());
    if (!exists) return false;
    await this.#change(new Map(this.#roleEdits).set(name.toLowerCase(), null), this.#addedProviders);
    return true;
  }

  /** Adds a provider (an IAM OIDC provider document, with Jwks, JwksUri, `Emulated` ... as in a file). */
  addProvider(doc: unknown): Promise<void> {
    return this.#change(this.#roleEdits, [...this.#addedProviders, doc]);
  }

  /** Drops every edit and reads the source again. */
  reset(): Promise<void> {
    return this.#change(new Map(), []);
  }

  /** Reads the source again, keeping the edits; reports the outcome and keeps the last good configuration on failure. */
  async reload(): Promise<boolean> {
    try {
      await this.#change(this.#roleEdits, this.#addedProviders);
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
      for (const d of only === undefined ? [root, join(root, 'providers'), join(root, 'roles')] : [root]) {
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

  /** One change at a time: builds the configuration with these edits and puts it in force, or throws ConfigError. */
  #change(edits: Map<string, unknown>, providers: unknown[]): Promise<void> {
    const next = this.#changing.then(async () => {
      this.#inForce = await build(this.#options, edits, providers);
      this.#roleEdits = edits;
      this.#addedProviders = providers;
    });
    this.#changing = next.catch(() => undefined);
    return next;
  }
}

async function build(options: LiveOptions, roleEdits: ReadonlyMap<string, unknown>, addedProviders: readonly unknown[]): Promise<InForce> {
  const source: ConfigSource = { ...options.source, providers: [...(options.source.providers ?? []), ...addedProviders] };
  const runtime = await loadRuntime(source, { ...options, roleEdits });
  return { runtime, issuers: await issuerRoutesOf(runtime) };
}

function roleNameOf(doc: unknown): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(doc)) return undefined;
  const role = isObject(doc['Role']) ? doc['Role'] : doc;
  const name = role['RoleName'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}
