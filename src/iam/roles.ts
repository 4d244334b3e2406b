/**
 * The role operations of the IAM API subset: CreateRole, GetRole, ListRoles, UpdateAssumeRolePolicy, UpdateRole,
 * DeleteRole, TagRole, UntagRole, ListRoleTags. Each reads the configuration in force and puts its change through
 * the store, so the next AssumeRoleWithWebIdentity sees it. Role names compare without case, as IAM's do.
 */
import type { RoleConfig } from '../config/index.js';
import { IAM_MESSAGES, StsError } from '../protocol/errors.js';
import type { XmlNode } from '../protocol/xml.js';
import type { QueryRequest } from '../sts/index.js';
import type { IamDeps } from './deps.js';
import { changedRoleDocument, newRoleDocument } from './documents.js';
import { pageOf } from './paging.js';
import {
  readCreateRole,
  readListRoles,
  readListRoleTags,
  readRoleName,
  readTagRole,
  readUntagRole,
  readUpdateAssumeRolePolicy,
  readUpdateRole,
  type Tag,
} from './params.js';
import { iamTimestamp, memberList, roleMembers, roleNode, tagsNode } from './results.js';
import { checkTrustPolicy } from './trust-policy.js';

type Result = Promise<readonly (XmlNode | undefined)[] | null>;

/** The role of that name (ignoring case), or NoSuchEntity. */
export function roleNamed(deps: IamDeps, name: string): RoleConfig {
  const lower = name.toLowerCase();
  const role = deps.store.config().roles.find((r) => r.roleName.toLowerCase() === lower);
  if (role === undefined) throw new StsError('NoSuchEntity', IAM_MESSAGES.roleNotFound(name));
  return role;
}

export async function createRole(deps: IamDeps, req: QueryRequest): Result {
  const p = readCreateRole(req.params);
  const trustPolicy = checkTrustPolicy(p.policyDocument, deps.limits.trustPolicyChars);
  const { roles } = deps.store.config();
  const lower = p.roleName.toLowerCase();
  if (roles.some((r) => r.roleName.toLowerCase() === lower)) throw new StsError('EntityAlreadyExists', IAM_MESSAGES.roleExists(p.roleName));
  if (roles.length >= deps.limits.roles) throw new StsError('LimitExceeded', IAM_MESSAGES.quota('RolesPerAccount', deps.limits.roles));
  const document = newRoleDocument({
    roleName: p.roleName,
    path: p.path,
    description: p.description,
    maxSessionDuration: p.maxSessionDuration ?? 3600,
    tags: p.tags,
    permissionsBoundary: p.permissionsBoundary,
    createDate: iamTimestamp(deps.clock()),
    trustPolicy,
  });
  await deps.store.putRole(document, undefined);
  return [roleNode(roleNamed(deps, p.roleName), deps.store.startedAt, 'create')];
}

export async function getRole(deps: IamDeps, req: QueryRequest): Result {
  return [roleNode(roleNamed(deps, readRoleName(req.params)), deps.store.startedAt, 'get')];
}

export async function listRoles(deps: IamDeps, req: QueryRequest): Result {
  const p = readListRoles(req.params);
  const roles = deps.store.config().roles.filter((r) => r.path.startsWith(p.pathPrefix));
  const { page, tail } = pageOf(roles, (r) => r.roleName.toLowerCase(), p.marker, p.maxItems);
  return [
    memberList(
      'Roles',
      page.map((r) => roleMembers(r, deps.store.startedAt, 'list')),
    ),
    ...tail,
  ];
}

export async function updateAssumeRolePolicy(deps: IamDeps, req: QueryRequest): Result {
  const p = readUpdateAssumeRolePolicy(req.params);
  const role = roleNamed(deps, p.roleName);
  const trustPolicy = checkTrustPolicy(p.policyDocument, deps.limits.trustPolicyChars);
  await deps.store.putRole(changedRoleDocument(role, { AssumeRolePolicyDocument: trustPolicy }), role);
  return null;
}

export async function updateRole(deps: IamDeps, req: QueryRequest): Result {
  const p = readUpdateRole(req.params);
  const role = roleNamed(deps, p.roleName);
  const changes: Record<string, unknown> = {};
  if (p.description !== undefined) changes['Description'] = p.description;
  if (p.maxSessionDuration !== undefined) changes['MaxSessionDuration'] = p.maxSessionDuration;
  if (Object.keys(changes).length > 0) await deps.store.putRole(changedRoleDocument(role, changes), role);
  return [];
}

export async function deleteRole(deps: IamDeps, req: QueryRequest): Result {
  await deps.store.removeRole(roleNamed(deps, readRoleName(req.params)));
  return null;
}

/** Tags merged as IAM merges them: a key already there (ignoring case) takes the new key and value. */
export function mergeTags(current: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(current.map((t) => [t.Key.toLowerCase(), t] as const));
  for (const t of added) byKey.set(t.Key.toLowerCase(), t);
  return [...byKey.values()];
}

export async function tagRole(deps: IamDeps, req: QueryRequest): Result {
  const p = readTagRole(req.params);
  const role = roleNamed(deps, p.roleName);
  const tags = mergeTags(role.tags, p.tags);
  if (tags.length > deps.limits.tagsPerRole) {
    throw new StsError('LimitExceeded', IAM_MESSAGES.quota('TagsPerRole', deps.limits.tagsPerRole), {
      reason: `the role would have ${tags.length} tags`,
    });
  }
  await deps.store.putRole(changedRoleDocument(role, { Tags: tags }), role);
  return null;
}

export async function untagRole(deps: IamDeps, req: QueryRequest): Result {
  const p = readUntagRole(req.params);
  const role = roleNamed(deps, p.roleName);
  const removed = new Set(p.tagKeys.map((k) => k.toLowerCase()));
  const tags = role.tags.filter((t) => !removed.has(t.Key.toLowerCase()));
  if (tags.length !== role.tags.length)
    await deps.store.putRole(changedRoleDocument(role, { Tags: tags.length === 0 ? undefined : tags }), role);
  return null;
}

export async function listRoleTags(deps: IamDeps, req: QueryRequest): Result {
  const p = readListRoleTags(req.params);
  const role = roleNamed(deps, p.roleName);
  const { page, tail } = pageOf(role.tags, (t) => t.Key.toLowerCase(), p.marker, p.maxItems);
  return [tagsNode(page), ...tail];
}
