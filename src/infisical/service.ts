/**
 * Infisical's endpoints as a JSON service of the server (src/protocol/json-service.ts): `POST
 * /api/v1/auth/oidc-auth/login`, `POST /api/v1/auth/token/renew` and `/revoke`, and the secrets read `GET
 * /api/v3/secrets/raw` (and `/api/v4/secrets`). Small on purpose: the operations (and picomatch) load with the first
 * Infisical request.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { JsonAnswer, JsonService } from '../protocol/json-service.js';
import type { InfisicalDeps, InfisicalOperations } from './operations.js';

const PATHS = new Set([
  '/api/v1/auth/oidc-auth/login',
  '/api/v1/auth/token/renew',
  '/api/v1/auth/token/revoke',
  '/api/v3/secrets/raw',
  '/api/v4/secrets',
]);

/** Whether a path is one of Infisical's endpoints (any method). */
export function isInfisicalPath(path: string): boolean {
  return PATHS.has(path);
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Infisical's request ids: `req-` and 14 letters or digits. */
export function infisicalRequestId(bytes: (n: number) => Uint8Array = randomBytes): string {
  return `req-${Array.from(bytes(14), (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('')}`;
}

const INTERNAL: JsonAnswer = {
  status: 500,
  body: { reqId: 'req-internal', statusCode: 500, error: 'InternalServerError', message: 'Something went wrong' },
};

export type InfisicalServiceDeps = Omit<InfisicalDeps, 'requestId' | 'tokenId'> & Partial<Pick<InfisicalDeps, 'requestId' | 'tokenId'>>;

export function infisicalService(deps: InfisicalServiceDeps): JsonService & { operations(): Promise<InfisicalOperations> } {
  let loaded: Promise<InfisicalOperations> | undefined;
  const operations = (): Promise<InfisicalOperations> =>
    (loaded ??= import('./operations.js').then((m) =>
      m.infisicalOperations({ requestId: () => infisicalRequestId(), tokenId: () => randomUUID(), ...deps }),
    ));
  return {
    label: 'an Infisical endpoint',
    owns: isInfisicalPath,
    internalError: INTERNAL,
    operations,
    bodyError: (status, message) => ({
      status,
      body: { reqId: infisicalRequestId(), statusCode: status, message, error: status === 413 ? 'PayloadTooLarge' : 'BadRequest' },
      reason: 'the body could not be read',
    }),
    async answer(request) {
      return (await operations()).answer(request);
    },
  };
}
