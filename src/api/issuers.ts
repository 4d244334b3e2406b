/**
 * The emulated issuers of a configuration: choosing one for a preset or a set of claims, a preset's claims for it,
 * and signing with its key (token, explain, test, the package API's mintToken).
 */
import type { LoadedConfig } from '../config/index.js';
import {
  type EmulatedKey,
  loadOrCreateSigningKey,
  type OidcProvider,
  presetClaims,
  type PresetName,
  presetNamed,
  presetOf,
  signToken,
  type TimeOptions,
} from '../identity/index.js';

/** No emulated issuer fits what was asked; the message names the choices. */
export class IssuerChoiceError extends Error {
  override readonly name = 'IssuerChoiceError';
}

export function emulatedProviders(config: LoadedConfig): OidcProvider[] {
  return config.providers.filter((p) => p.keys.kind === 'emulated');
}

/**
 * A preset's claims signed by `provider`. An issuer of another kind (signing preset-shaped claims) gets, by
 * default, an audience it accepts.
 */
export function mintPresetClaims(
  preset: PresetName,
  provider: OidcProvider,
  options: Readonly<Record<string, unknown>>,
  t: TimeOptions,
  jti?: string,
): Record<string, unknown> {
  const aud = presetOf(provider) === preset ? undefined : provider.clientIdList[0];
  const withAud = aud === undefined || options['aud'] !== undefined ? options : { ...options, aud };
  return presetClaims(preset, provider.url, withAud, t, jti);
}

export interface IssuerChoice {
  /** An emulated issuer's Url or provider name. */
  readonly issuer?: string | undefined;
  /** The preset asked for explicitly; only issuers of its kind fit. */
  readonly preset?: PresetName | undefined;
  /** The `iss` claim of claims given as JSON: picks the issuer when nothing else does. */
  readonly iss?: unknown;
}

/**
 * The emulated issuer to sign with: the one named, else the only one fitting the preset (or the `iss` claim), else
 * the only emulated issuer. Every ambiguity or miss is an IssuerChoiceError naming the choices; `where` says where
 * issuers are configured (e.g. `./policies/providers`).
 */
export function chooseIssuer(config: LoadedConfig, where: string, choice: IssuerChoice): OidcProvider {
  const emulated = emulatedProviders(config);
  const listed = (): string => emulated.map((p) => p.url).join(', ');
  if (emulated.length === 0) {
    throw new IssuerChoiceError(
      `no emulated issuer in ${where}: add "Emulated": true to a provider file to let the emulator sign its tokens`,
    );
  }
  if (choice.issuer !== undefined) {
    const found = emulated.find((p) => p.url === choice.issuer || p.name === choice.issuer);
    if (found === undefined) throw new IssuerChoiceError(`no emulated issuer '${choice.issuer}'; emulated issuers: ${listed()}`);
    return found;
  }
  if (choice.preset !== undefined) {
    const label = presetNamed(choice.preset).label;
    const fitting = emulated.filter((p) => presetOf(p) === choice.preset);
    if (fitting.length === 0) {
      throw new IssuerChoiceError(
        `no emulated ${label} issuer in ${where} (emulated issuers: ${listed()}); name one with --issuer to sign ${choice.preset}-shaped claims with it`,
      );
    }
    if (fitting.length > 1)
      throw new IssuerChoiceError(`several emulated ${label} issuers; pick one with --issuer: ${fitting.map((p) => p.url).join(', ')}`);
    return fitting[0] as OidcProvider;
  }
  let unknownIss = '';
  if (typeof choice.iss === 'string') {
    const found = emulated.find((p) => p.url === choice.iss);
    if (found !== undefined) return found;
    unknownIss = `the iss claim '${choice.iss}' is no emulated issuer, and `;
  }
  if (emulated.length > 1) throw new IssuerChoiceError(`${unknownIss}several emulated issuers; pick one with --issuer: ${listed()}`);
  return emulated[0] as OidcProvider;
}

const keys = new Map<string, Promise<EmulatedKey>>();

function keyOf(provider: OidcProvider): Promise<EmulatedKey> {
  if (provider.keys.kind !== 'emulated') throw new IssuerChoiceError(`${provider.url} is not an emulated issuer`);
  const file = provider.keys.privateKeyFile;
  let k = keys.get(file);
  if (k === undefined) {
    k = loadOrCreateSigningKey(file);
    keys.set(file, k);
  }
  return k;
}

/** `claims` signed by the emulated issuer `provider` (RS256, its key's kid). */
export async function signFor(provider: OidcProvider, claims: Record<string, unknown>): Promise<string> {
  return signToken(await keyOf(provider), claims);
}
