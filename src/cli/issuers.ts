/** Choosing an emulated issuer and signing claims with its key (token, explain, test). */
import type { LoadedConfig } from '../config/types.js';
import type { OidcProvider } from '../identity/types.js';
import { loadOrCreateSigningKey, signToken, type EmulatedKey } from '../identity/emulated.js';
import type { PresetName } from '../identity/presets.js';
import { UsageError } from './options.js';

export function emulatedProviders(config: LoadedConfig): OidcProvider[] {
  return config.providers.filter((p) => p.keys.kind === 'emulated');
}

function presetMatches(p: OidcProvider, preset: PresetName | undefined): boolean {
  if (preset === 'circleci') return p.url.startsWith('https://oidc.circleci.com/');
  if (preset === 'github') return p.name.startsWith('token.actions.') || p.name.startsWith('github.com/');
  return true;
}

/** The emulated issuer named by --issuer, or the only one fitting the preset. */
export function chooseIssuer(config: LoadedConfig, policiesDir: string, issuer: string | undefined, preset: PresetName | undefined): OidcProvider {
  const emulated = emulatedProviders(config);
  if (emulated.length === 0) {
    throw new UsageError(`no emulated issuer in ${policiesDir}/providers: add "Emulated": true to a provider file to let the emulator sign its tokens`);
  }
  if (issuer !== undefined) {
    const found = emulated.find((p) => p.url === issuer || p.name === issuer);
    if (found === undefined) {
      throw new UsageError(`no emulated issuer '${issuer}'; emulated issuers: ${emulated.map((p) => p.url).join(', ')}`);
    }
    return found;
  }
  const fitting = emulated.filter((p) => presetMatches(p, preset));
  const candidates = fitting.length > 0 ? fitting : emulated;
  if (candidates.length > 1) {
    throw new UsageError(`several emulated issuers; pick one with --issuer: ${candidates.map((p) => p.url).join(', ')}`);
  }
  return candidates[0] as OidcProvider;
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
  return v as Record<string, unknown>;
}
