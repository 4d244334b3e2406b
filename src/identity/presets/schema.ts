/**
 * What a claim preset is: an option schema (the one description that drives the `token` / `explain` flags, the
 * case-file and package-API validation, and the API's option types) and a pure claims builder (options, time and the
 * issuer in; a claims object out). Each provider's preset lives in its own file beside this one.
 */

/** The presets the emulator mints, in the provider-kind table's order. */
export type PresetName = 'circleci' | 'github' | 'gitlab' | 'terraform' | 'bitbucket' | 'eks';

export type OptionKind = 'string' | 'boolean' | 'strings';

/** One option a preset accepts. */
export interface PresetOption {
  readonly kind: OptionKind;
  /** The `token` / `explain` flag that sets it; none for options only case files and the API give. */
  readonly flag?: string;
  /** What the flag's value looks like in --help (`uuid`, `owner/repo`); booleans have none. */
  readonly value?: string;
  /** One line of --help. */
  readonly help: string;
  /** The value when the option is not given; options without one are derived from others (see the builder). */
  readonly default?: string | boolean | readonly string[];
  /** The only values a string option takes. */
  readonly choices?: readonly string[];
}

export type OptionSchema = Readonly<Record<string, PresetOption>>;

type ValueOf<O extends PresetOption> = O['kind'] extends 'boolean'
  ? boolean
  : O['kind'] extends 'strings'
    ? readonly string[]
    : O extends { readonly choices: readonly (infer C)[] }
      ? C
      : string;

/** The options object a schema describes; every option may be left out. */
export type OptionsOf<S extends OptionSchema> = { readonly [K in keyof S]?: ValueOf<S[K]> | undefined };

export interface TimeOptions {
  readonly now: Date;
  readonly ttlSeconds: number;
}

/** The issuer a preset's claims are signed by. */
export interface PresetIssuer {
  readonly url: string;
  /** The organisation its provider name carries (CircleCI's org id, a GitHub enterprise, a Bitbucket workspace). */
  readonly org: string | undefined;
}

/** Spells an option as the caller knows it: `--branch` on the command line, `branch` in a case file. */
export type Spell = (option: string) => string;

export interface Preset<S extends OptionSchema = OptionSchema> {
  readonly name: PresetName;
  /** For messages: 'CircleCI', 'GitHub Actions'. */
  readonly label: string;
  /** The provider's page the claim shapes come from (README and the tests cite it). */
  readonly source: string;
  readonly options: S;
  /** Options of earlier versions, by their old name: the option that replaced them (for a message, never a second name). */
  readonly renamed?: Readonly<Record<string, string>>;
  /** Combinations of valid options that cannot be used together; one message each. */
  conflicts(o: OptionsOf<S>, spell: Spell): string[];
  /** The claims; `jti` is the token id, for presets whose tokens carry one. */
  claims(issuer: PresetIssuer, options: OptionsOf<S>, t: TimeOptions, jti?: string): Record<string, unknown>;
}

/** What a caller may give for an option of each kind, and the message when it does not. */
const OPTION_CHECKS: Record<OptionKind, { readonly ok: (v: unknown) => boolean; readonly message: string }> = {
  string: { ok: (v) => typeof v === 'string' && v !== '', message: 'must be a non-empty string' },
  boolean: { ok: (v) => typeof v === 'boolean', message: 'must be true or false' },
  strings: {
    ok: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== ''),
    message: 'must be a list of non-empty strings',
  },
};

/** The command-line flag an option of an earlier version had: its name in kebab case (`eventName` -> `event-name`). */
export function oldFlagOf(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The problem of one option's value, if any ('' when it can be used). */
function valueProblem(spec: PresetOption, v: unknown): string {
  if (!OPTION_CHECKS[spec.kind].ok(v)) return OPTION_CHECKS[spec.kind].message;
  if (spec.choices !== undefined && !spec.choices.includes(v as string))
    return `must be one of ${spec.choices.join(', ')}, got '${String(v)}'`;
  return '';
}

/**
 * The problems of options given for a preset (case files, flags, the package API): unknown options, values of the
 * wrong kind or outside their choices, then (when every value is usable) the preset's conflicts (`option` '' then).
 * Empty when the options can be used. `spell` names options in conflict messages.
 */
export function presetOptionProblems(
  preset: Preset,
  options: Readonly<Record<string, unknown>>,
  spell: Spell = (o) => o,
): { option: string; message: string }[] {
  const schema = preset.options;
  const problems: { option: string; message: string }[] = [];
  for (const [k, v] of Object.entries(options)) {
    const spec = Object.hasOwn(schema, k) ? schema[k] : undefined;
    const renamed = preset.renamed !== undefined && Object.hasOwn(preset.renamed, k) ? preset.renamed[k] : undefined;
    if (spec === undefined && renamed !== undefined) {
      problems.push({ option: k, message: `was renamed ${spell(renamed)}` });
      continue;
    }
    if (spec === undefined) {
      problems.push({ option: k, message: `unknown option of preset ${preset.name} (known: name, ${Object.keys(schema).join(', ')})` });
      continue;
    }
    if (v === undefined) continue;
    const problem = valueProblem(spec, v);
    if (problem !== '') problems.push({ option: k, message: problem });
  }
  if (problems.length > 0) return problems;
  return preset.conflicts(options as OptionsOf<OptionSchema>, spell).map((message) => ({ option: '', message }));
}

// ---- Helpers the presets share ----

/** iat and exp (iat + ttl) in seconds. */
export function times(t: TimeOptions): { iat: number; exp: number } {
  const iat = Math.floor(t.now.getTime() / 1000);
  return { iat, exp: iat + t.ttlSeconds };
}

/** 'give a or b, not both' for each pair of options given together. */
export function exclusive(o: Readonly<Record<string, unknown>>, spell: Spell, ...groups: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  for (const group of groups) {
    const given = group.filter((k) => o[k] !== undefined);
    if (given.length === 2) out.push(`give ${given.map(spell).join(' or ')}, not both`);
    else if (given.length > 2) out.push(`give only one of ${given.map(spell).join(', ')}`);
  }
  return out;
}

/** The verb agreeing with a list of one or more options. */
export function verb(list: readonly unknown[], one: string, several: string): string {
  return list.length === 1 ? one : several;
}

/** A git ref from the options a preset offers: the full ref, else refs/heads/<branch>, else refs/tags/<tag>, else the fallback. */
export function gitRef(
  o: { readonly ref?: string | undefined; readonly branch?: string | undefined; readonly tag?: string | undefined },
  fallback: string,
): string {
  if (o.ref !== undefined) return o.ref;
  if (o.branch !== undefined) return `refs/heads/${o.branch}`;
  if (o.tag !== undefined) return `refs/tags/${o.tag}`;
  return fallback;
}

/**
 * The claims without those left undefined (the optional ones not given), in the order written. Presets write one
 * literal in the provider's claim order with `undefined` for an absent claim: V8 builds a literal that starts with a
 * conditional spread (`...(jti === undefined ? {} : { jti })`) slowly, about 1 µs per property after it.
 */
export function definedClaims(claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(claims)) if (claims[key] !== undefined) out[key] = claims[key];
  return out;
}

/** A demo commit SHA (40 hex digits) the presets put where the provider sends the commit. */
export const DEMO_SHA = '0123456789abcdef0123456789abcdef01234567';
