/**
 * Shared test harness: the demo policies, an app on an ephemeral port with injected clock, request ids and
 * server key, and tokens minted by the demo issuers. Tests import from here instead of re-wiring the app.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createApp } from '../../src/server/app.js';
import { createIssuerRoutes } from '../../src/server/issuer-routes.js';
import { createSignedOps } from '../../src/sts/signed-handlers.js';
import type { AuditRecord } from '../../src/server/audit.js';
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
}

export async function buildApp(opts: StartOptions = {}): Promise<{ app: ReturnType<typeof createApp>; runtime: Runtime; audit: AuditRecord[] }> {
  const runtime = await createRuntime(
    { policies: opts.policies ?? DEMO_POLICIES, accountId: ACCOUNT, region: 'us-east-1', claimKeys: opts.claimKeys ?? 'aws' },
    opts.serverKey ?? randomBytes(32),
    opts.clock ?? (() => new Date()),
  );
  const audit: AuditRecord[] = [];
  let n = 0;
  const app = createApp({
    deps: runtime.deps,
    signed: createSignedOps(runtime.deps, runtime.authority),
    requestId: opts.requestId ?? (() => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`),
    audit: (r) => void audit.push(r),
    issuers: await createIssuerRoutes(runtime.config.providers),
  });
  return { app, runtime, audit };
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const { app, runtime, audit } = await buildApp(opts);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    runtime,
    audit,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const now = (): Date => new Date();

export async function circleToken(o: CircleCiOptions = {}, extra: Record<string, unknown> = {}, at: Date = now(), ttlSeconds = 3600): Promise<string> {
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
  return { Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: roleArn(role), RoleSessionName: session, WebIdentityToken: token };
}
