/**
 * Google's attribute mapping and attribute condition, pure and synchronous (shared/reference/gcp-wif.md §2.2, §2.3):
 * each mapped attribute is a CEL expression over `assertion`; the condition is CEL over `assertion`, `google` and
 * `attribute`. Returns the outcome with a trace: each attribute's value or error, the condition's value or error and,
 * for a condition `a && b && ...`, the first operand that was not true.
 */
import { compileCel, type CelOutcome, type CelProgram } from './cel.js';

/** google.subject (and, by the emulator's choice, every mapped attribute) at most 127 bytes. */
export const MAX_ATTRIBUTE_BYTES = 127;
/** At most 50 custom attributes. */
export const MAX_CUSTOM_ATTRIBUTES = 50;
/** All mapped attributes together at most 8 KB once evaluated. */
export const MAX_MAPPED_BYTES = 8192;
/** A mapping expression at most 2048 characters, a condition at most 4096. */
export const MAX_MAPPING_EXPRESSION_CHARS = 2048;
export const MAX_CONDITION_CHARS = 4096;

/** `google.subject`, `google.groups` or `attribute.<[a-z0-9_]{1,100}>`. */
export const MAPPING_KEY = /^(?:google\.(?:subject|groups)|attribute\.[a-z0-9_]{1,100})$/;

export interface CompiledMapping {
  readonly entries: readonly { readonly key: string; readonly program: CelProgram }[];
}

export type MappedValue = string | readonly string[];

export interface AttributeTrace {
  readonly key: string;
  readonly expression: string;
  readonly outcome: { readonly value: MappedValue } | { readonly error: string };
}

export interface ConditionTrace {
  readonly expression: string;
  readonly outcome: CelOutcome;
  /** The first operand of a top-level `&&` that was not true, with what it gave. */
  readonly failing?: { readonly expression: string; readonly outcome: CelOutcome };
}

export const MAPPING_REASONS = {
  subjectTooLong: 'subject-too-long',
  attributeTooLong: 'attribute-too-long',
  mappedTooLarge: 'mapped-too-large',
  conditionRejected: 'condition-rejected',
  noSubject: 'no-subject',
} as const;

export type MappingReason = (typeof MAPPING_REASONS)[keyof typeof MAPPING_REASONS];

export interface MappingResult {
  readonly allowed: boolean;
  /** Why not, when refused. */
  readonly reason?: MappingReason;
  /** The attribute a size limit refused. */
  readonly attribute?: string;
  readonly subject: string | undefined;
  readonly groups: readonly string[];
  /** Custom attributes by name (without `attribute.`). */
  readonly attributes: Readonly<Record<string, MappedValue>>;
  readonly trace: { readonly attributes: readonly AttributeTrace[]; readonly condition?: ConditionTrace };
}

/** A plain JSON copy of the claims: CEL reads only ordinary objects, and never a prototype. */
export function plainClaims(claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(claims)) as Record<string, unknown>;
}

function mappedValue(outcome: CelOutcome): { value: MappedValue } | { error: string } {
  if (!outcome.ok) return { error: outcome.error };
  const v = outcome.value;
  if (typeof v === 'string') return { value: v };
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return { value: v as string[] };
  if (typeof v === 'number' || typeof v === 'boolean') return { value: String(v) };
  return { error: `the expression gave ${Array.isArray(v) ? 'a list with a value that is not a string' : 'a value that is not a string'}` };
}

const bytes = (v: MappedValue): number =>
  typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);

/**
 * Maps the claims and evaluates the condition, in the emulator's order: every mapping (an expression that errors
 * leaves its attribute unset), the size limits, the condition, then google.subject present.
 */
