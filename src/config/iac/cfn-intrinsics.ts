/**
 * CloudFormation's intrinsic functions, resolved statically: `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::If`
 * (and the condition functions), `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::Base64`, as CloudFormation defines
 * them. What a name refers to (a parameter, a pseudo parameter, a resource, a condition, a mapping) is the scope's
 * business; anything only a deployment can know comes back as unresolved, with the path of the value, never guessed.
 * Pure and synchronous.
 */
import { at, describe, isObject } from '../fields.js';
import type { Unresolved } from './types.js';

/** `Ref: AWS::NoValue`: the property (or list element) it stands for is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export type Resolution = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly unresolved: Unresolved };

/** What the names in a template refer to. Each answers with a value or with why it cannot be known. */
export interface TemplateScope {
  /** `Ref`: a parameter, a pseudo parameter (`AWS::AccountId` ...) or a resource. */
  ref(name: string, path: string): Resolution;
  /** `Fn::GetAtt`: an attribute of a resource. */
  getAtt(resource: string, attribute: string, path: string): Resolution;
  /** A condition of the template's `Conditions`, as a boolean. */
  condition(name: string, path: string): Resolution;
  /** `Fn::FindInMap`: a value of the template's `Mappings`. */
  mapping(map: string, top: string, second: string, path: string): Resolution;
}

/** Deeper than this, a value is refused rather than walked (no real template comes near). */
const MAX_DEPTH = 64;

export const ok = (value: unknown): Resolution => ({ ok: true, value });
export const unresolved = (path: string, message: string): Resolution => ({ ok: false, unresolved: { path, message } });

/** The intrinsic function a value is, if any: an object with a single key `Ref` or `Fn::...`. */
export function intrinsicOf(value: unknown): { readonly name: string; readonly arg: unknown } | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const name = keys[0] as string;
  return name === 'Ref' || name.startsWith('Fn::') ? { name, arg: value[name] } : undefined;
}

/**
 * The value with every intrinsic function resolved; `NO_VALUE` when the whole value is `Ref: AWS::NoValue`. Object
 * properties and list elements that resolve to `AWS::NoValue` are removed, as CloudFormation removes them.
 */
export function resolveValue(value: unknown, path: string, scope: TemplateScope, depth = 0): Resolution {
  if (depth > MAX_DEPTH) return unresolved(path, `nested more than ${MAX_DEPTH} levels deep`);
  const fn = intrinsicOf(value);
  if (fn !== undefined) return callIntrinsic(fn.name, fn.arg, path, scope, depth + 1);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const r = resolveValue(value[i], at(path, i), scope, depth + 1);
      if (!r.ok) return r;
      if (r.value !== NO_VALUE) out.push(r.value);
    }
    return ok(out);
  }
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const r = resolveValue(v, at(path, key), scope, depth + 1);
      if (!r.ok) return r;
      if (r.value !== NO_VALUE) out[key] = r.value;
    }
    return ok(out);
  }
  return ok(value);
}

/** A resolved value as the string a function argument must be (numbers are written as CloudFormation writes them). */
function asString(r: Resolution, path: string, what: string): Resolution {
  if (!r.ok) return r;
  if (typeof r.value === 'string') return r;
  if (typeof r.value === 'number' || typeof r.value === 'boolean') return ok(String(r.value));
  return unresolved(path, `${what} must be a string, got ${r.value === NO_VALUE ? 'AWS::NoValue' : describe(r.value)}`);
}

function asList(r: Resolution, path: string, what: string): Resolution {
  if (!r.ok) return r;
  return Array.isArray(r.value) ? r : unresolved(path, `${what} must be a list, got ${describe(r.value)}`);
}

/** Arguments given as a list of `n` (the shape every function but Ref, Base64 and the string form of GetAtt and Sub takes). */
function listArgs(name: string, arg: unknown, n: number, path: string): unknown[] | Resolution {
  if (!Array.isArray(arg) || arg.length !== n) return unresolved(path, `${name} takes a list of ${n} arguments, got ${describe(arg)}`);
  return arg;
}

const DEPLOY_TIME: Readonly<Record<string, string>> = {
  'Fn::ImportValue': "reads another stack's export, known only when deployed",
  'Fn::GetAZs': "lists the region's availability zones, known only when deployed",
  'Fn::Cidr': 'is not resolved by the emulator',
  'Fn::Transform': 'runs a macro at deployment',
};

