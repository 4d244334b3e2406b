/**
 * What a JSON service is to the server (Google's STS and IAM Credentials, Infisical, Vault): paths it owns, and an
 * answer for each request. The server's one JSON road (src/server/json-road.ts) reads the body, calls the service and
 * writes what it answers; each service speaks its own error shapes.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface JsonRequest {
  readonly method: string;
  /** The path without the query string, as sent (not decoded). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The body as UTF-8 text ('' for GET and HEAD, whose bodies are not read). */
  readonly body: string;
  readonly remoteAddress?: string;
}

/** One decision as the audit log, the request log and the recent decisions show it (the AWS record's fields). */
export interface AuditFields {
  readonly action: string;
  readonly role: string | null;
  readonly sessionName: string | null;
  readonly subject: string | null;
  readonly issuer: string | null;
  readonly decision: 'allow' | 'deny' | 'error';
  readonly errorCode: string | null;
  readonly message: string | null;
  readonly reason: string | null;
  readonly trace: unknown;
  /** For a refusal: what to change, one sentence each; empty otherwise. */
  readonly nearMisses: readonly string[];
}

export interface JsonAnswer {
  readonly status: number;
  /** Sent as JSON; undefined sends no body. */
  readonly body?: unknown;
  /** Headers besides Content-Type (application/json unless given here) and Content-Length. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The emulator's reason for a refusal (the x-sts-emulator-reason header; never on a 5xx). */
  readonly reason?: string;
  /** The decision this answer records, if it is one. */
  readonly audit?: AuditFields;
}

export interface JsonService {
  /** Names the service in the failure log ('a Google endpoint'). */
  readonly label: string;
  /** Whether a path is this service's (any method); cheap, by path alone. */
  owns(path: string): boolean;
  answer(request: JsonRequest): Promise<JsonAnswer>;
  /** The answer to a bug (something thrown): the 500 this service's clients expect. */
  readonly internalError: JsonAnswer;
  /** The answer to a body over the limit (413) or one that could not be read (400), at a path of the service. */
  bodyError(status: number, message: string, path: string): JsonAnswer;
}
