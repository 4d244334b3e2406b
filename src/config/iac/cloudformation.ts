/**
 * The roles and OIDC providers of a CloudFormation template (JSON or YAML, such as `cdk synth` writes): `AWS::IAM::Role`
 * (RoleName, or the logical id when none; Path; MaxSessionDuration; AssumeRolePolicyDocument), `AWS::IAM::OIDCProvider`
 * and CDK's `Custom::AWSCDKOpenIdConnectProvider` (Url, client ids, thumbprints). Values are resolved statically: the
 * pseudo parameters from the emulator's options, `Parameters` from `--parameter` or their defaults, `Conditions`,
 * `Mappings`, and Ref/GetAtt of these providers (their ARN) and roles (name, ARN). A resource with a value only a
 * deployment can know is skipped with the path of that value. Pure and synchronous.
 */
import { at, describe, field, isObject } from '../fields.js';
import type { SourcePositions } from '../json-file.js';
import { evaluateCondition, NO_VALUE, ok, resolveValue, unresolved, type Resolution, type TemplateScope } from './cfn-intrinsics.js';
import type { IacDocument, IacOptions, IacRead, Unresolved } from './types.js';

const ROLE_TYPE = 'AWS::IAM::Role';

/** The provider resource types, and the property that holds each field of a provider document. */
const PROVIDER_TYPES: Readonly<Record<string, Readonly<Record<'Url' | 'ClientIDList' | 'ThumbprintList', string>>>> = {
  'AWS::IAM::OIDCProvider': { Url: 'Url', ClientIDList: 'ClientIdList', ThumbprintList: 'ThumbprintList' },
  'Custom::AWSCDKOpenIdConnectProvider': { Url: 'Url', ClientIDList: 'ClientIDList', ThumbprintList: 'ThumbprintList' },
};

/** The role properties read, in the order they are resolved. */
const ROLE_PROPERTIES = ['RoleName', 'Path', 'MaxSessionDuration', 'AssumeRolePolicyDocument'] as const;

/** IAM's longest role name: a logical id longer than this cannot stand for a role without a RoleName. */
const MAX_ROLE_NAME = 64;

/** The partition and URL suffix of the emulator's ARNs (its role and provider ARNs are `arn:aws:...`). */
const PARTITION = 'aws';
const URL_SUFFIX = 'amazonaws.com';

/** Pseudo parameters only a deployment knows; `--parameter` may give them. */
const DEPLOYED_PSEUDO = new Set(['AWS::StackName', 'AWS::StackId', 'AWS::NotificationARNs']);

/** Pseudo parameters `--parameter` may give: the ones only a deployment knows. */
export function isSettablePseudoParameter(name: string): boolean {
  return DEPLOYED_PSEUDO.has(name);
}

export function readCloudFormation(template: Record<string, unknown>, positions: SourcePositions, options: IacOptions): IacRead {
  const problems: Unresolved[] = [];
  const section = (name: string): Record<string, unknown> => {
    const value = field(template, name);
    if (value === undefined || value === null) return {};
    if (isObject(value)) return value;
    problems.push({ path: name, message: `must be an object, got ${describe(value)}` });
    return {};
  };
  const resources = section('Resources');
  const parameters = section('Parameters');
  const scope = templateScope(resources, parameters, section('Conditions'), section('Mappings'), options);

  const roles: IacDocument[] = [];
  const providers: IacDocument[] = [];
  const skipped: IacRead['skipped'][number][] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource)) continue;
    const type = field(resource, 'Type');
    const kind = type === ROLE_TYPE ? 'role' : typeof type === 'string' && Object.hasOwn(PROVIDER_TYPES, type) ? 'provider' : undefined;
    if (kind === undefined) continue;
    const base = at('Resources', id);
    const created = scope.created(id);
    if (!created.ok) {
      skipped.push({ kind, resource: id, ...created.unresolved });
      continue;
    }
    if (created.value === false) continue; // its condition is false: CloudFormation does not create it
    const properties = field(resource, 'Properties');
    if (properties !== undefined && !isObject(properties)) {
      problems.push({ path: at(base, 'Properties'), message: `must be an object, got ${describe(properties)}` });
      continue;
    }
    const read = kind === 'role' ? scope.role(id) : scope.provider(id);
    if (read.unresolved.length > 0) {
      const name = kind === 'role' ? read.doc['RoleName'] : undefined;
      for (const u of read.unresolved) skipped.push({ kind, resource: id, ...(typeof name === 'string' ? { roleName: name } : {}), ...u });
      continue;
    }
    (kind === 'role' ? roles : providers).push({ resource: id, doc: read.doc, paths: read.paths });
  }
  return { kind: 'cloudformation', roles, providers, skipped, problems, positions, parameters: Object.keys(parameters) };
}

interface ResourceRead {
  readonly doc: Record<string, unknown>;
  readonly paths: Record<string, string>;
  readonly unresolved: readonly Unresolved[];
}