function callIntrinsic(name: string, arg: unknown, valuePath: string, scope: TemplateScope, depth: number): Resolution {
  const argPath = at(valuePath, name);
  const sub = (v: unknown, p: string): Resolution => resolveValue(v, p, scope, depth);
  switch (name) {
    case 'Ref':
      if (typeof arg !== 'string') return unresolved(argPath, `Ref must name a parameter or a resource, got ${describe(arg)}`);
      return scope.ref(arg, valuePath);
    case 'Fn::GetAtt': {
      let parts: unknown[];
      if (typeof arg === 'string') {
        const dot = arg.indexOf('.');
        parts = dot < 0 ? [arg] : [arg.slice(0, dot), arg.slice(dot + 1)];
      } else parts = Array.isArray(arg) ? arg : [];
      if (parts.length !== 2 || typeof parts[0] !== 'string')
        return unresolved(argPath, `Fn::GetAtt takes [resource, attribute] or "resource.attribute", got ${describe(arg)}`);
      const attribute = asString(sub(parts[1], at(argPath, 1)), at(argPath, 1), 'the attribute name');
      if (!attribute.ok) return attribute;
      return scope.getAtt(parts[0], attribute.value as string, valuePath);
    }
    case 'Fn::Sub':
      return substitute(arg, argPath, scope, depth);
    case 'Fn::Join': {
      const args = listArgs(name, arg, 2, argPath);
      if (!Array.isArray(args)) return args;
      if (typeof args[0] !== 'string') return unresolved(at(argPath, 0), `the delimiter must be a string, got ${describe(args[0])}`);
      const list = asList(sub(args[1], at(argPath, 1)), at(argPath, 1), 'the values to join');
      if (!list.ok) return list;
      const parts: string[] = [];
      for (const [i, v] of (list.value as unknown[]).entries()) {
        const s = asString(ok(v), at(at(argPath, 1), i), 'each value joined');
        if (!s.ok) return s;
        parts.push(s.value as string);
      }
      return ok(parts.join(args[0]));
    }
    case 'Fn::Select': {
      const args = listArgs(name, arg, 2, argPath);
      if (!Array.isArray(args)) return args;
      const index = asString(sub(args[0], at(argPath, 0)), at(argPath, 0), 'the index');
      if (!index.ok) return index;
      const list = asList(sub(args[1], at(argPath, 1)), at(argPath, 1), 'the values to select from');
      if (!list.ok) return list;
      const values = list.value as unknown[];
      const i = /^\d+$/.test(index.value as string) ? Number(index.value) : -1;
      if (i < 0 || i >= values.length)
        return unresolved(at(argPath, 0), `index ${String(index.value)} is outside the ${values.length} values`);
      return ok(values[i]);
    }
    case 'Fn::Split': {
      const args = listArgs(name, arg, 2, argPath);
      if (!Array.isArray(args)) return args;
      if (typeof args[0] !== 'string' || args[0] === '')
        return unresolved(at(argPath, 0), `the delimiter must be a non-empty string, got ${describe(args[0])}`);
      const source = asString(sub(args[1], at(argPath, 1)), at(argPath, 1), 'the value to split');
      return source.ok ? ok((source.value as string).split(args[0])) : source;
    }
    case 'Fn::If': {
      const args = listArgs(name, arg, 3, argPath);
      if (!Array.isArray(args)) return args;
      if (typeof args[0] !== 'string') return unresolved(at(argPath, 0), `Fn::If names a condition (a string), got ${describe(args[0])}`);
      const holds = scope.condition(args[0], at(argPath, 0));
      if (!holds.ok) return holds;
      const branch = holds.value === true ? 1 : 2;
      return sub(args[branch], at(argPath, branch));
    }
    case 'Fn::FindInMap': {
      const args = listArgs(name, arg, 3, argPath);
      if (!Array.isArray(args)) return args;
      const keys: string[] = [];
      for (let i = 0; i < 3; i++) {
        const k = asString(sub(args[i], at(argPath, i)), at(argPath, i), 'each Fn::FindInMap key');
        if (!k.ok) return k;
        keys.push(k.value as string);
      }
      return scope.mapping(keys[0] as string, keys[1] as string, keys[2] as string, valuePath);
    }
    case 'Fn::Base64': {
      const s = asString(sub(arg, argPath), argPath, 'the value to encode');
      return s.ok ? ok(Buffer.from(s.value as string, 'utf8').toString('base64')) : s;
    }
    case 'Fn::Equals':
    case 'Fn::And':
    case 'Fn::Or':
    case 'Fn::Not':
      return evaluateCondition({ [name]: arg }, valuePath, scope, depth);
  }
  const why = DEPLOY_TIME[name];
  return unresolved(valuePath, why === undefined ? `${name} is not an intrinsic function the emulator resolves` : `${name} ${why}`);
}

