/**
 * Validates a policy document as IAM does, collecting every problem with its dotted JSON path, and
 * compiles it once (wildcards, variable templates, typed condition values) so evaluation parses nothing.
 *
 * Trust policies need Principal, refuse NotPrincipal, Resource and NotResource. Session policies refuse
 * Principal and NotPrincipal and need Resource or NotResource. A missing Version means 2008-10-17,
 * where `${...}` is literal text.
 */
import type { CompiledCondition, CompiledStatement } from './compiled.js';
import { parseOperatorName, type CompiledValue } from './operators.js';
import { childPath, indexPath } from './paths.js';
import type { ParseResult, PolicyKind, PolicyProblem, TrustPolicy } from './types.js';
import type { PrincipalSpec } from './principal.js';
import { compileWildcard, wildcardUnits, type CompiledWildcard } from './wildcard.js';

type Json = Record<string, unknown>;

const VERSIONS = ['2012-10-17', '2008-10-17'] as const;
const TOP_FIELDS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_TYPES = new Set(['Federated', 'AWS', 'Service']);

/** Problem texts used in more than one place (IAM's wording where IAM has one). */
export const PROBLEMS = {
  notObject: 'Policy document must be a JSON object',
  version: "Version must be '2012-10-17' or '2008-10-17'",
  statementShape: 'Statement must be an object or a non-empty array of objects',
  statementMissing: 'Missing required field Statement',
  stringList: 'must be a string or a non-empty array of strings',
  vendor: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  notPrincipalTrust: 'NotPrincipal is not supported in a trust policy',
  principalSession: 'Policy document should not specify a principal.',
  duplicateSid: 'Statement IDs (SID) in a single policy must be unique',
} as const;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Json, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

class Collector {
  readonly problems: PolicyProblem[] = [];
  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }
  /** A string or non-empty array of strings, else a problem (and undefined). */
  strings(value: unknown, path: string, field: string): string[] | undefined {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value as string[];
    this.add(path, `${field} ${PROBLEMS.stringList}`);
    return undefined;
  }
  unknownFields(o: Json, allowed: ReadonlySet<string>, path: string): void {
    for (const key of Object.keys(o)) if (!allowed.has(key)) this.add(childPath(path, key), `Unknown field '${key}'`);
  }
}

function parseActions(c: Collector, value: unknown, path: string, field: string): { actions: CompiledWildcard[]; texts: string[] } {
  const list = c.strings(value, path, field) ?? [];
  const actions: CompiledWildcard[] = [];
  list.forEach((a, i) => {
    const p = typeof value === 'string' ? path : indexPath(path, i);
    if (a !== '*' && !/^[^:]+:[^:]*$/.test(a)) c.add(p, `${PROBLEMS.vendor} (got '${a}')`);
    else actions.push(compileWildcard(wildcardUnits(a.toLowerCase())));
  });
  return { actions, texts: list };
}

function parseResources(c: Collector, value: unknown, path: string, field: string): string[] {
  const list = c.strings(value, path, field) ?? [];
  list.forEach((r, i) => {
    if (r !== '*' && !r.startsWith('arn:')) {
      c.add(typeof value === 'string' ? path : indexPath(path, i), `Resource ${r} must be in ARN format or "*".`);
    }
  });
  return list;
}

function parsePrincipal(c: Collector, value: unknown, path: string): PrincipalSpec | undefined {
  if (value === '*') return { any: true, federated: [], aws: [], service: [] };
  if (!isObject(value) || Object.keys(value).length === 0) {
    c.add(path, 'Principal must be "*" or an object with Federated, AWS or Service');
    return undefined;
  }
  const spec = { any: false, federated: [] as string[], aws: [] as string[], service: [] as string[] };
  for (const [type, v] of Object.entries(value)) {
    const p = childPath(path, type);
    if (!PRINCIPAL_TYPES.has(type)) {
      c.add(p, `Invalid principal type '${type}' (expected Federated, AWS or Service)`);
      continue;
    }
    const list = c.strings(v, p, `Principal.${type}`) ?? [];
    list.forEach((s, i) => {
      const at = typeof v === 'string' ? p : indexPath(p, i);
      if (s === '') c.add(at, 'Invalid principal in policy: empty value');
      else if (type === 'AWS' && s !== '*' && !/^\d{12}$/.test(s) && !s.startsWith('arn:')) {
        c.add(at, `Invalid principal in policy: "AWS":"${s}"`);
      }
    });
    if (type === 'Federated') spec.federated.push(...list);
    else if (type === 'AWS') spec.aws.push(...list);
    else spec.service.push(...list);
  }
  return spec;
}

