/**
 * Lint test helpers: a configuration built in memory from one provider registration and one role, its findings, and
 * the evaluator's decision for a token with given claims (to check that a token a finding names does get in).
 */
import { evaluate } from '../../src/policy/index.js';
import { lintConfig, type Finding } from '../../src/lint/index.js';
import type { LoadedConfig } from '../../src/config/types.js';
import { ACCOUNT, configOf } from '../config/helpers.js';

export interface ProviderSpec {
  /** The provider's Url (https://...). */
  readonly url: string;
  readonly clientIds: readonly string[];
}

export const providerName = (p: ProviderSpec): string => p.url.replace(/^https:\/\//, '');
export const providerArn = (p: ProviderSpec): string => `arn:aws:iam::${ACCOUNT}:oidc-provider/${providerName(p)}`;

/** A configuration with these providers and one role `r` whose trust policy has these statements. */
export function configWith(providers: readonly ProviderSpec[], statements: readonly Record<string, unknown>[]): LoadedConfig {
  const files: Record<string, unknown> = {};
  providers.forEach((p, i) => (files[`providers/p${i}.json`] = { Url: p.url, ClientIDList: p.clientIds }));
  files['roles/r.json'] = { RoleName: 'r', AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: statements } };
  return configOf(files);
}

/** An Allow statement for AssumeRoleWithWebIdentity trusting the provider, with this Condition block. */
export function allow(
  p: ProviderSpec,
  condition: Record<string, unknown> | undefined,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    Effect: 'Allow',
    Principal: { Federated: providerArn(p) },
    Action: 'sts:AssumeRoleWithWebIdentity',
    ...(condition === undefined ? {} : { Condition: condition }),
    ...extra,
  };
}

export function lintOne(provider: ProviderSpec, statements: readonly Record<string, unknown>[]): Finding[] {
  return lintConfig(configWith([provider], statements));
}

/** Whether the evaluator allows AssumeRoleWithWebIdentity for a token of the provider with these claims (the keys AWS builds). */
export function allows(config: LoadedConfig, provider: ProviderSpec, claims: Record<string, string>): boolean {
  const role = config.roles[0];
  if (role === undefined) throw new Error('no role');
  const values = new Map(Object.entries(claims).map(([claim, v]) => [`${providerName(provider)}:${claim}`.toLowerCase(), [v]] as const));
  const r = evaluate(role.trustPolicy, {
    principal: { federated: providerArn(provider) },
    action: 'sts:AssumeRoleWithWebIdentity',
    context: { values, multiValued: new Set() },
  });
  return r.decision === 'allow';
}

/** The subject a finding's message names as getting in (`(sub '...')`), if any. */
export function namedSubject(f: Finding): string | undefined {
  return /\(sub '([^']+)'\)/.exec(f.message)?.[1];
}
