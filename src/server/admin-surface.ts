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
  /** One kept decision with its explain views (the page's trace), or undefined when it is not (or no longer) kept. */
  decision(requestId: string): unknown;
  /** Tells `stream` of every later decision, in bounded batches; returns the function that stops it. */
  watchDecisions(stream: DecisionStream): () => void;
  /** The demo page's view of the configuration in force: roles with their lint findings, providers, presets. */
  page(): Promise<unknown>;
  /** A token from a built-in issuer for the page's form; rejects with an error whose `status` is 400 for a bad spec. */
  mintForPage(spec: unknown): Promise<unknown>;
}

/** A listener of new decisions (the page's live list, over Server-Sent Events). */
export interface DecisionStream {
  /** New decisions (audit records), oldest first; `skipped` counts older ones of the batch left out. */
  decisions(records: readonly unknown[], skipped: number): void;
  /** The kept decisions were cleared (reset). */
  cleared(): void;
  /** The emulator is stopping: no more calls. */
  end(): void;
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
