// Token minting for the benchmark: RS256 tokens signed by the demo CircleCI issuer's key (policies/providers),
// with the same claims as the CLI's `token --preset circleci`. Signing is spread over worker threads.
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CIRCLE_ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
export const CIRCLE_ISSUER = `https://oidc.circleci.com/org/${CIRCLE_ORG}`;

/** A UUID-shaped user id that differs per index (the role allows any user on main). */
export function userIdFor(i) {
  const hex = i.toString(16).padStart(12, '0');
  return `5d8e2a4c-6f1b-4e9d-a3c7-${hex}`;
}

async function signAll(root, specs) {
  const { loadOrCreateSigningKey, signToken } = await import(pathToFileURL(join(root, 'dist/src/identity/emulated.js')).href);
  const { presetClaims } = await import(pathToFileURL(join(root, 'dist/src/identity/provider-kinds.js')).href);
  const key = await loadOrCreateSigningKey(join(root, 'policies/providers/circleci-demo.DEMO-KEY.pem'));
  const now = new Date();
  const out = [];
  for (const s of specs) {
    const claims = presetClaims(
      'circleci',
      CIRCLE_ISSUER,
      { branch: s.branch, userId: s.userId },
      { now, ttlSeconds: s.ttlSeconds ?? 3600 },
    );
    out.push(await signToken(key, { ...claims, jti: s.jti }));
  }
  return out;
}

/** Signs `specs` ({branch, userId, jti}) in parallel; returns the tokens in order. */
export async function mintTokens(root, specs) {
  const parts = Math.max(1, Math.min(availableParallelism(), Math.ceil(specs.length / 500)));
  if (parts === 1) return signAll(root, specs);
  const size = Math.ceil(specs.length / parts);
  const jobs = [];
  for (let p = 0; p < parts; p++) {
    const slice = specs.slice(p * size, (p + 1) * size);
    jobs.push(
      new Promise((resolve, reject) => {
        const w = new Worker(new URL(import.meta.url), { workerData: { root, specs: slice } });
        w.once('message', resolve);
        w.once('error', reject);
        w.once('exit', (code) => code !== 0 && reject(new Error(`token worker exited with ${code}`)));
      }),
    );
  }
  return (await Promise.all(jobs)).flat();
}

if (!isMainThread && workerData?.specs !== undefined) {
  parentPort.postMessage(await signAll(workerData.root, workerData.specs));
}
