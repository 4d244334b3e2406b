/**
 * Property: over random subject conditions of every provider lint knows, lint never throws, and every `sub` a
 * finding names as getting in is allowed by the evaluator (with the audience the provider registers); the one that a
 * finding names as shut out is denied. Seeded by fast-check; FC_SEED repeats a run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { lintConfig } from '../../src/lint/index.js';
import { allow, allows, configWith, providerName, type ProviderSpec } from './helpers.js';

const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const PROVIDERS: ProviderSpec[] = [
  { url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'] },
  { url: `https://oidc.circleci.com/org/${ORG}`, clientIds: [ORG] },
  { url: 'https://gitlab.com', clientIds: ['https://gitlab.com'] },
  { url: 'https://gitlab.example.com', clientIds: ['https://gitlab.example.com'] },
  { url: 'https://app.terraform.io', clientIds: ['aws.workload.identity'] },
  { url: 'https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc', clientIds: ['ari:cloud:bitbucket::workspace/x'] },
  { url: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789', clientIds: ['sts.amazonaws.com'] },
];

/** Pieces of every provider's subject format, and wildcards. */
const PIECES = [
  'repo:',
  'octo-org',
  'octo-org@12',
  '/',
  'octo-repo',
  ':',
  'ref:refs/heads/',
  'ref:refs/tags/',
  'main',
  'environment:',
  'prod',
  'pull_request',
  'repository_owner:',
  'job_workflow_ref:',
  'project_path:',
  'group',
  'ref_type:',
  'branch',
  'tag',
  'ref:',
  'organization:',
  'project:',
  'workspace:',
  'run_phase:',
  'apply',
  'plan',
  'system:serviceaccount:',
  'default',
  '{8d4b2c1a-3e5f-4a6b-9c7d-1e2f3a4b5c6d}',
  `org/${ORG}/project/`,
  '2f9c1e7a-8b4d-4a6e-b1c3-d5e7f9a1b3c5',
  '/user/',
  '/vcs-origin/',
  'github.com/o/r',
  '/vcs-ref/',
  '*',
  '*',
  '?',
];

const pattern = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 9 }).map((parts) => parts.join(''));
const NAMES_A_DENIED_TOKEN = new Set(['circleci-v2-sub-excludes-v1']);

test('every sub a finding names gets in (or, for the rules that say so, is shut out)', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PROVIDERS),
      fc.array(pattern, { minLength: 1, maxLength: 2 }),
      fc.constantFrom('StringLike', 'StringEquals'),
      fc.option(pattern, { nil: undefined }),
      fc.boolean(),
      (provider, subs, operator, guard, withAudience) => {
        const name = providerName(provider);
        const condition: Record<string, Record<string, unknown>> = { [operator]: { [`${name}:sub`]: subs } };
        if (guard !== undefined) condition['StringNotLike'] = { [`${name}:sub`]: guard };
        if (withAudience) condition['StringEquals'] = { ...condition['StringEquals'], [`${name}:aud`]: provider.clientIds[0] };
        const config = configWith([provider], [allow(provider, condition)]);
        for (const f of lintConfig(config)) {
          for (const m of f.message.matchAll(/\(sub '([^']+)'\)/g)) {
            const sub = m[1] as string;
            const expected = !NAMES_A_DENIED_TOKEN.has(f.rule);
            assert.equal(allows(config, provider, { aud: provider.clientIds[0] as string, sub }), expected, `${f.rule}: ${f.message}`);
          }
        }
      },
    ),
    { numRuns: 1500, ...(process.env['FC_SEED'] === undefined ? {} : { seed: Number(process.env['FC_SEED']) }) },
  );
});