interface Scope extends TemplateScope {
  /** Whether the resource is created: its `Condition` holds, or it has none. */
  created(id: string): Resolution;
  role(id: string): ResourceRead;
  provider(id: string): ResourceRead;
}

function templateScope(
  resources: Record<string, unknown>,
  parameters: Record<string, unknown>,
  conditions: Record<string, unknown>,
  mappings: Record<string, unknown>,
  options: IacOptions,
): Scope {
  const conditionValues = new Map<string, Resolution>();
  const reads = new Map<string, ResourceRead>();
  const inProgress = new Set<string>();

  /** Memoised, with a guard against a value that depends on itself. */
  const once = <T>(cache: Map<string, T>, key: string, cycle: () => T, compute: () => T): T => {
    const known = cache.get(key);
    if (known !== undefined) return known;
    if (inProgress.has(key)) return cycle();
    inProgress.add(key);
    try {
      const value = compute();
      cache.set(key, value);
      return value;
    } finally {
      inProgress.delete(key);
    }
  };

  const resourceAt = (id: string): Record<string, unknown> | undefined => {
    const r = field(resources, id);
    return isObject(r) ? r : undefined;
  };
  const propertiesOf = (id: string): Record<string, unknown> => {
    const p = field(resourceAt(id) ?? {}, 'Properties');
    return isObject(p) ? p : {};
  };

  const readResource = (id: string, fields: readonly (readonly [docField: string, property: string])[]): ResourceRead => {
    const base = at('Resources', id);
    const propsPath = at(base, 'Properties');
    const properties = propertiesOf(id);
    const doc: Record<string, unknown> = {};
    const paths: Record<string, string> = { '': base };
    const missing: Unresolved[] = [];
    for (const [docField, property] of fields) {
      const path = at(propsPath, property);
      paths[docField] = path;
      const raw = field(properties, property);
      if (raw === undefined) continue;
      const r = resolveValue(raw, path, scope);
      if (!r.ok) missing.push(r.unresolved);
      else if (r.value !== NO_VALUE) doc[docField] = r.value;
    }
    return { doc, paths, unresolved: missing };
  };

  /** The resource exists and its values are known, or why not. */
  const usable = (id: string, read: ResourceRead, what: string, path: string): Resolution | undefined => {
    const created = scope.created(id);
    if (!created.ok) return created;
    if (created.value === false) return unresolved(path, `'${id}' is not created (its Condition is false), so it has no ${what}`);
    const first = read.unresolved[0];
    return first === undefined
      ? undefined
      : unresolved(path, `${id}.${what} depends on ${first.path}, which is unresolved: ${first.message}`);
  };

  /** A role's name (its Ref) or ARN (its Fn::GetAtt Arn). */
  const roleValue = (id: string, what: 'name' | 'arn', path: string): Resolution => {
    const read = scope.role(id);
    const failed = usable(id, read, what === 'name' ? 'RoleName' : 'Arn', path);
    if (failed !== undefined) return failed;
    const name = read.doc['RoleName'];
    if (typeof name !== 'string') return unresolved(path, `${id} has no usable role name`);
    if (what === 'name') return ok(name);
    const rolePath = typeof read.doc['Path'] === 'string' ? read.doc['Path'] : '/';
    return ok(`arn:${PARTITION}:iam::${options.accountId}:role${rolePath}${name}`);
  };

  /** An OIDC provider's ARN: its Url without the scheme, in the emulator's account. */
  const providerArn = (id: string, path: string): Resolution => {
    const read = scope.provider(id);
    const failed = usable(id, read, 'Arn', path);
    if (failed !== undefined) return failed;
    const url = read.doc['Url'];
    if (typeof url !== 'string') return unresolved(path, `${id} has no Url, so no ARN`);
    return ok(`arn:${PARTITION}:iam::${options.accountId}:oidc-provider/${url.replace(/^https:\/\//, '')}`);
  };

  const scope: Scope = {
    ref(name, path) {
      if (name === 'AWS::AccountId') return ok(options.accountId);
      if (name === 'AWS::Region') return ok(options.region);
      if (name === 'AWS::Partition') return ok(PARTITION);
      if (name === 'AWS::URLSuffix') return ok(URL_SUFFIX);
      if (name === 'AWS::NoValue') return ok(NO_VALUE);
      if (DEPLOYED_PSEUDO.has(name)) {
        const given = options.parameters.get(name);
        if (given !== undefined) return ok(name === 'AWS::NotificationARNs' ? given.split(',') : given);
        return unresolved(path, `${name} is known only when the stack is deployed; give it with --parameter ${name}=<value>`);
      }
      if (Object.hasOwn(parameters, name)) return parameterValue(name, parameters[name], options, path);
      const resource = resourceAt(name);
      if (resource === undefined) return unresolved(path, `Ref to '${name}': the template has no parameter or resource of that name`);
      const type = String(field(resource, 'Type'));
      if (type === ROLE_TYPE) return roleValue(name, 'name', path);
      if (Object.hasOwn(PROVIDER_TYPES, type)) return providerArn(name, path);
      return unresolved(path, `Ref to '${name}' (${type}) is known only when the stack is deployed`);
    },

    getAtt(id, attribute, path) {
      const resource = resourceAt(id);
      if (resource === undefined) return unresolved(path, `Fn::GetAtt ${id}.${attribute}: the template has no resource '${id}'`);
      const type = String(field(resource, 'Type'));
      // The CDK's provider custom resource answers Ref with its ARN; its attributes come from its handler when deployed.
      if (type === ROLE_TYPE && attribute === 'Arn') return roleValue(id, 'arn', path);
      if (type === 'AWS::IAM::OIDCProvider' && attribute === 'Arn') return providerArn(id, path);
      return unresolved(path, `Fn::GetAtt ${id}.${attribute} (${type}) is known only when the stack is deployed`);
    },

    condition(name, path) {
      return once(
        conditionValues,
        `condition:${name}`,
        () => unresolved(path, `condition '${name}' depends on itself`),
        () =>
          Object.hasOwn(conditions, name)
            ? evaluateCondition(conditions[name], at('Conditions', name), scope)
            : unresolved(path, `the template has no condition '${name}'`),
      );
    },

    mapping(map, top, second, path) {
      const m = field(mappings, map);
      const t = isObject(m) ? field(m, top) : undefined;
      const v = isObject(t) ? field(t, second) : undefined;
      if (v === undefined) return unresolved(path, `Fn::FindInMap: Mappings has no ${map}.${top}.${second}`);
      // Mapping values are literals: CloudFormation allows no parameter or intrinsic function in them.
      return ok(v);
    },

    created(id) {
      const condition = field(resourceAt(id) ?? {}, 'Condition');
      if (condition === undefined) return ok(true);
      const path = at(at('Resources', id), 'Condition');
      if (typeof condition !== 'string') return unresolved(path, `must name a condition (a string), got ${describe(condition)}`);
      return scope.condition(condition, path);
    },

    role(id) {
      return once(
        reads,
        `role:${id}`,
        () => ({ doc: {}, paths: {}, unresolved: [{ path: at('Resources', id), message: `${id} refers to itself` }] }),
        () => {
          const read = readResource(
            id,
            ROLE_PROPERTIES.map((p) => [p, p] as const),
          );
          // CloudFormation takes a number written as a string (a Number parameter's Ref is one).
          const duration = read.doc['MaxSessionDuration'];
          if (typeof duration === 'string' && /^\d{1,9}$/.test(duration)) read.doc['MaxSessionDuration'] = Number(duration);
          if (read.doc['RoleName'] !== undefined || read.unresolved.some((u) => u.path === read.paths['RoleName'])) return read;
          // No RoleName: the logical id stands for it (CloudFormation would generate a name; see docs/behaviour-choices.md).
          if (id.length > MAX_ROLE_NAME) {
            const message = `has no RoleName, and its logical id (${id.length} characters) is longer than a role name may be (${MAX_ROLE_NAME}); give it a RoleName to use it here`;
            return { ...read, unresolved: [...read.unresolved, { path: at('Resources', id), message }] };
          }
          return { ...read, doc: { RoleName: id, ...read.doc }, paths: { ...read.paths, RoleName: at('Resources', id) } };
        },
      );
    },

    provider(id) {
      return once(
        reads,
        `provider:${id}`,
        () => ({ doc: {}, paths: {}, unresolved: [{ path: at('Resources', id), message: `${id} refers to itself` }] }),
        () => {
          const type = String(field(resourceAt(id) ?? {}, 'Type'));
          const properties = PROVIDER_TYPES[type] ?? PROVIDER_TYPES['AWS::IAM::OIDCProvider'];
          return readResource(id, Object.entries(properties ?? {}));
        },
      );
    },
  };
  return scope;
}

/**
 * A parameter's value: `--parameter` first, else its Default; lists (`CommaDelimitedList`, `List<...>`) split at commas.
 * An SSM-typed parameter's Default names the SSM parameter, not its value, so it needs `--parameter`.
 */
function parameterValue(name: string, declaration: unknown, options: IacOptions, path: string): Resolution {
  const decl = isObject(declaration) ? declaration : {};
  const type = typeof decl['Type'] === 'string' ? decl['Type'] : 'String';
  const given = options.parameters.get(name);
  let text: string;
  if (given !== undefined) text = given;
  else if (type.startsWith('AWS::SSM::Parameter::Value<')) {
    return unresolved(
      path,
      `parameter '${name}' (${type}) is read from SSM Parameter Store when deployed; give its value with --parameter ${name}=<value>`,
    );
  } else {
    const def = decl['Default'];
    if (def === undefined) return unresolved(path, `parameter '${name}' has no Default; give it with --parameter ${name}=<value>`);
    if (Array.isArray(def)) return ok(def.map(String));
    text = String(def);
  }
  if (type === 'CommaDelimitedList' || type.startsWith('List<')) return ok(text === '' ? [] : text.split(','));
  return ok(text);
}
