/** Helpers for the policy tests: build request contexts and read JSON vector tables. */
import { readFileSync } from 'node:fs';
import type { AuthorizationRequest, RequestContext } from '../../src/policy/types.js';

/**
 * A request context from a plain object: a string value is a single-valued key, an array is a
 * multivalued key (a set, possibly empty). Keys are lower-cased as the context stores them.
 */
export function contextOf(values: Readonly<Record<string, string | readonly string[]>> = {}): RequestContext {
  const map = new Map<string, readonly string[]>();
  const multi = new Set<string>();
  for (const [k, v] of Object.entries(values)) {
    const key = k.toLowerCase();
    if (typeof v === 'string') map.set(key, [v]);
    else {
      map.set(key, [...v]);
      multi.add(key);
    }
  }
  return { values: map, multiValued: multi };
}

export interface RequestSpec {
  readonly federated?: string;
  readonly aws?: readonly string[];
  readonly action?: string;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export const GITHUB = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';

export function requestOf(spec: RequestSpec = {}): AuthorizationRequest {
  return {
    principal: {
      ...(spec.federated === undefined ? {} : { federated: spec.federated }),
      ...(spec.aws === undefined ? {} : { aws: spec.aws }),
    },
    action: spec.action ?? 'sts:AssumeRoleWithWebIdentity',
    context: contextOf(spec.context),
  };
}

/** Read test/vectors/policy/<name> (relative to the repository, from the compiled test file). */
export function readVectors<T>(name: string): T {
  const url = new URL(`../../../test/vectors/policy/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}
