/**
 * A CloudFormation template written in YAML, read into the JSON form CloudFormation itself works on: the short-form tags
 * (`!Ref X`, `!GetAtt R.Arn`, `!Sub`, `!Join`, `!If`, `!Equals` ...) become their long forms (`{"Ref": "X"}`,
 * `{"Fn::GetAtt": ["R", "Arn"]}` ...), and where each value is written is kept for reports. YAML 1.1 as CloudFormation
 * reads it ("CloudFormation template format": "supports the YAML Version 1.1 specification" without "the binary, omap,
 * pairs, set, and timestamp tags", "Aliases", "Hash merges"): `yes`/`no`/`on`/`off` are booleans, `0700` is octal, a
 * date stays text; aliases, those tags, duplicate keys and unknown tags are refused with their line and column.
 */
import { createRequire } from 'node:module';
import type { Document, Node, Tags } from 'yaml';
import { lineAndColumn, pathSegments, withoutBom, type DescribeOptions, type SourcePositions, type SourceRegion } from '../json-file.js';

/** The yaml package, loaded on the first YAML template (it is most of the start-up cost of a server that reads none). */
let loaded: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  return (loaded ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
}

export type YamlResult =
  { readonly ok: true; readonly value: unknown; readonly positions: SourcePositions } | { readonly ok: false; readonly message: string };

/** The short forms CloudFormation defines: `!Name` is `Fn::Name`, except `!Ref` and `!Condition`. */
const SHORT_FORMS = new Set([
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'ToJsonString',
  'Length',
]);

/** The YAML 1.1 types CloudFormation does not support: refused when written (`!!set`), never inferred (a date is text). */
const UNSUPPORTED_TYPES = new Set(['binary', 'omap', 'pairs', 'set', 'timestamp'].map((t) => `tag:yaml.org,2002:${t}`));

/** YAML 1.1's decimal integer is `[-+]?(0|[1-9][0-9_]*)`: `012345678901` (not octal, with an 8 or 9) is text. */
const DECIMAL_1_1 = /^[-+]?(?:0|[1-9][0-9_]*)$/;

/** The YAML 1.1 schema CloudFormation reads: without the unsupported types, with 1.1's own decimal integers. */
function cloudFormationTags(tags: Tags): Tags {
  const out: Tags = [];
  for (const t of tags) {
    if (typeof t === 'string' || UNSUPPORTED_TYPES.has(t.tag)) continue;
    const decimal = t.tag === 'tag:yaml.org,2002:int' && t.format === undefined && !('collection' in t && t.collection !== undefined);
    out.push(decimal ? Object.assign(Object.create(Object.getPrototypeOf(t) as object) as typeof t, t, { test: DECIMAL_1_1 }) : t);
  }
  return out;
}

class YamlRefusal extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Parses YAML template text; never throws. */
export function parseYamlTemplate(text: string, options: DescribeOptions = {}): YamlResult {
  const body = withoutBom(text);
  const where = (offset: number): string => {
    const { line, column } = lineAndColumn(body, offset);
    return `line ${line}, column ${column}`;
  };
  let doc: Document.Parsed;
  try {
    doc = yaml().parseDocument(body, {
      uniqueKeys: true,
      prettyErrors: false,
      version: '1.1',
      merge: false,
      customTags: cloudFormationTags,
    });
  } catch (e) {
    return { ok: false, message: `invalid YAML: ${(e as Error).message}` };
  }
  const error = doc.errors[0];
  if (error !== undefined) {
    // A file reached through a symbolic link may be anyone's: its error is named by code, never quoted.
    const what = options.quote === false ? error.code : error.message;
    return { ok: false, message: `invalid YAML at ${where(error.pos[0])}: ${what}` };
  }
  try {
    const value = toValue(doc.contents);
    return { ok: true, value, positions: yamlPositions(body, doc) };
  } catch (e) {
    if (e instanceof YamlRefusal) return { ok: false, message: `invalid YAML template at ${where(e.offset)}: ${e.message}` };
    if (e instanceof RangeError) return { ok: false, message: 'invalid YAML template: nested too deeply' };
    throw e;
  }
}

function offsetOf(node: Node | null | undefined): number {
  return node?.range?.[0] ?? 0;
}

function toValue(node: unknown): unknown {
  if (node === null || node === undefined) return null;
  if (yaml().isAlias(node)) throw new YamlRefusal('CloudFormation does not allow YAML aliases', offsetOf(node));
  const tag = (node as { tag?: string }).tag;
  if (tag !== undefined && UNSUPPORTED_TYPES.has(tag))
    throw new YamlRefusal(`CloudFormation does not support the YAML type !!${tag.slice(tag.lastIndexOf(':') + 1)}`, offsetOf(node as Node));
  let value: unknown;
  if (yaml().isScalar(node)) value = typeof node.value === 'bigint' ? Number(node.value) : node.value;
  else if (yaml().isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      if (yaml().isAlias(pair.key)) throw new YamlRefusal('CloudFormation does not allow YAML aliases', offsetOf(pair.key));
      const key = pair.key;
      if (!yaml().isScalar(key)) throw new YamlRefusal('a mapping key must be a plain value', offsetOf(pair.key as Node));
      // defineProperty: a key named __proto__ stays a key, as JSON.parse keeps it.
      Object.defineProperty(out, String(key.value), {
        value: toValue(pair.value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    value = out;
  } else if (yaml().isSeq(node)) value = node.items.map((item) => toValue(item));
  else throw new YamlRefusal('unexpected YAML node', offsetOf(node as Node));
  return tag === undefined || !tag.startsWith('!') ? value : longForm(tag.slice(1), value, offsetOf(node as Node));
}

/** `!Name value` as CloudFormation's long form. */
function longForm(name: string, value: unknown, offset: number): unknown {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  if (!SHORT_FORMS.has(name))
    throw new YamlRefusal(`unknown tag !${name} (CloudFormation's short forms are !Ref, !GetAtt, !Sub, ...)`, offset);
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

/** Where the value at a dotted path is written (or its nearest ancestor written in the file, such as a tagged value). */
function yamlPositions(body: string, doc: Document.Parsed): SourcePositions {
  return {
    locate(path: string): SourceRegion | undefined {
      const segments = pathSegments(path);
      if (segments === undefined) return undefined;
      let node: unknown = doc.contents;
      for (const segment of segments) {
        const here: unknown = yaml().isAlias(node) ? node.resolve(doc) : node;
        let next: unknown;
        if (typeof segment === 'string' && yaml().isMap(here))
          next = here.items.find((p) => yaml().isScalar(p.key) && String(p.key.value) === segment)?.value;
        else if (typeof segment === 'number' && yaml().isSeq(here)) next = here.items[segment];
        if (next === undefined || next === null) break;
        node = next;
      }
      const range = (node as Node | null)?.range;
      if (range === undefined || range === null) return undefined;
      return { offset: range[0], length: range[1] - range[0], ...lineAndColumn(body, range[0]) };
    },
  };
}
