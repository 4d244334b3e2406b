/**
 * The roles and OIDC providers of Terraform's JSON output (https://developer.hashicorp.com/terraform/internals/json-format):
 * `terraform show -json <planfile>` (each `resource_changes[].change.after`, with `after_unknown` for the values known
 * only after apply) and `terraform show -json` of a state (`values.root_module` and its `child_modules`). Resources are
 * `aws_iam_role` (name, path, max_session_duration, assume_role_policy, arn) and `aws_iam_openid_connect_provider` (url,
 * client_id_list, thumbprint_list). Every path in a report starts with the resource's address (`aws_iam_role.deploy`),
 * and the positions map it back to where the values are written. Pure and synchronous.
 */
import { at, describe, field, isObject } from '../fields.js';
import type { SourcePositions } from '../json-file.js';
import type { IacDocument, IacKind, IacRead, Unresolved } from './types.js';

/** Each resource type read, and the attribute that holds each field of the IAM-shaped document. */
const TYPES: Readonly<Record<string, { readonly kind: 'role' | 'provider'; readonly fields: Readonly<Record<string, string>> }>> = {
  aws_iam_role: {
    kind: 'role',
    fields: {
      RoleName: 'name',
      Path: 'path',
      MaxSessionDuration: 'max_session_duration',
      AssumeRolePolicyDocument: 'assume_role_policy',
      Arn: 'arn',
    },
  },
  aws_iam_openid_connect_provider: {
    kind: 'provider',
    fields: { Url: 'url', ClientIDList: 'client_id_list', ThumbprintList: 'thumbprint_list' },
  },
};

/** Fields a plan may leave unknown without the resource being skipped: computed values the emulator derives itself. */
const MAY_BE_UNKNOWN = new Set(['Arn', 'ThumbprintList']);

/** Deeper module nesting than this is refused rather than walked. */
const MAX_MODULE_DEPTH = 32;

/** One resource instance as the JSON gives it: its address, its values, and (in a plan) which values are unknown. */
interface Instance {
  readonly address: string;
  readonly type: string;
  /** Dotted path in the file of the object holding its values. */
  readonly valuesPath: string;
  readonly values: Record<string, unknown>;
  readonly unknown: Record<string, unknown>;
}

export function readTerraform(
  json: Record<string, unknown>,
  kind: Exclude<IacKind, 'cloudformation'>,
  positions: SourcePositions,
): IacRead {
  const problems: Unresolved[] = [];
  const version = field(json, 'format_version');
  const major = typeof version === 'string' ? /^(\d+)\./.exec(version)?.[1] : undefined;
  const empty = { kind, roles: [], providers: [], skipped: [], positions, parameters: [] };
  if (major !== '1') {
    problems.push({
      path: 'format_version',
      message: `is ${JSON.stringify(version)}; this reader knows Terraform's JSON format 1.x (terraform show -json of Terraform 0.12 and later)`,
    });
    return { ...empty, problems };
  }
  const instances = kind === 'terraform-plan' ? planInstances(json, problems) : stateInstances(json, problems);
  const roles: IacDocument[] = [];
  const providers: IacDocument[] = [];
  const skipped: IacRead['skipped'][number][] = [];
  const aliases = new Map<string, string>();
  for (const instance of instances) {
    const spec = TYPES[instance.type];
    if (spec === undefined) continue;
    aliases.set(instance.address, instance.valuesPath);
    const doc: Record<string, unknown> = {};
    const paths: Record<string, string> = { '': instance.address };
    const missing: Unresolved[] = [];
    for (const [docField, attribute] of Object.entries(spec.fields)) {
      const path = `${instance.address}.${attribute}`;
      paths[docField] = path;
      if (holdsUnknown(field(instance.unknown, attribute))) {
        if (!MAY_BE_UNKNOWN.has(docField)) missing.push({ path, message: 'is known only after apply (unknown in the plan)' });
        continue;
      }
      const value = field(instance.values, attribute);
      if (value !== undefined && value !== null) doc[docField] = value;
    }
    if (missing.length > 0) {
      const name = doc['RoleName'];
      for (const u of missing)
        skipped.push({ kind: spec.kind, resource: instance.address, ...(typeof name === 'string' ? { roleName: name } : {}), ...u });
      continue;
    }
    (spec.kind === 'role' ? roles : providers).push({ resource: instance.address, doc, paths });
  }
  return { ...empty, roles, providers, skipped, problems, positions: addressPositions(positions, aliases) };
}

