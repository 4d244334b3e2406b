/**
 * Claims an emulated issuer would sign, described by what a caller knows: a preset with its options, claims merged
 * over it (or claims alone, with iss, iat and exp defaulted), and which issuer signs. One description for case files,
 * `explain`, the package API's `mintToken` and `decide`.
 */
import type { LoadedConfig } from '../config/index.js';
import { type OidcProvider, type PresetName, presetNamed, presetOptionProblems, PRESETS, type PresetSpec } from '../identity/index.js';
import { chooseIssuer, IssuerChoiceError, mintPresetClaims } from './issuers.js';

export interface ClaimsSpec {
  /**
   * A preset's name, or its name with its options (`{ name: 'github', trigger: 'pull_request' }`), typed by the
   * preset's option schema and checked against it at run time.
   */
  readonly preset?: PresetName | PresetSpec;
  /** Claims merged over the preset's (or, without a preset, over iss, iat and exp). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Which emulated issuer signs: its Url or provider name (default: the one fitting the preset or `iss`). */
  readonly issuer?: string;
  /** exp = iat + ttlSeconds (default 3600). */
  readonly ttlSeconds?: number;
}

/** The issuer and the claims of a spec at `now`; IssuerChoiceError when the spec cannot be used. */
export function claimsFor(
  config: LoadedConfig,
  where: string,
  spec: ClaimsSpec,
  now: Date,
  jti?: string,
): { provider: OidcProvider; values: Record<string, unknown> } {
  const preset: { readonly name: PresetName } | undefined = typeof spec.preset === 'string' ? { name: spec.preset } : spec.preset;
  if (preset !== undefined && !(PRESETS as readonly unknown[]).includes(preset.name)) {
    throw new IssuerChoiceError(`unknown preset '${String(preset.name)}' (known: ${PRESETS.join(', ')})`);
  }
  const options = preset === undefined ? {} : Object.fromEntries(Object.entries(preset).filter(([k]) => k !== 'name'));
  if (preset !== undefined) {
    const problems = presetOptionProblems(presetNamed(preset.name), options);
    if (problems.length > 0)
      throw new IssuerChoiceError(problems.map((p) => `${p.option === '' ? 'preset' : `preset.${p.option}`}: ${p.message}`).join('; '));
  }
  const provider = chooseIssuer(config, where, { issuer: spec.issuer, preset: preset?.name, iss: spec.claims?.['iss'] });
  const t = { now, ttlSeconds: spec.ttlSeconds ?? 3600 };
  const iat = Math.floor(now.getTime() / 1000);
  const base =
    preset === undefined ? { iss: provider.url, iat, exp: iat + t.ttlSeconds } : mintPresetClaims(preset.name, provider, options, t, jti);
  return { provider, values: { ...base, ...(spec.claims ?? {}) } };
}
