/** `sts-emulator token`: print one signed token on stdout and nothing else there. */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import type { LoadedConfig } from '../config/types.js';
import type { OidcProvider } from '../identity/types.js';
import { circleCiClaims, gitHubClaims, PRESETS, type PresetName } from '../identity/presets.js';
import { HELP } from './help.js';
import { chooseIssuer, emulatedProviders, parseClaimsJson, presetOfProvider, signFor } from './issuers.js';
import { COMMON_ARGS, commonOptions, type Io, processIo, str, UsageError } from './options.js';

/** Flags shaping the claims; shared by `token` and `explain`. */
export const TOKEN_ARGS = {
  preset: { type: 'string' },
  issuer: { type: 'string' },
  claims: { type: 'string' },
  ttl: { type: 'string' },
  aud: { type: 'string' },
  branch: { type: 'string' },
  ref: { type: 'string' },
  'org-id': { type: 'string' },
  'project-id': { type: 'string' },
  'user-id': { type: 'string' },
  'vcs-origin': { type: 'string' },
  'context-id': { type: 'string', multiple: true },
  v1: { type: 'boolean' },
  repository: { type: 'string' },
  environment: { type: 'string' },
  actor: { type: 'string' },
  workflow: { type: 'string' },
  'job-workflow-ref': { type: 'string' },
  'event-name': { type: 'string' },
} as const;

/** Flags that only make sense for one preset; giving them to the other is a usage error. */
export const PRESET_ONLY_ARGS: Record<PresetName, readonly string[]> = {
  circleci: ['org-id', 'project-id', 'user-id', 'vcs-origin', 'context-id', 'v1'],
  github: ['repository', 'environment', 'actor', 'workflow', 'job-workflow-ref', 'event-name'],
};

/** Flags that shape a preset's claims (so `explain` with only these still builds preset claims). */
export const PRESET_SHAPING_ARGS: readonly string[] = ['branch', 'ref', 'aud', ...PRESET_ONLY_ARGS.circleci, ...PRESET_ONLY_ARGS.github];

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
    provider = chooseIssuer(config, policiesDir, { issuer });
    preset = explicit ?? presetOfProvider(provider) ?? 'circleci';
  } else if (explicit !== undefined) {
    provider = chooseIssuer(config, policiesDir, { preset: explicit });
    preset = explicit;
  } else {
    const circle = emulatedProviders(config).filter((p) => presetOfProvider(p) === 'circleci');
    provider = chooseIssuer(config, policiesDir, circle.length > 0 ? { preset: 'circleci' } : {});
    preset = presetOfProvider(provider) ?? 'circleci';
  }
  const other: PresetName = preset === 'circleci' ? 'github' : 'circleci';
  const misplaced = PRESET_ONLY_ARGS[other].find((f) => v[f] !== undefined);
  if (misplaced !== undefined) throw new UsageError(`--${misplaced} applies to --preset ${other}, not ${preset}`);
  return { provider, preset };
}

/** Claims for a preset from command-line flags, then --claims merged over them. */
export function claimsFromFlags(preset: PresetName, provider: OidcProvider, v: Flags, now: Date): Record<string, unknown> {
  const t = { now, ttlSeconds: parseTtl(str(v, 'ttl')) };
  const opt = (name: string): string | undefined => str(v, name);
  const pick = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
  if (opt('branch') !== undefined && opt('ref') !== undefined) throw new UsageError('give --branch or --ref, not both');
  // An issuer of another kind (signing preset-shaped claims) gets, by default, an audience it accepts.
  const aud = opt('aud') ?? (presetOfProvider(provider) === preset ? undefined : provider.clientIdList[0]);
  const base =
    preset === 'circleci'
      ? circleCiClaims(provider.url, pick({
          orgId: opt('org-id'), projectId: opt('project-id'), userId: opt('user-id'), vcsOrigin: opt('vcs-origin'),
          branch: opt('branch'), ref: opt('ref'), aud, v1: v['v1'] === true ? true : undefined,
          contextIds: Array.isArray(v['context-id']) ? (v['context-id'] as string[]) : undefined,
        }), t)
      : gitHubClaims(provider.url, pick({
          repository: opt('repository'), branch: opt('branch'), ref: opt('ref'), environment: opt('environment'),
          actor: opt('actor'), workflow: opt('workflow'), jobWorkflowRef: opt('job-workflow-ref'), eventName: opt('event-name'), aud,
        }), t, randomUUID());
  const extra = str(v, 'claims');
  return extra === undefined ? base : { ...base, ...parseClaimsJson(extra) };
}

export async function token(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo()): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...COMMON_ARGS, ...TOKEN_ARGS }, strict: true, allowPositionals: false });
  if (values.help === true) {
    io.stdout(HELP['token'] + '\n');
    return 0;
  }
  const common = commonOptions(values, env, io.cwd);
  // Flag problems before touching the configuration, so they read as usage errors.
  if (values.preset !== undefined) presetOf(values.preset);
  parseTtl(values.ttl);
  if (values.claims !== undefined) parseClaimsJson(values.claims);
  const config = await loadConfig(common.policies, { accountId: common.accountId });
  const { provider, preset } = resolvePreset(config, common.policies, values);
  const claims = claimsFromFlags(preset, provider, values, new Date());
  io.stdout((await signFor(provider, claims)) + '\n');
  return 0;
}