function conditionValues(c: Collector, value: unknown, path: string): { raw: string; path: string }[] {
  const scalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  if (scalar(value)) return [{ raw: String(value), path }];
  if (Array.isArray(value) && value.length > 0) {
    const out: { raw: string; path: string }[] = [];
    value.forEach((v, i) => {
      if (scalar(v)) out.push({ raw: String(v), path: indexPath(path, i) });
      else c.add(indexPath(path, i), 'Condition value must be a string, number or boolean');
    });
    return out;
  }
  c.add(path, 'Condition value must be a string, number, boolean or a non-empty array of them');
  return [];
}

function parseCondition(c: Collector, value: unknown, path: string, substitute: boolean): CompiledCondition[] {
  if (!isObject(value)) {
    c.add(path, 'Condition must be an object of operator -> { key: value(s) }');
    return [];
  }
  const out: CompiledCondition[] = [];
  for (const [opText, block] of Object.entries(value)) {
    const opPath = childPath(path, opText);
    const operator = parseOperatorName(opText);
    if (typeof operator === 'string') {
      c.add(opPath, operator);
      continue;
    }
    if (!isObject(block)) {
      c.add(opPath, `${opText} must be an object of condition key -> value(s)`);
      continue;
    }
    for (const [key, raw] of Object.entries(block)) {
      const keyPath = childPath(opPath, key);
      if (!/^[^:]+:./.test(key)) c.add(keyPath, `${PROBLEMS.vendor} (condition key '${key}')`);
      const base = operator.def.base;
      const values: CompiledValue[] = [];
      const valuePaths: string[] = [];
      for (const v of conditionValues(c, raw, keyPath)) {
        const compiled = base.compile(v.raw, substitute && base.variables);
        if (typeof compiled === 'string') c.add(v.path, compiled);
        else {
          values.push(compiled);
          valuePaths.push(v.path);
        }
      }
      out.push({
        operator,
        key,
        lookup: key.toLowerCase(),
        values,
        raws: Object.freeze(values.map((v) => v.raw)),
        path: keyPath,
        valuePaths,
      });
    }
  }
  return out;
}

