/**
 * What the IAM API reads and changes: the configuration in force and the edits on top of it. The package API's live
 * configuration (src/api/live.ts) provides it; the IAM operations never keep entities of their own.
 */
import type { LoadedConfig, RoleConfig } from '../config/index.js';
import type { OidcProvider } from '../identity/index.js';

export interface IamStore {
  /** The configuration in force now. */
  config(): LoadedConfig;
  /** The CreateDate of an entity whose document carries none (one loaded from a hand-written file): when the emulator started. */
  readonly startedAt: Date;
  /**
   * Puts a role document in force: it replaces `current` (and keeps its source's name), or is a new role. Resolves once
   * the next request sees it (and, with --persist, once its file is written); rejects with ConfigError when invalid.
   */
  putRole(document: Readonly<Record<string, unknown>>, current: RoleConfig | undefined): Promise<void>;
  /** Removes a role (and, with --persist, its file). */
  removeRole(current: RoleConfig): Promise<void>;
  /** As putRole, for a provider document; a new provider's document without key fields gets an emulated signing key. */
  putProvider(document: Readonly<Record<string, unknown>>, current: OidcProvider | undefined): Promise<void>;
  /** Removes a provider (and, with --persist, its file; its key file stays). */
  removeProvider(current: OidcProvider): Promise<void>;
}
