/** Shared test helpers for config/: build a configuration from in-memory files. */
import assert from 'node:assert/strict';
import { buildConfig, type BuildOptions, type ConfigFile } from '../../src/config/load.js';
import type { ConfigProblem, LoadedConfig } from '../../src/config/types.js';

export const ACCOUNT = '123456789012';
export const DIR = '/cfg';

export const GITHUB_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

/** A valid trust policy for GitHub Actions. */
export function trust(): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: GITHUB_ARN },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
      },
    ],
  };
}

export function role(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { RoleName: 'deploy', AssumeRolePolicyDocument: trust(), ...fields };
}

export function provider(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { Url: 'https://token.actions.githubusercontent.com', ClientIDList: ['sts.amazonaws.com'], ...fields };
}

/** Files by name; a string value is the file text, anything else is JSON-encoded. */
export type Files = Record<string, unknown>;

function toFiles(files: Files): ConfigFile[] {
  return Object.entries(files).map(([name, v]) => ({ name, text: typeof v === 'string' ? v : JSON.stringify(v, null, 2) }));
}

export function build(files: Files, options: Partial<BuildOptions> = {}) {
  return buildConfig(toFiles(files), { accountId: ACCOUNT, dir: DIR, ...options });
}

export function configOf(files: Files, options: Partial<BuildOptions> = {}): LoadedConfig {
  const result = build(files, options);
  if (!result.ok) assert.fail(`expected a valid configuration, got:\n${result.problems.map(show).join('\n')}`);
  return result.config;
}

export function problemsOf(files: Files, options: Partial<BuildOptions> = {}): readonly ConfigProblem[] {
  const result = build(files, options);
  assert.equal(result.ok, false, 'expected configuration problems');
  return result.ok ? [] : result.problems;
}

export function show(p: ConfigProblem): string {
  return `${p.file}: ${p.path}: ${p.message}`;
}

/** Asserts that the problems are exactly these (file, path, message pattern), in this order. */
export function assertProblems(
  actual: readonly ConfigProblem[],
  expected: readonly (readonly [file: string, path: string, message: RegExp])[],
): void {
  const text = actual.map(show).join('\n');
  assert.equal(actual.length, expected.length, `expected ${expected.length} problem(s), got:\n${text}`);
  expected.forEach(([file, path, message], i) => {
    const p = actual[i];
    assert.ok(p, text);
    assert.equal(p.file, file, text);
    assert.equal(p.path, path, text);
    assert.match(p.message, message, text);
  });
}
