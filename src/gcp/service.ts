/**
 * Google's endpoints as a JSON service of the server (src/protocol/json-service.ts): `POST /v1/token` (STS), `POST
 * /v1/projects/<p>/serviceAccounts/<account>:generateAccessToken` (IAM Credentials), and tokeninfo (`GET
 * /_emulator/gcp/tokeninfo?access_token=` and Google's `/oauth2/v3/tokeninfo`). Small on purpose: the operations
 * (and CEL) load with the first Google request.
 */
import { GCP_TEXTS } from '../protocol/gcp-errors.js';
import type { JsonAnswer, JsonService } from '../protocol/json-service.js';
import type { GcpDeps, GcpOperations } from './operations.js';

const TOKEN_PATH = '/v1/token';
const GENERATE = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/]+):generateAccessToken$/;
const TOKENINFO = new Set(['/_emulator/gcp/tokeninfo', '/oauth2/v3/tokeninfo']);

/**
 * Whether a path is Google's (any method): its endpoints, and any other path under STS's `/v1/token` or IAM
 * Credentials' `/v1/projects/`, which Google answers 404 (AWS's clients never send those).
 */
export function isGcpPath(path: string): boolean {
  return path === TOKEN_PATH || TOKENINFO.has(path) || path.startsWith('/v1/projects/') || path.startsWith(`${TOKEN_PATH}/`);
}

const INTERNAL: JsonAnswer = { status: 500, body: { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } } };

export function gcpService(deps: GcpDeps): JsonService {
  let loaded: Promise<GcpOperations> | undefined;
  const operations = (): Promise<GcpOperations> => (loaded ??= import('./operations.js').then((m) => m.gcpOperations(deps)));
  return {
    label: 'a Google endpoint',
    owns: isGcpPath,
    internalError: INTERNAL,
    // STS answers OAuth-style; IAM Credentials in Google's API shape.
    bodyError: (status, message, path) => ({
      status,
      body: path.startsWith('/v1/projects/')
        ? { error: { code: status, message, status: 'INVALID_ARGUMENT' } }
        : { error: 'invalid_request', error_description: message },
      reason: 'the body could not be read',
    }),
    async answer(request) {
      const ops = await operations();
      if (TOKENINFO.has(request.path)) {
        if (request.method !== 'GET' && request.method !== 'HEAD')
          return { status: 405, body: { error: 'invalid_request', error_description: GCP_TEXTS.useGet } };
        return ops.tokeninfo(request.query.get('access_token') ?? '');
      }
      const generate = GENERATE.exec(request.path);
      if (request.path !== TOKEN_PATH && generate === null)
        return { status: 404, body: { error: { code: 404, message: GCP_TEXTS.pathNotFound(request.path), status: 'NOT_FOUND' } } };
      if (request.method !== 'POST')
        return {
          status: 405,
          body: { error: { code: 405, message: GCP_TEXTS.usePost(request.method), status: 'METHOD_NOT_ALLOWED' } },
        };
      if (generate === null) return ops.token(request.headers['content-type'], request.body);
      return ops.generateAccessToken(
        decode(generate[1] as string),
        decode(generate[2] as string),
        request.headers.authorization,
        request.body,
      );
    },
  };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
