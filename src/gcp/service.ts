/**
 * Google's endpoints as a JSON service of the server (src/protocol/json-service.ts): `POST /v1/token` (STS), `POST
 * /v1/projects/<p>/serviceAccounts/<account>:generateAccessToken` (IAM Credentials), and tokeninfo (`GET
 * /_emulator/gcp/tokeninfo?access_token=` and Google's `/oauth2/v3/tokeninfo`). Small on purpose: the operations
 * (and CEL) load with the first Google request.
 */
import type { JsonAnswer, JsonService } from '../protocol/json-service.js';
import type { GcpDeps, GcpOperations } from './operations.js';

const TOKEN_PATH = '/v1/token';
const GENERATE = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/]+):generateAccessToken$/;
const TOKENINFO = new Set(['/_emulator/gcp/tokeninfo', '/oauth2/v3/tokeninfo']);

/** Whether a path is one of Google's endpoints (any method). */
export function isGcpPath(path: string): boolean {
  return path === TOKEN_PATH || TOKENINFO.has(path) || GENERATE.test(path);
}

const INTERNAL: JsonAnswer = { status: 500, body: { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } } };

export function gcpService(deps: GcpDeps): JsonService {
  let loaded: Promise<GcpOperations> | undefined;
  const operations = (): Promise<GcpOperations> => (loaded ??= import('./operations.js').then((m) => m.gcpOperations(deps)));
  return {
    label: 'a Google endpoint',
    owns: isGcpPath,
    internalError: INTERNAL,
    bodyError: (status, message) => ({
      status,
      body: { error: 'invalid_request', error_description: message },
      reason: 'the body could not be read',
    }),
    async answer(request) {
      const ops = await operations();
      if (TOKENINFO.has(request.path)) {
        if (request.method !== 'GET' && request.method !== 'HEAD')
          return { status: 405, body: { error: 'invalid_request', error_description: 'Use GET.' } };
        return ops.tokeninfo(request.query.get('access_token') ?? '');
      }
      if (request.method !== 'POST')
        return {
          status: 405,
          body: { error: { code: 405, message: `Method ${request.method} is not allowed; use POST.`, status: 'METHOD_NOT_ALLOWED' } },
        };
      const generate = GENERATE.exec(request.path);
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