export function mapAndCheck(
  mapping: CompiledMapping,
  condition: CelProgram | undefined,
  claims: Readonly<Record<string, unknown>>,
): MappingResult {
  const assertion = plainClaims(claims);
  const traces: AttributeTrace[] = [];
  let subject: string | undefined;
  let groups: readonly string[] = [];
  const attributes: Record<string, MappedValue> = {};
  for (const { key, program } of mapping.entries) {
    const outcome = mappedValue(program.run({ assertion }));
    traces.push({ key, expression: program.text, outcome });
    if (!('value' in outcome)) continue;
    if (key === 'google.subject') subject = typeof outcome.value === 'string' ? outcome.value : outcome.value.join(',');
    else if (key === 'google.groups') groups = typeof outcome.value === 'string' ? [outcome.value] : outcome.value;
    else attributes[key.slice('attribute.'.length)] = outcome.value;
  }
  const base = { subject, groups, attributes };
  const refuse = (reason: MappingReason, attribute?: string, conditionTrace?: ConditionTrace): MappingResult => ({
    allowed: false,
    reason,
    ...(attribute === undefined ? {} : { attribute }),
    ...base,
    trace: { attributes: traces, ...(conditionTrace === undefined ? {} : { condition: conditionTrace }) },
  });

  if (subject !== undefined && Buffer.byteLength(subject, 'utf8') > MAX_ATTRIBUTE_BYTES) {
    return refuse(MAPPING_REASONS.subjectTooLong, 'google.subject');
  }
  for (const t of traces) {
    if (t.key === 'google.subject' || t.key === 'google.groups' || !('value' in t.outcome)) continue;
    const v = t.outcome.value;
    if ((typeof v === 'string' ? [v] : v).some((s) => Buffer.byteLength(s, 'utf8') > MAX_ATTRIBUTE_BYTES)) {
      return refuse(MAPPING_REASONS.attributeTooLong, t.key);
    }
  }
  const total = traces.reduce((n, t) => n + ('value' in t.outcome ? bytes(t.outcome.value) : 0), 0);
  if (total > MAX_MAPPED_BYTES) return refuse(MAPPING_REASONS.mappedTooLarge);

  let conditionTrace: ConditionTrace | undefined;
  if (condition !== undefined) {
    const vars = { assertion, google: { subject: subject ?? null, groups: [...groups] }, attribute: { ...attributes } };
    const outcome = condition.run(vars);
    let failing: ConditionTrace['failing'];
    if (!(outcome.ok && outcome.value === true)) {
      for (const part of condition.conjuncts) {
        const o = part.run(vars);
        if (!(o.ok && o.value === true)) {
          failing = { expression: part.text, outcome: o };
          break;
        }
      }
    }
    conditionTrace = { expression: condition.text, outcome, ...(failing === undefined ? {} : { failing }) };
    if (!(outcome.ok && outcome.value === true)) return refuse(MAPPING_REASONS.conditionRejected, undefined, conditionTrace);
  }
  if (subject === undefined || subject === '') return refuse(MAPPING_REASONS.noSubject, 'google.subject', conditionTrace);
  return { allowed: true, ...base, trace: { attributes: traces, ...(conditionTrace === undefined ? {} : { condition: conditionTrace }) } };
}

/** Compiles a mapping given as `{key: expression}`; problems by key (for the loader's JSON paths). */
export function compileMapping(mapping: Readonly<Record<string, string>>): {
  readonly mapping: CompiledMapping;
  readonly problems: readonly { key: string; message: string }[];
} {
  const entries: { key: string; program: CelProgram }[] = [];
  const problems: { key: string; message: string }[] = [];
  for (const [key, text] of Object.entries(mapping)) {
    const compiled = compileCel(text);
    if (compiled.ok) entries.push({ key, program: compiled.program });
    else problems.push({ key, message: `is not a valid CEL expression: ${compiled.message}` });
  }
  // google.subject first, then google.groups, then the custom attributes in the order written.
  const rank = (k: string): number => (k === 'google.subject' ? 0 : k === 'google.groups' ? 1 : 2);
  entries.sort((a, b) => rank(a.key) - rank(b.key));
  return { mapping: { entries }, problems };
}