/** Whether an `after_unknown` value marks something unknown: `true`, or a list or object holding a `true`. */
function holdsUnknown(value: unknown): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.some(holdsUnknown);
  return isObject(value) && Object.values(value).some(holdsUnknown);
}

/** The instances a plan leaves in place or creates: managed, current (not deposed), not only deleted. */
function planInstances(json: Record<string, unknown>, problems: Unresolved[]): Instance[] {
  const changes = field(json, 'resource_changes');
  if (changes === undefined) return [];
  if (!Array.isArray(changes)) {
    problems.push({ path: 'resource_changes', message: `must be a list, got ${describe(changes)}` });
    return [];
  }
  const out: Instance[] = [];
  changes.forEach((rc, i) => {
    if (!isObject(rc) || field(rc, 'mode') !== 'managed' || field(rc, 'deposed') !== undefined) return;
    const type = field(rc, 'type');
    if (typeof type !== 'string' || TYPES[type] === undefined) return;
    const change = field(rc, 'change');
    const actions = isObject(change) ? field(change, 'actions') : undefined;
    if (Array.isArray(actions) && actions.includes('delete') && !actions.includes('create')) return;
    const after = isObject(change) ? field(change, 'after') : undefined;
    const base = at(at('resource_changes', i), 'change');
    if (!isObject(after)) {
      problems.push({ path: at(base, 'after'), message: `must be an object (the planned values), got ${describe(after)}` });
      return;
    }
    const unknown = isObject(change) ? field(change, 'after_unknown') : undefined;
    out.push({
      address: addressOf(rc, type),
      type,
      valuesPath: at(base, 'after'),
      values: after,
      unknown: isObject(unknown) ? unknown : {},
    });
  });
  return out;
}

/** The managed instances of a state, through every child module. */
function stateInstances(json: Record<string, unknown>, problems: Unresolved[]): Instance[] {
  const values = field(json, 'values');
  if (values === undefined || values === null) return []; // an empty state
  const root = isObject(values) ? field(values, 'root_module') : undefined;
  if (!isObject(root)) {
    problems.push({ path: 'values.root_module', message: `must be an object, got ${describe(root)}` });
    return [];
  }
  const out: Instance[] = [];
  const walk = (module: Record<string, unknown>, path: string, depth: number): void => {
    if (depth > MAX_MODULE_DEPTH) {
      problems.push({ path, message: `modules nested more than ${MAX_MODULE_DEPTH} deep` });
      return;
    }
    const resources = field(module, 'resources');
    if (Array.isArray(resources)) {
      resources.forEach((r, i) => {
        if (!isObject(r) || field(r, 'mode') !== 'managed') return;
        const type = field(r, 'type');
        const v = field(r, 'values');
        if (typeof type !== 'string' || TYPES[type] === undefined) return;
        const valuesPath = at(at(at(path, 'resources'), i), 'values');
        if (!isObject(v)) {
          problems.push({ path: valuesPath, message: `must be an object, got ${describe(v)}` });
          return;
        }
        out.push({ address: addressOf(r, type), type, valuesPath, values: v, unknown: {} });
      });
    }
    const children = field(module, 'child_modules');
    if (Array.isArray(children)) {
      children.forEach((c, i) => {
        if (isObject(c)) walk(c, at(at(path, 'child_modules'), i), depth + 1);
      });
    }
  };
  walk(root, 'values.root_module', 0);
  return out;
}

/** The resource's address as Terraform prints it, or one made of type and name when the JSON lacks it. */
function addressOf(resource: Record<string, unknown>, type: string): string {
  const address = field(resource, 'address');
  if (typeof address === 'string' && address !== '') return address;
  const name = field(resource, 'name');
  return `${type}.${typeof name === 'string' ? name : '?'}`;
}

/**
 * Positions for paths that start with a resource's address: the address stands for the JSON path of its values
 * (`aws_iam_role.deploy.assume_role_policy` is `resource_changes[3].change.after.assume_role_policy`).
 */
function addressPositions(base: SourcePositions, aliases: ReadonlyMap<string, string>): SourcePositions {
  return {
    locate(path) {
      let best: string | undefined;
      for (const address of aliases.keys()) {
        const boundary = path.charAt(address.length);
        if (
          path.startsWith(address) &&
          (boundary === '' || boundary === '.' || boundary === '[') &&
          (best === undefined || address.length > best.length)
        )
          best = address;
      }
      return best === undefined ? base.locate(path) : base.locate((aliases.get(best) as string) + path.slice(best.length));
    },
  };
}
