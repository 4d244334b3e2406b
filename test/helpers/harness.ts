/**
 * Shared test harness: the demo policies, an app on an ephemeral port with injected clock, request ids and
 * server key, and tokens minted by the demo issuers. Tests import from here instead of re-wiring the app.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { auditTo, createIssuerRoutes, createStsServer, type AuditRecord, type ServerTimeouts } from '../../src/server/index.js';
import { stsOperations } from '../../src/sts/index.js';
import { createRuntime, type Runtime } from '../../src/cli/runtime.js';
import type { CircleCiOptions, GitHubOptions } from '../../src/identity/presets.js';
import { presetClaims } from '../../src/identity/provider-kinds.js';
import { loadOrCreateSigningKey, signToken } from '../../src/identity/emulated.js';

/** Repository root (tests run from dist/test/...). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEMO_POLICIES = join(REPO_ROOT, 'policies');
export const ACCOUNT = '123456789012';
export const CIRCLE_ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
export const CIRCLE_ISSUER = `https://oidc.circleci.com/org/${CIRCLE_ORG}`;
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const CIRCLE_KEY_FILE = join(DEMO_POLICIES, 'providers', 'circleci-demo.DEMO-KEY.pem');
export const GITHUB_KEY_FILE = join(DEMO_POLICIES, 'providers', 'github-actions.DEMO-KEY.pem');
export const roleArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly runtime: Runtime;
  readonly audit: AuditRecord[];
  close(): Promise<void>;
}

export interface StartOptions {
  readonly policies?: string;
  readonly clock?: () => Date;
  readonly serverKey?: Uint8Array;
  readonly claimKeys?: 'aws' | 'all';
  readonly requestId?: () => string;
  readonly timeouts?: Partial<ServerTimeouts>;
  readonly reasonHeader?: boolean;
  readonly maxConnections?: number;
}

/**
 * The one server `serve` runs (createStsServer), with the runtime's operations, on an ephemeral loopback port.
 * Unref'd, so a test file that never closes it still exits.
 */
export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const runtime = await createRuntime(
    { policies: opts.policies ?? DEMO_POLICIES, accountId: ACCOUNT, region: 'us-east-1', claimKeys: opts.claimKeys ?? 'aws' },
    opts.serverKey ?? randomBytes(32),
    opts.clock ?? (() => new Date()),
  );
  const audit: AuditRecord[] = [];
  let n = 0;
  const server = createStsServer({
    operations: stsOperations(runtime.deps),
    clock: runtime.deps.clock,
    requestId: opts.requestId ?? (() => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`),
    answered: auditTo((r) => void audit.push(r)),
    issuers: await createIssuerRoutes(runtime.config.providers),
    ...(opts.timeouts === undefined ? {} : { timeouts: opts.timeouts }),
    ...(opts.reasonHeader === undefined ? {} : { reasonHeader: opts.reasonHeader }),
    ...(opts.maxConnections === undefined ? {} : { maxConnections: opts.maxConnections }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    runtime,
    audit,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The same server for supertest: `app` is the listening server itself. */
export async function buildApp(
  opts: StartOptions = {},
): Promise<{ app: Server; runtime: Runtime; audit: AuditRecord[]; close: () => Promise<void> }> {
  const s = await startServer(opts);
  return { app: s.server, runtime: s.runtime, audit: s.audit, close: s.close };
}

const now = (): Date => new Date();

export async function circleToken(
  o: CircleCiOptions = {},
  extra: Record<string, unknown> = {},
  at: Date = now(),
  ttlSeconds = 3600,
): Promise<string> {
  const key = await loadOrCreateSigningKey(CIRCLE_KEY_FILE);
  return signToken(key, { ...presetClaims('circleci', CIRCLE_ISSUER, o, { now: at, ttlSeconds }), ...extra });
}

export async function githubToken(o: GitHubOptions = {}, extra: Record<string, unknown> = {}, at: Date = now()): Promise<string> {
  const key = await loadOrCreateSigningKey(GITHUB_KEY_FILE);
  return signToken(key, { ...presetClaims('github', GITHUB_ISSUER, o, { now: at, ttlSeconds: 3600 }, 'test-jti'), ...extra });
}

/** Form body for an STS call. */
export function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

export function webIdentityParams(token: string, role = 'deploy-main', session = 'test-session'): Record<string, string> {
  return {
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: roleArn(role),
    RoleSessionName: session,
    WebIdentityToken: token,
  };
}
