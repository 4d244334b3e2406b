/**
 * The IAM API's result elements, in the model's member order (iam service-2.json): a Role, a provider, tag lists,
 * the `member` lists of the query protocol, and IAM's timestamps. Policy documents go out URL-encoded, as IAM sends
 * them (botocore URL-decodes and parses them; the SDK v3 gives the encoded text).
 */
import type { RoleConfig } from '../config/index.js';
import type { OidcProvider } from '../identity/index.js';
import type { XmlNode } from '../protocol/xml.js';
import type { Tag } from './params.js';

/** `2026-12-06T05:00:00Z`: ISO 8601 without fractions, as IAM's timestamps read. */
export function iamTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A document's CreateDate as IAM prints it; `fallback` when the document has none or it does not parse. */
export function createDateOf(text: string | undefined, fallback: Date): string {
  const t = text === undefined ? Number.NaN : Date.parse(text);
  return iamTimestamp(Number.isNaN(t) ? fallback : new Date(t));
}

/** A query-protocol list: `<Name><member>...</member>...</Name>`. */
export function memberList(name: string, members: readonly XmlNode['1'][]): XmlNode {
  return [name, members.map((m): XmlNode => ['member', m])];
}

export function tagsNode(tags: readonly Tag[]): XmlNode {
  return memberList(
    'Tags',
    tags.map((t) => [
      ['Key', t.Key],
      ['Value', t.Value],
    ]),
  );
}

/** Which members a Role carries: CreateRole and GetRole everything set; ListRoles no Tags, boundary or last use. */
export type RoleView = 'create' | 'get' | 'list';

/** The role's PermissionsBoundary as its document holds it (get-role's shape), if any. */
function boundaryOf(role: RoleConfig): XmlNode | undefined {
  const doc = role.document;
  const inner = doc !== undefined && role.wrapped ? doc['Role'] : doc;
  const pb = typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>)['PermissionsBoundary'] : undefined;
  const arn = typeof pb === 'object' && pb !== null ? (pb as Record<string, unknown>)['PermissionsBoundaryArn'] : undefined;
  if (typeof arn !== 'string') return undefined;
  return [
    'PermissionsBoundary',
    [
      ['PermissionsBoundaryType', 'Policy'],
      ['PermissionsBoundaryArn', arn],
    ],
  ];
}

/** A Role's members in model order; `fallbackDate` is the CreateDate of a role whose document has none. */
export function roleMembers(role: RoleConfig, fallbackDate: Date, view: RoleView): (XmlNode | undefined)[] {
  const full = view !== 'list';
  return [
    ['Path', role.path],
    ['RoleName', role.roleName],
    ['RoleId', role.roleId],
    ['Arn', role.arn],
    ['CreateDate', createDateOf(role.createDate, fallbackDate)],
    ['AssumeRolePolicyDocument', encodeURIComponent(role.trustPolicyJson)],
    role.description === undefined ? undefined : ['Description', role.description],
    ['MaxSessionDuration', role.maxSessionDuration],
    full ? boundaryOf(role) : undefined,
    full && role.tags.length > 0 ? tagsNode(role.tags) : undefined,
    view === 'get' ? ['RoleLastUsed', []] : undefined,
  ];
}

export function roleNode(role: RoleConfig, fallbackDate: Date, view: RoleView): XmlNode {
  return ['Role', roleMembers(role, fallbackDate, view)];
}

/** GetOpenIDConnectProvider's members: the Url without https:// (as IAM prints it), lists, CreateDate, Tags. */
export function providerResult(p: OidcProvider, fallbackDate: Date): (XmlNode | undefined)[] {
  return [
    ['Url', p.name],
    memberList('ClientIDList', [...p.clientIdList]),
    memberList('ThumbprintList', [...p.thumbprintList]),
    ['CreateDate', createDateOf(p.createDate, fallbackDate)],
    p.tags !== undefined && p.tags.length > 0 ? tagsNode(p.tags) : undefined,
  ];
}
