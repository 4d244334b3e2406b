/**
 * The parameters of the IAM API subset, read against botocore's iam service-2.json constraints and reported in AWS's
 * words ("1 validation error detected: Value 'x y' at 'roleName' failed to satisfy constraint: ..."), every failure
 * of a request at once, in the model's member order. Pure: QueryParams in, typed parameters or a ValidationError out.
 */
import { IAM_MESSAGES, StsError } from '../protocol/errors.js';
import { listMembers, listStructs, type QueryParams } from '../protocol/query.js';
import { CONSTRAINT, ParamChecker } from '../protocol/validation.js';

/** A member's constraint: length bounds and, optionally, its pattern with the text AWS prints. */
interface Member {
  readonly min: number;
  readonly max: number;
  readonly pattern?: readonly [RegExp, string];
}

/** The model's string shapes the subset uses (iam service-2.json). */
export const SHAPES = {
  roleName: { min: 1, max: 64, pattern: [/^[\w+=,.@-]+$/, '[\\w+=,.@-]+'] },
  path: { min: 1, max: 512, pattern: [/^(?:\/|\/[\u0021-\u007e]+\/)$/, '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)'] },
  pathPrefix: { min: 1, max: 512, pattern: [/^\/[\u0021-\u007f]*$/, '\\u002F[\\u0021-\\u007F]*'] },
  policyDocument: { min: 1, max: 131072, pattern: [/^[\t\n\r\u0020-\u00ff]+$/, '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+'] },
  description: {
    min: 0,
    max: 1000,
    pattern: [/^[\t\n\r\u0020-\u007e\u00a1-\u00ff]*$/, '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*'],
  },
  arn: { min: 20, max: 2048 },
  marker: { min: 1, max: 320, pattern: [/^[\u0020-\u00ff]+$/, '[\\u0020-\\u00FF]+'] },
  tagKey: { min: 1, max: 128, pattern: [/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+'] },
  tagValue: { min: 0, max: 256, pattern: [/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*'] },
  url: { min: 1, max: 255 },
  clientId: { min: 1, max: 255 },
  thumbprint: { min: 40, max: 40 },
} as const satisfies Record<string, Member>;

/** The model's list and number limits. */
export const LIMITS = {
  /** tagListType and tagKeyListType: at most 50 members. */
  tags: 50,
  maxItems: { min: 1, max: 1000 },
  maxSessionDuration: { min: 3600, max: 43200 },
} as const;

/** ListRoles and ListRoleTags without MaxItems: 100 (the IAM API reference). */
export const DEFAULT_MAX_ITEMS = 100;

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

class Reader {
  readonly c: ParamChecker;
  constructor(readonly params: QueryParams) {
    this.c = new ParamChecker(params);
  }

  required(name: string, field: string, shape: Member): string {
    return this.c.string(name, field, { required: true, ...shape }) ?? '';
  }

  optional(name: string, field: string, shape: Member): string | undefined {
    return this.c.string(name, field, { required: false, ...shape });
  }

  /** A list of strings (`Name.member.N`), each checked as `field.N.member`; null when the list is absent. */
  strings(name: string, field: string, shape: Member, required: boolean): string[] | null {
    const { values, present } = listMembers(this.params, name, '');
    if (!present) {
      if (required) this.c.failures.push({ field, constraint: CONSTRAINT.notNull, value: null });
      return null;
    }
    values.forEach((v, i) => this.c.value(v, `${field}.${i + 1}.member`, { required: true, ...shape }));
    return values;
  }

  /** A tag list (`Tags.member.N.Key` / `.Value`), at most 50 members; absent is an empty list unless required. */
  tags(required: boolean): Tag[] {
    const { values, present } = listStructs(this.params, 'Tags', ['Key', 'Value']);
    if (!present && required) this.c.failures.push({ field: 'tags', constraint: CONSTRAINT.notNull, value: null });
    const tags: Tag[] = [];
    values.forEach((t, i) => {
      const key = this.c.value(t['Key'], `tags.${i + 1}.member.key`, { required: true, ...SHAPES.tagKey });
      const value = this.c.value(t['Value'], `tags.${i + 1}.member.value`, { required: true, ...SHAPES.tagValue });
      if (key !== undefined && value !== undefined) tags.push({ Key: key, Value: value });
    });
    if (values.length > LIMITS.tags) {
      const shown = `[${values.map((t) => `Tag(key=${t['Key'] ?? 'null'}, value=${t['Value'] ?? 'null'})`).join(', ')}]`;
      this.c.failures.push({ field: 'tags', constraint: CONSTRAINT.maxLength(LIMITS.tags), value: shown });
    }
    return tags;
  }

  finish(): void {
    this.c.finish();
  }
}

/** Tag keys compare without case in IAM: the same key twice in one request is InvalidInput. */
function checkDistinctKeys(keys: readonly string[]): void {
  const seen = new Set<string>();
  for (const k of keys) {
    const lower = k.toLowerCase();
    if (seen.has(lower)) throw new StsError('InvalidInput', IAM_MESSAGES.duplicateTagKeys, { reason: `tag key '${k}' is given twice` });
    seen.add(lower);
  }
}

export interface CreateRoleParams {
  readonly path: string;
  readonly roleName: string;
  readonly policyDocument: string;
  readonly description: string | undefined;
  readonly maxSessionDuration: number | undefined;
  readonly permissionsBoundary: string | undefined;
  readonly tags: readonly Tag[];
}

/** CreateRole, in model order: Path, RoleName, AssumeRolePolicyDocument, Description, MaxSessionDuration, PermissionsBoundary, Tags. */
export function readCreateRole(params: QueryParams): CreateRoleParams {
  const r = new Reader(params);
  const path = r.optional('Path', 'path', SHAPES.path) ?? '/';
  const roleName = r.required('RoleName', 'roleName', SHAPES.roleName);
  const policyDocument = r.required('AssumeRolePolicyDocument', 'assumeRolePolicyDocument', SHAPES.policyDocument);
  const description = r.optional('Description', 'description', SHAPES.description);
  const { min, max } = LIMITS.maxSessionDuration;
  const maxSessionDuration = r.c.integer('MaxSessionDuration', 'maxSessionDuration', min, max);
  const permissionsBoundary = r.optional('PermissionsBoundary', 'permissionsBoundary', SHAPES.arn);
  const tags = r.tags(false);
  r.finish();
  checkDistinctKeys(tags.map((t) => t.Key));
  return { path, roleName, policyDocument, description, maxSessionDuration, permissionsBoundary, tags };
}

/** GetRole and DeleteRole: RoleName only. */
export function readRoleName(params: QueryParams): string {
  const r = new Reader(params);
  const roleName = r.required('RoleName', 'roleName', SHAPES.roleName);
  r.finish();
  return roleName;
}

/** UpdateAssumeRolePolicy: RoleName, PolicyDocument. */
export function readUpdateAssumeRolePolicy(params: QueryParams): { roleName: string; policyDocument: string } {
  const r = new Reader(params);
  const roleName = r.required('RoleName', 'roleName', SHAPES.roleName);
  const policyDocument = r.required('PolicyDocument', 'policyDocument', SHAPES.policyDocument);
  r.finish();
  return { roleName, policyDocument };
}

/** UpdateRole: RoleName, Description, MaxSessionDuration. */
export function readUpdateRole(params: QueryParams): {
  roleName: string;
  description: string | undefined;
  maxSessionDuration: number | undefined;
} {
  const r = new Reader(params);
  const roleName = r.required('RoleName', 'roleName', SHAPES.roleName);
  const description = r.optional('Description', 'description', SHAPES.description);
  const { min, max } = LIMITS.maxSessionDuration;
  const maxSessionDuration = r.c.integer('MaxSessionDuration', 'maxSessionDuration', min, max);
  r.finish();
  return { roleName, description, maxSessionDuration };
}

export interface PageParams {
  readonly marker: string | undefined;
  readonly maxItems: number;
}

function page(r: Reader): PageParams {
  const marker = r.optional('Marker', 'marker', SHAPES.marker);
  const maxItems = r.c.integer('MaxItems', 'maxItems', LIMITS.maxItems.min, LIMITS.maxItems.max) ?? DEFAULT_MAX_ITEMS;
  return { marker, maxItems };
}

/** ListRoles: PathPrefix, Marker, MaxItems. */
export function readListRoles(params: QueryParams): PageParams & { pathPrefix: string } {
  const r = new Reader(params);
  const pathPrefix = r.optional('PathPrefix', 'pathPrefix', SHAPES.pathPrefix) ?? '/';
  const p = page(r);
  r.finish();
  return { pathPrefix, ...p };
}

/** TagRole: RoleName, Tags (required, 1 to 50). */
export function readTagRole(params: QueryParams): { roleName: string; tags: readonly Tag[] } {
  const r = new Reader(params);
  const roleName = r.required('RoleName', 'roleName', SHAPES.roleName);
  const tags = r.tags(true);
  r.finish();
  checkDistinctKeys(tags.map((t) => t.Key));
  return { roleName, tags };
}

/** UntagRole: RoleName, TagKeys (required, at most 50). */
export function readUntagRole(params: QueryParams): { roleName: string; tagKeys: readonly string[] } {
  const r = new Reader(params);
  const roleName = r.required('RoleName', 'roleName', SHAPES.roleName);
  const tagKeys = r.strings('TagKeys', 'tagKeys', SHAPES.tagKey, true) ?? [];
  if (tagKeys.length > LIMITS.tags) {
    r.c.failures.push({ field: 'tagKeys', constraint: CONSTRAINT.maxLength(LIMITS.tags), value: `[${tagKeys.join(', ')}]` });
  }
  r.finish();
  return { roleName, tagKeys };
}

/** ListRoleTags: RoleName, Marker, MaxItems. */
export function readListRoleTags(params: QueryParams): PageParams & { roleName: string } {
  const r = new Reader(params);
  const roleName = r.required('RoleName', 'roleName', SHAPES.roleName);
  const p = page(r);
  r.finish();
  return { roleName, ...p };
}

export interface CreateProviderParams {
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
  readonly tags: readonly Tag[];
}

/** CreateOpenIDConnectProvider: Url, ClientIDList, ThumbprintList (optional since 2024), Tags. */
export function readCreateProvider(params: QueryParams): CreateProviderParams {
  const r = new Reader(params);
  const url = r.required('Url', 'url', SHAPES.url);
  const clientIds = r.strings('ClientIDList', 'clientIDList', SHAPES.clientId, false) ?? [];
  const thumbprints = r.strings('ThumbprintList', 'thumbprintList', SHAPES.thumbprint, false) ?? [];
  const tags = r.tags(false);
  r.finish();
  checkDistinctKeys(tags.map((t) => t.Key));
  return { url, clientIds, thumbprints, tags };
}

/** GetOpenIDConnectProvider and DeleteOpenIDConnectProvider: OpenIDConnectProviderArn. */
export function readProviderArn(params: QueryParams): string {
  const r = new Reader(params);
  const arn = r.required('OpenIDConnectProviderArn', 'openIDConnectProviderArn', SHAPES.arn);
  r.finish();
  return arn;
}

/** AddClientIDToOpenIDConnectProvider and RemoveClientIDFromOpenIDConnectProvider: the ARN and ClientID. */
export function readProviderClientId(params: QueryParams): { arn: string; clientId: string } {
  const r = new Reader(params);
  const arn = r.required('OpenIDConnectProviderArn', 'openIDConnectProviderArn', SHAPES.arn);
  const clientId = r.required('ClientID', 'clientID', SHAPES.clientId);
  r.finish();
  return { arn, clientId };
}

/** UpdateOpenIDConnectProviderThumbprint: the ARN and ThumbprintList (required; it replaces the list). */
export function readUpdateThumbprint(params: QueryParams): { arn: string; thumbprints: readonly string[] } {
  const r = new Reader(params);
  const arn = r.required('OpenIDConnectProviderArn', 'openIDConnectProviderArn', SHAPES.arn);
  const thumbprints = r.strings('ThumbprintList', 'thumbprintList', SHAPES.thumbprint, true) ?? [];
  r.finish();
  return { arn, thumbprints };
}
