/** Choosing an emulated issuer and a claim preset, and signing claims with the issuer's key (token, explain, test). */
import type { LoadedConfig } from '../config/index.js';
import { type EmulatedKey, loadOrCreateSigningKey, MAX_CLAIM_DEPTH, nestedDeeperThan, type OidcProvider, presetClaims, type PresetName, presetNamed, presetOfProvider, signToken, type TimeOptions } from '../identity/index.js';
import { UsageError } from './options.js';

export function emulatedProviders(config: LoadedConfig): OidcProvider[] {
  return config.providers.filter((p) => p.keys.kind === 'emulated');
}

/**
 * A preset's claims signed by `provider`. An issuer of another kind (signing preset-shaped claims) gets, by
 * default, an audience it accepts.
 */
export function mintPresetClaims(preset: PresetName, provider: OidcProvider, options: Readonly<Record<string, unknown>>, t: TimeOptions, jti?: string): Record<string, unknown> {
  const aud = presetOfProvider(provider.name) === preset ? undefined : provider.clientIdList[0];
  const withAud = aud === undefined || options['aud'] !== undefined ? options : { ...options, aud };
  return presetClaims(preset, provider.url, withAud, t, jti);
}

export interface IssuerChoice {
  /** --issuer, or a case's issuer: an emulated issuer's Url or provider name. */
  readonly issuer?: string | undefined;
  /** The preset asked for explicitly; only issuers of its kind fit. */
  readonly preset?: PresetName | undefined;
  /** The `iss` claim of claims given as JSON: picks the issuer when nothing else does. */
  readonly iss?: unknown;
}

/**
 * The emulated issuer to sign with: the one named, else the only one fitting the preset (or the `iss`
 * claim), else the only emulated issuer. Every ambiguity or miss is a UsageError naming the choices.
 */
export function chooseIssuer(config: LoadedConfig, policiesDir: string, choice: IssuerChoice): OidcProvider {
  const emulated = emulatedProviders(config);
  const listed = (): string => emulated.map((p) => p.url).join(', ');
  if (emulated.length === 0) {
    throw new UsageError(`no emulated issuer in ${policiesDir}/providers: add "Emulated": true to a provider file to let the emulator sign its tokens`);
  }
  if (choice.issuer !== undefined) {
    const found = emulated.find((p) => p.url === choice.issuer || p.name === choice.issuer);
    if (found === undefined) throw new UsageError(`no emulated issuer '${choice.issuer}'; emulated issuers: ${listed()}`);
    return found;
  }
  if (choice.preset !== undefined) {
    const label = presetNamed(choice.preset).label;
    const fitting = emulated.filter((p) => presetOfProvider(p.name) === choice.preset);
    if (fitting.length === 0) {
      throw new UsageError(`no emulated ${label} issuer in ${policiesDir}/providers (emulated issuers: ${listed()}); name one with --issuer to sign ${choice.preset}-shaped claims with it`);
    }
    if (fitting.length > 1) throw new UsageError(`several emulated ${label} issuers; pick one with --issuer: ${fitting.map((p) => p.url).join(', ')}`);
    return fitting[0] as OidcProvider;
  }
  let unknownIss = '';
  if (typeof choice.iss === 'string') {
    const found = emulated.find((p) => p.url === choice.iss);
    if (found !== undefined) return found;
    unknownIss = `the iss claim '${choice.iss}' is no emulated issuer, and `;
  }
  if (emulated.length > 1) throw new UsageError(`${unknownIss}several emulated issuers; pick one with --issuer: ${listed()}`);
  return emulated[0] as OidcProvider;
}

const keys = new Map<string, Promise<EmulatedKey>>();

export function keyOf(provider: OidcProvider): Promise<EmulatedKey> {
  if (provider.keys.kind !== 'emulated') throw new UsageError(`${provider.url} is not an emulated issuer`);
  const file = provider.keys.privateKeyFile;
  let k = keys.get(file);
  if (k === undefined) {
    k = loadOrCreateSigningKey(file);
    keys.set(file, k);
  }
  return k;
}

export async function signFor(provider: OidcProvider, claims: Record<string, unknown>): Promise<string> {
  return signToken(await keyOf(provider), claims);
}

/** Parse a --claims value: a JSON object, or a clear usage error. */
export function parseClaimsJson(text: string, flag = '--claims'): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${flag} is not valid JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${flag} must be a JSON object`);
  if (nestedDeeperThan(v, MAX_CLAIM_DEPTH)) throw new UsageError(`${flag} nests objects or arrays more than ${MAX_CLAIM_DEPTH} levels deep; no real token does`);
  return v as Record<string, unknown>;
}