function parseStatement(
  c: Collector,
  s: unknown,
  path: string,
  index: number,
  kind: PolicyKind,
  substitute: boolean,
): CompiledStatement | undefined {
  if (!isObject(s)) {
    c.add(path, 'Statement must be an object');
    return undefined;
  }
  c.unknownFields(s, STATEMENT_FIELDS, path);
  const at = (k: string): string => childPath(path, k);
  const has = (k: string): boolean => Object.hasOwn(s, k);

  const sid = own(s, 'Sid');
  if (sid !== undefined && typeof sid !== 'string') c.add(at('Sid'), 'Sid must be a string');

  const effect = own(s, 'Effect');
  if (effect === undefined) c.add(at('Effect'), 'Missing required field Effect');
  else if (effect !== 'Allow' && effect !== 'Deny') c.add(at('Effect'), "Effect must be 'Allow' or 'Deny'");

  let actions: { actions: CompiledWildcard[]; texts: string[] } = { actions: [], texts: [] };
  if (has('Action') && has('NotAction')) c.add(path, 'Statement must contain only one of Action or NotAction');
  else if (has('Action')) actions = parseActions(c, s['Action'], at('Action'), 'Action');
  else if (has('NotAction')) actions = parseActions(c, s['NotAction'], at('NotAction'), 'NotAction');
  else c.add(at('Action'), 'Missing required field Action');

  let principal: PrincipalSpec | null = null;
  let resources: string[] = [];
  if (kind === 'trust') {
    if (has('NotPrincipal')) c.add(at('NotPrincipal'), PROBLEMS.notPrincipalTrust);
    if (has('Principal')) principal = parsePrincipal(c, s['Principal'], at('Principal')) ?? null;
    else if (!has('NotPrincipal')) c.add(at('Principal'), 'Missing required field Principal');
    for (const k of ['Resource', 'NotResource']) if (has(k)) c.add(at(k), `Has prohibited field ${k}`);
  } else {
    for (const k of ['Principal', 'NotPrincipal']) if (has(k)) c.add(at(k), PROBLEMS.principalSession);
    if (has('Resource') && has('NotResource')) c.add(path, 'Statement must contain only one of Resource or NotResource');
    else if (has('Resource')) resources = parseResources(c, s['Resource'], at('Resource'), 'Resource');
    else if (has('NotResource')) resources = parseResources(c, s['NotResource'], at('NotResource'), 'NotResource');
    else c.add(at('Resource'), 'Missing required field Resource');
  }

  const conditions = has('Condition') ? parseCondition(c, s['Condition'], at('Condition'), substitute) : [];
  return {
    index,
    path,
    sid: typeof sid === 'string' ? sid : undefined,
    effect: effect === 'Deny' ? 'Deny' : 'Allow',
    principal,
    actions: actions.actions,
    actionTexts: actions.texts,
    notAction: has('NotAction'),
    resources,
    notResource: has('NotResource'),
    conditions,
  };
}

function parseUnsafe(doc: unknown, kind: PolicyKind): ParseResult {
  const c = new Collector();
  if (!isObject(doc)) {
    c.add('', PROBLEMS.notObject);
    return { ok: false, problems: c.problems };
  }
  c.unknownFields(doc, TOP_FIELDS, '');
  const v = own(doc, 'Version');
  let version: TrustPolicy['version'] = '2008-10-17';
  if (v !== undefined) {
    if (v === VERSIONS[0] || v === VERSIONS[1]) version = v;
    else c.add('Version', PROBLEMS.version);
  }
  const id = own(doc, 'Id');
  if (id !== undefined && typeof id !== 'string') c.add('Id', 'Id must be a string');

  const substitute = version === '2012-10-17';
  const raw = own(doc, 'Statement');
  const statements: CompiledStatement[] = [];
  const entries: [unknown, string][] =
    raw === undefined ? [] : Array.isArray(raw) ? raw.map((s, i) => [s, indexPath('Statement', i)]) : [[raw, 'Statement']];
  if (raw === undefined) c.add('Statement', PROBLEMS.statementMissing);
  else if (!(isObject(raw) || (Array.isArray(raw) && raw.length > 0))) {
    c.add('Statement', PROBLEMS.statementShape);
    entries.length = 0;
  }
  const sids = new Set<string>();
  entries.forEach(([s, path], i) => {
    const compiled = parseStatement(c, s, path, i, kind, substitute);
    if (compiled === undefined) return;
    if (compiled.sid !== undefined && compiled.sid !== '') {
      if (sids.has(compiled.sid)) c.add(childPath(path, 'Sid'), PROBLEMS.duplicateSid);
      sids.add(compiled.sid);
    }
    statements.push(compiled);
  });
  if (c.problems.length > 0) return { ok: false, problems: c.problems };
  return { ok: true, policy: { kind, version, json: JSON.stringify(doc), statements } };
}

/** Validate and compile a policy document (an already JSON-parsed value). Never throws. */
export function parsePolicy(doc: unknown, kind: PolicyKind): ParseResult {
  try {
    return parseUnsafe(doc, kind);
  } catch (err) {
    return { ok: false, problems: [{ path: '', message: `Policy document could not be read: ${String(err)}` }] };
  }
}
