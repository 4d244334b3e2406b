/** One AWS query-protocol request as the server read it, and the operations that answer one. */
import type { QueryParams } from '../protocol/query.js';
import type { StsOutcome } from './outcome.js';

/** One AWS query-protocol request, as the server read it. */
export interface QueryRequest {
  readonly params: QueryParams;
  readonly method: string;
  /** The path as it arrived, still percent-encoded, without the query (what SigV4 signs). */
  readonly path: string;
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly sourceIp: string | undefined;
}

export type Operation = (req: QueryRequest) => Promise<StsOutcome>;

/** The operations by Action name. */
export type Operations = Readonly<Record<string, Operation>>;