/** `Fn::Sub`: `${Name}` (a variable, parameter, pseudo parameter or resource), `${Resource.Attribute}`, `${!Literal}`. */
function substitute(arg: unknown, argPath: string, scope: TemplateScope, depth: number): Resolution {
  let text: unknown = arg;
  let variables: Record<string, unknown> = {};
  let varsPath = argPath;
  if (Array.isArray(arg)) {
    if (arg.length !== 2 || !isObject(arg[1])) return unresolved(argPath, 'Fn::Sub takes a string, or [string, {variables}]');
    text = arg[0];
    variables = arg[1];
    varsPath = at(argPath, 1);
  }
  const textPath = Array.isArray(arg) ? at(argPath, 0) : argPath;
  if (typeof text !== 'string') return unresolved(textPath, `Fn::Sub substitutes into a string, got ${describe(text)}`);
  let out = '';
  let from = 0;
  for (let open = text.indexOf('${', from); open >= 0; open = text.indexOf('${', from)) {
    const close = text.indexOf('}', open + 2);
    if (close < 0) break;
    out += text.slice(from, open);
    const inner = text.slice(open + 2, close);
    from = close + 1;
    if (inner.startsWith('!')) {
      out += '${' + inner.slice(1) + '}';
      continue;
    }
    let r: Resolution;
    if (Object.prototype.hasOwnProperty.call(variables, inner)) r = resolveValue(variables[inner], at(varsPath, inner), scope, depth);
    else {
      const dot = inner.indexOf('.');
      r = dot < 0 ? scope.ref(inner, textPath) : scope.getAtt(inner.slice(0, dot), inner.slice(dot + 1), textPath);
    }
    const s = asString(r, textPath, `\${${inner}}`);
    if (!s.ok) return s;
    out += s.value as string;
  }
  return ok(out + text.slice(from));
}

/**
 * A condition function (`Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, or `{"Condition": name}`) as a boolean. `And` and
 * `Or` are decided by their known operands when those settle it.
 */
export function evaluateCondition(value: unknown, path: string, scope: TemplateScope, depth = 0): Resolution {
  if (depth > MAX_DEPTH) return unresolved(path, `nested more than ${MAX_DEPTH} levels deep`);
  if (isObject(value) && Object.keys(value).length === 1 && typeof value['Condition'] === 'string') {
    return scope.condition(value['Condition'], at(path, 'Condition'));
  }
  const fn = intrinsicOf(value);
  if (fn === undefined)
    return unresolved(path, `a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or {"Condition": name}, got ${describe(value)}`);
  const argPath = at(path, fn.name);
  switch (fn.name) {
    case 'Fn::Equals': {
      const args = listArgs(fn.name, fn.arg, 2, argPath);
      if (!Array.isArray(args)) return args;
      const values: unknown[] = [];
      for (let i = 0; i < 2; i++) {
        const r = resolveValue(args[i], at(argPath, i), scope, depth + 1);
        if (!r.ok) return r;
        values.push(r.value);
      }
      return ok(comparable(values[0]) === comparable(values[1]));
    }
    case 'Fn::Not': {
      const args = listArgs(fn.name, fn.arg, 1, argPath);
      if (!Array.isArray(args)) return args;
      const r = evaluateCondition(args[0], at(argPath, 0), scope, depth + 1);
      return r.ok ? ok(r.value !== true) : r;
    }
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(fn.arg) || fn.arg.length < 2 || fn.arg.length > 10)
        return unresolved(argPath, `${fn.name} takes a list of 2 to 10 conditions, got ${describe(fn.arg)}`);
      const settles = fn.name === 'Fn::Or'; // the operand value that decides the whole
      let first: Resolution | undefined;
      for (let i = 0; i < fn.arg.length; i++) {
        const r = evaluateCondition(fn.arg[i], at(argPath, i), scope, depth + 1);
        if (r.ok && r.value === settles) return ok(settles);
        if (!r.ok) first ??= r;
      }
      return first ?? ok(!settles);
    }
  }
  return unresolved(path, `${fn.name} is not a condition function`);
}

/** Values as Fn::Equals compares them: scalars by their text (YAML may give 1 where JSON gives "1"), lists and objects by their JSON. */
function comparable(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}
