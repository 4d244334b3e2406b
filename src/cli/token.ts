/** `sts-emulator token`: print one signed token on stdout and nothing else there. */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { providersWhere, type LoadedConfig } from '../config/index.js';
import {
  oldFlagOf,
  type OidcProvider,
  type PresetName,
  presetNamed,
  presetOf as presetOfIssuer,
  presetOptionProblems,
  PRESETS,
} from '../identity/index.js';
import { HELP } from './help.js';
import { chooseIssuer, emulatedProviders, mintPresetClaims, signFor } from '../api/index.js';
import { COMMON_ARGS, commonOptions, type Io, loadCommonConfig, parseClaimsJson, processIo, str, UsageError } from './options.js';

type FlagConfig = { readonly type: 'string' | 'boolean'; readonly multiple?: true };

/** A preset's flags (`--org-id`, `--context-id` repeatable, `--v1`, ...): its options that have one, from its schema. */
function presetFlags(preset: PresetName): ReadonlyMap<string, FlagConfig> {
  const flags = new Map<string, FlagConfig>();
  for (const o of Object.values(presetNamed(preset).options)) {
    if (o.flag !== undefined)
      flags.set(
        o.flag,
        o.kind === 'boolean' ? { type: 'boolean' } : o.kind === 'strings' ? { type: 'string', multiple: true } : { type: 'string' },
      );
  }
  return flags;
}

const FLAGS_OF: ReadonlyMap<PresetName, ReadonlyMap<string, FlagConfig>> = new Map(PRESETS.map((p) => [p, presetFlags(p)]));
const EVERY_PRESET_FLAG = new Map([...FLAGS_OF.values()].flatMap((flags) => [...flags]));

/** Flags that shape a preset's claims (so `explain` with only these still builds preset claims). */
export const PRESET_SHAPING_ARGS: readonly string[] = [...EVERY_PRESET_FLAG.keys()];

/** Flags shaping the claims; shared by `token` and `explain`. */
export const TOKEN_ARGS = {
  preset: { type: 'string' },
  issuer: { type: 'string' },
  claims: { type: 'string' },
  ttl: { type: 'string' },
  ...(Object.fromEntries(EVERY_PRESET_FLAG) as Readonly<Record<string, FlagConfig>>),
} as const;

/** The flags of earlier versions (`--event-name`), each with the flag that replaced it. */
const RENAMED_FLAGS: ReadonlyMap<string, string> = new Map(
  PRESETS.flatMap((p) => {
    const preset = presetNamed(p);
    return Object.entries(preset.renamed ?? {}).map(([old, now]): [string, string] => [
      oldFlagOf(old),
      preset.options[now]?.flag ?? oldFlagOf(now),
    ]);
  }),
);

/** A usage error naming the new flag when argv gives one an earlier version had (parseArgs would say only "Unknown"). */
export function refuseRenamedFlags(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === '--') return;
    const now = arg.startsWith('--') ? RENAMED_FLAGS.get(arg.slice(2).split('=')[0] as string) : undefined;
    if (now !== undefined) throw new UsageError(`${arg.split('=')[0] as string} was renamed --${now}`);
  }
}

type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>;

export function presetOf(text: string | undefined): PresetName {
  const p = text ?? 'circleci';
  if (!(PRESETS as readonly string[]).includes(p)) throw new UsageError(`unknown preset '${p}' (known: ${PRESETS.join(', ')})`);
  return p as PresetName;
}

export function parseTtl(text: string | undefined): number {
  if (text === undefined) return 3600;
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw new UsageError(`--ttl must be a positive whole number of seconds, got '${text}'`);
  return Number(text);
}

/**
 * The issuer and preset for preset-shaped claims: --issuer names the issuer (the preset follows it unless
 * --preset says otherwise); --preset picks its issuer; neither: CircleCI, or the only emulated issuer.
 */
