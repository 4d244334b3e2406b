/**
 * What the Express app (app.ts) and the fast path (fast-path.ts) share, in a module that does not load Express:
 * the fast path answers form POSTs before Express is loaded (serve loads it on the first request that needs it).
 */
import type { StsDeps } from '../sts/deps.js';
import type { SignedOps } from '../sts/signed-ops.js';
import type { AuditSink } from './audit.js';
import type { IssuerRoutes } from './issuer-routes.js';

export const REASON_HEADER = 'x-sts-emulator-reason';

export interface AppOptions {
  readonly deps: StsDeps;
  readonly signed?: SignedOps;
  readonly requestId: () => string;
  readonly audit?: AuditSink;
  readonly issuers?: IssuerRoutes;
  /** Put the emulator's reason for a refusal in the x-sts-emulator-reason header (default true). */
  readonly reasonHeader?: boolean;
}
