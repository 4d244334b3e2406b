/** What the admin surface under /_emulator/ does (admin-routes.ts serves it); the emulator (src/api) provides it. No Express here. */

/** Paths under this prefix are the emulator's, whatever the method: never the AWS query protocol. */
export const EMULATOR_PREFIX = '/_emulator/';

export interface AdminSurface {
  /** When set, every admin request but health must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
  health(): Record<string, unknown>;
  /** Providers and roles as loaded. */
  config(): unknown;
  /** Rejects with an error carrying `problems` when the role is invalid. */
  putRole(name: string, doc: unknown): Promise<unknown>;
  removeRole(name: string): Promise<boolean>;
  reset(): Promise<void>;
  /** The recent decisions, newest last. */
  decisions(): readonly unknown[];
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