export function resolvePreset(config: LoadedConfig, policiesDir: string, v: Flags): { provider: OidcProvider; preset: PresetName } {
  const explicit = str(v, 'preset') === undefined ? undefined : presetOf(str(v, 'preset'));
  const issuer = str(v, 'issuer');
  let provider: OidcProvider;
  let preset: PresetName;
  if (issuer !== undefined) {
    provider = chooseIssuer(config, providersWhere(config, policiesDir), { issuer });
    preset = explicit ?? presetOfIssuer(provider) ?? 'circleci';
  } else if (explicit !== undefined) {
    provider = chooseIssuer(config, providersWhere(config, policiesDir), { preset: explicit });
    preset = explicit;
  } else {
    const circle = emulatedProviders(config).filter((p) => presetOfIssuer(p) === 'circleci');
    provider = chooseIssuer(config, providersWhere(config, policiesDir), circle.length > 0 ? { preset: 'circleci' } : {});
    preset = presetOfIssuer(provider) ?? 'circleci';
  }
  const own = FLAGS_OF.get(preset);
  const misplaced = [...EVERY_PRESET_FLAG.keys()].find((f) => own?.has(f) !== true && v[f] !== undefined);
  if (misplaced !== undefined) {
    const owners = PRESETS.filter((p) => FLAGS_OF.get(p)?.has(misplaced) === true);
    throw new UsageError(`--${misplaced} applies to --preset ${owners.join(', ')}, not ${preset}`);
  }
  return { provider, preset };
}

/**
 * A preset's options from command-line flags (each option's flag, from the preset's schema), checked against the
 * schema (choices, conflicts) with the problems spelled as flags.
 */
export function optionsFromFlags(preset: PresetName, v: Flags): Record<string, unknown> {
  const schema = presetNamed(preset).options;
  const options: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(schema)) {
    if (o.flag === undefined) continue;
    const given = v[o.flag];
    const value =
      o.kind === 'boolean'
        ? given === true
          ? true
          : undefined
        : o.kind === 'strings'
          ? Array.isArray(given)
            ? given
            : undefined
          : str(v, o.flag);
    if (value !== undefined) options[name] = value;
  }
  const flagOf = (option: string): string => `--${schema[option]?.flag ?? option}`;
  const problem = presetOptionProblems(presetNamed(preset), options, flagOf)[0];
  if (problem !== undefined) throw new UsageError(problem.option === '' ? problem.message : `${flagOf(problem.option)} ${problem.message}`);
  return options;
}

/** Claims for a preset from command-line flags, then --claims merged over them. */
export function claimsFromFlags(preset: PresetName, provider: OidcProvider, v: Flags, now: Date): Record<string, unknown> {
  const t = { now, ttlSeconds: parseTtl(str(v, 'ttl')) };
  const base = mintPresetClaims(preset, provider, optionsFromFlags(preset, v), t, randomUUID());
  const extra = str(v, 'claims');
  return extra === undefined ? base : { ...base, ...parseClaimsJson(extra) };
}

export async function token(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo()): Promise<number> {
  refuseRenamedFlags(argv);
  const { values } = parseArgs({ args: argv, options: { ...COMMON_ARGS, ...TOKEN_ARGS }, strict: true, allowPositionals: false });
  if (values.help === true) {
    io.stdout(HELP['token'] + '\n');
    return 0;
  }
  const common = commonOptions(values, env, io.cwd);
  // Flag problems before touching the configuration, so they read as usage errors.
  if (values.preset !== undefined) optionsFromFlags(presetOf(values.preset), values);
  parseTtl(values.ttl);
  if (values.claims !== undefined) parseClaimsJson(values.claims);
  const config = await loadCommonConfig(common);
  const { provider, preset } = resolvePreset(config, common.policies, values);
  const claims = claimsFromFlags(preset, provider, values, new Date());
  io.stdout((await signFor(provider, claims)) + '\n');
  return 0;
}
