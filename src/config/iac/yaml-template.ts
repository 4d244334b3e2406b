/**
 * A CloudFormation template written in YAML, read into the JSON form CloudFormation itself works on: the short-form tags
 * (`!Ref X`, `!GetAtt R.Arn`, `!Sub`, `!Join`, `!If`, `!Equals` ...) become their long forms (`{"Ref": "X"}`,
 * `{"Fn::GetAtt": ["R", "Arn"]}` ...), and where each value is written is kept for reports. Duplicate keys, unknown
 * tags and more than a hundred aliases are refused with their line and column.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { lineAndColumn, pathSegments, withoutBom, type DescribeOptions, type SourcePositions, type SourceRegion } from '../json-file.js';

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

/** Aliases expanded at most (a few aliases nested can otherwise stand for billions of nodes). */
const MAX_ALIASES = 100;

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
    doc = parseDocument(body, { uniqueKeys: true, prettyErrors: false, version: '1.2' });
  } catch (e) {
    return { ok: false, message: `invalid YAML: ${(e as Error).message}` };
  }
  const error = doc.errors[0];
  if (error !== undefined) {
    // A file reached through a symbolic link may be anyone's: its error is named by code, never quoted.
    const what = options.quote === false ? error.code : error.message;
    return { ok: false, message: `invalid YAML at ${where(error.pos[0])}: ${what}` };
  }
  const budget = { aliases: 0 };
  try {
    const value = toValue(doc.contents, doc, budget);
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

function toValue(node: unknown, doc: Document.Parsed, budget: { aliases: number }): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    if (++budget.aliases > MAX_ALIASES) throw new YamlRefusal(`more than ${MAX_ALIASES} aliases`, offsetOf(node));
    return toValue(node.resolve(doc), doc, budget);
  }
  let value: unknown;
  if (isScalar(node)) value = typeof node.value === 'bigint' ? Number(node.value) : node.value;
  else if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      if (!isScalar(key)) throw new YamlRefusal('a mapping key must be a plain value', offsetOf(pair.key as Node));
      // defineProperty: a key named __proto__ stays a key, as JSON.parse keeps it.
      Object.defineProperty(out, String(key.value), {
        value: toValue(pair.value, doc, budget),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    value = out;
  } else if (isSeq(node)) value = node.items.map((item) => toValue(item, doc, budget));
  else throw new YamlRefusal('unexpected YAML node', offsetOf(node as Node));
  const tag = (node as { tag?: string }).tag;
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
        const here: unknown = isAlias(node) ? node.resolve(doc) : node;
        let next: unknown;
        if (typeof segment === 'string' && isMap(here))
          next = here.items.find((p) => isScalar(p.key) && String(p.key.value) === segment)?.value;
        else if (typeof segment === 'number' && isSeq(here)) next = here.items[segment];
        if (next === undefined || next === null) break;
        node = next;
      }
      const range = (node as Node | null)?.range;
      if (range === undefined || range === null) return undefined;
      return { offset: range[0], length: range[1] - range[0], ...lineAndColumn(body, range[0]) };
    },
  };
}
