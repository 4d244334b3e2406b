/**
 * The documents the IAM API stores: what a user would write by hand in roles/*.json and providers/*.json. A created
 * entity is a new document in the README's shape; a changed one is its own document as written (wrapper, key source
 * and every other field kept) with only the fields the operation changes replaced.
 */
import type { RoleConfig } from '../config/index.js';
import type { OidcProvider } from '../identity/index.js';
import type { Tag } from './params.js';

type Doc = Readonly<Record<string, unknown>>;

export interface NewRole {
  readonly roleName: string;
  readonly path: string;
  readonly description: string | undefined;
  readonly maxSessionDuration: number;
  readonly tags: readonly Tag[];
  readonly permissionsBoundary: string | undefined;
  readonly createDate: string;
  readonly trustPolicy: Doc;
}

/** A created role: RoleName, Path, Description, MaxSessionDuration, Tags, PermissionsBoundary, CreateDate, the trust policy. */
export function newRoleDocument(r: NewRole): Doc {
  return {
    RoleName: r.roleName,
    Path: r.path,
    ...(r.description === undefined ? {} : { Description: r.description }),
    MaxSessionDuration: r.maxSessionDuration,
    ...(r.tags.length === 0 ? {} : { Tags: r.tags.map((t) => ({ Key: t.Key, Value: t.Value })) }),
    ...(r.permissionsBoundary === undefined
      ? {}
      : { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: r.permissionsBoundary } }),
    CreateDate: r.createDate,
    AssumeRolePolicyDocument: r.trustPolicy,
  };
}

/** The role's document with `changes` (undefined values remove a field), inside its `{"Role": ...}` wrapper if it has one. */
export function changedRoleDocument(role: RoleConfig, changes: Readonly<Record<string, unknown>>): Doc {
  const doc = role.document;
  const inner = role.wrapped ? (doc['Role'] as Doc) : doc;
  const next = apply(inner, changes, 'AssumeRolePolicyDocument');
  return role.wrapped ? { ...doc, Role: next } : next;
}

/** A provider's document with `changes`, every other field (Jwks, PrivateKeyFile ...) as written. */
export function changedProviderDocument(p: OidcProvider, changes: Readonly<Record<string, unknown>>): Doc {
  return apply(p.document ?? fallbackProviderDocument(p), changes);
}

export interface NewProvider {
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
  readonly tags: readonly Tag[];
  readonly createDate: string;
}

/**
 * A created provider: the IAM fields, and `"Emulated": true`. IAM's API says nothing of signing keys; the emulator
 * signs this issuer's tokens itself (`sts-emulator token --issuer`, mintToken), the store chooses the key file.
 */
export function newProviderDocument(p: NewProvider): Doc {
  return {
    Url: p.url,
    ClientIDList: [...p.clientIds],
    ThumbprintList: [...p.thumbprints],
    ...(p.tags.length === 0 ? {} : { Tags: p.tags.map((t) => ({ Key: t.Key, Value: t.Value })) }),
    CreateDate: p.createDate,
    Emulated: true,
  };
}

/**
 * The document with `changes` (undefined removes a field): fields it has keep their place, new ones go before
 * `last` (the trust policy, which a hand-written role file has at its end) or at the end.
 */
function apply(doc: Doc, changes: Readonly<Record<string, unknown>>, last?: string): Doc {
  const added = Object.entries(changes).filter(([k, v]) => v !== undefined && !Object.hasOwn(doc, k));
  const next: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === last) for (const [ak, av] of added.splice(0)) next[ak] = av;
    const value = Object.hasOwn(changes, k) ? changes[k] : v;
    if (value !== undefined) next[k] = value;
  }
  for (const [ak, av] of added) next[ak] = av;
  return next;
}

/** A provider that did not come from the loader (built in code, without its document): its fields as a document. */
function fallbackProviderDocument(p: OidcProvider): Doc {
  const keys =
    p.keys.kind === 'emulated'
      ? { Emulated: true, PrivateKeyFile: p.keys.privateKeyFile }
      : p.keys.kind === 'uri'
        ? { JwksUri: p.keys.uri }
        : p.keys.kind === 'inline'
          ? { Jwks: p.keys.jwks }
          : {};
  return {
    Url: p.url,
    ClientIDList: [...p.clientIdList],
    ThumbprintList: [...p.thumbprintList],
    ...(p.tags === undefined ? {} : { Tags: p.tags }),
    ...(p.createDate === undefined ? {} : { CreateDate: p.createDate }),
    ...keys,
  };
}
