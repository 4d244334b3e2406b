/**
 * Infisical machine identity OIDC auth configuration (issue 20), beside the AWS files and through the same loader:
 *   infisical/identities/*.json  one identity's OIDC auth (or an array of them) as Infisical's API returns it
 *                                (`GET /api/v1/auth/oidc-auth/identities/<id>`: `{"identityOidcAuth": {...}}`, or the
 *                                object alone), plus `"Emulated": true` when the emulated issuer registered in
 *                                providers/ with the same Url signs the tokens (else discovery at oidcDiscoveryUrl)
 *   infisical/secrets/*.json     a demo secret set: projectId, environment, secretPath, the identities that may read it
 *                                and its secrets (the emulator's own: Infisical keeps secrets, not files)
 * Values are stored as Infisical's save-time validator leaves them: boundAudiences and every boundClaims value split on
 * ',' and trimmed (any entry may match); boundSubject is one pattern. Every problem is reported with file and JSON
 * path. Cheap: no pattern is compiled here (picomatch loads on the first login).
 */
import { isIP } from 'node:net';
import type { KeySource, OidcProvider } from '../identity/types.js';
import { at, checkUnknownFields, describe, documentsOf, field, isObject, joinPath, type Report } from './fields.js';
import { parseJsonText } from './json-file.js';

/** A trusted IP range of the access tokens, as Infisical stores it. */
export interface InfisicalTrustedIp {
  readonly ipAddress: string;
  readonly prefix?: number;
  readonly type: 'ipv4' | 'ipv6';
}

/** One machine identity's OIDC auth. */
export interface InfisicalIdentity {
  readonly identityId: string;
  readonly oidcDiscoveryUrl: string;
  readonly boundIssuer: string;
  /** As stored (joined with ", "); empty: no audience check. */
  readonly boundAudiences: string;
  /** Its entries (any may match). */
  readonly audiences: readonly string[];
  /** As stored; each value's entries in `claimPatterns`. */
  readonly boundClaims: Readonly<Record<string, string>>;
  readonly claimPatterns: Readonly<Record<string, readonly string[]>>;
  /** One picomatch pattern; empty: no subject check. */
  readonly boundSubject: string;
  readonly claimMetadataMapping: Readonly<Record<string, string>>;
  readonly accessTokenTTL: number;
  readonly accessTokenMaxTTL: number;
  readonly accessTokenNumUsesLimit: number;
  readonly accessTokenTrustedIps: readonly InfisicalTrustedIp[];
  /** The emulated issuer's keys (`"Emulated": true`), or discovery at oidcDiscoveryUrl as Infisical does it. */
  readonly keys: KeySource;
  readonly file: string;
  /** Where the OIDC auth object is in its file (`identityOidcAuth`, `[1].identityOidcAuth`, `''` ...), for lint. */
  readonly path: string;
}

export interface InfisicalSecret {
  readonly secretKey: string;
  readonly secretValue: string;
  readonly secretComment: string;
}

/** A secret set a secrets read answers with. */
export interface InfisicalSecretSet {
  readonly projectId: string;
  readonly environment: string;
  readonly secretPath: string;
  /** The identityIds that may read it. */
  readonly identities: readonly string[];
  readonly secrets: readonly InfisicalSecret[];
  readonly file: string;
}

export interface InfisicalConfig {
  readonly identities: readonly InfisicalIdentity[];
  readonly secretSets: readonly InfisicalSecretSet[];
}

export const INFISICAL_IDENTITY_DIR = 'infisical/identities';
export const INFISICAL_SECRETS_DIR = 'infisical/secrets';

/** Infisical's defaults and limits (router attach schema). */
export const INFISICAL_DEFAULT_TTL = 2592000;
export const INFISICAL_MAX_TTL = 315360000;
const DEFAULT_TRUSTED_IPS: readonly InfisicalTrustedIp[] = [
  { ipAddress: '0.0.0.0', prefix: 0, type: 'ipv4' },
  { ipAddress: '::', prefix: 0, type: 'ipv6' },
];

const IDENTITY_FIELDS = [
  'id',
  'identityId',
  'oidcDiscoveryUrl',
  'caCert',
  'boundIssuer',
  'boundAudiences',
  'boundClaims',
  'boundSubject',
  'claimMetadataMapping',
  'accessTokenTTL',
  'accessTokenMaxTTL',
  'accessTokenNumUsesLimit',
  'accessTokenTrustedIps',
  'accessTokenPeriod',
  'createdAt',
  'updatedAt',
  'orgId',
] as const;
const WRAPPER_FIELDS = ['identityOidcAuth', 'Emulated'] as const;
const SECRET_SET_FIELDS = ['projectId', 'workspaceId', 'environment', 'secretPath', 'identities', 'secrets'] as const;

export interface InfisicalFile {
  readonly name: string;
  readonly text: string;
  readonly linked?: boolean;
}

/** Validates the infisical/ files; `awsProviders` give the keys of `"Emulated": true`. */
export function buildInfisical(
  files: readonly InfisicalFile[],
  awsProviders: readonly OidcProvider[],
  reportIn: (file: string, path: string, message: string) => void,
): InfisicalConfig {
  const identities: InfisicalIdentity[] = [];
  const secretSets: InfisicalSecretSet[] = [];
  const ids = new Map<string, string>();
  for (const file of files) {
    const report: Report = (path, message) => reportIn(file.name, path, message);
    const json = parseJsonText(file.text, { quote: file.linked !== true });
    if (!json.ok) {
      report('', json.message);
      continue;
    }
    for (const { value: v, base, report: r } of documentsOf(json.value, report)) {
      if (file.name.startsWith(`${INFISICAL_IDENTITY_DIR}/`)) {
        const identity = validateIdentity(v, file.name, base, awsProviders, r);
        if (identity === undefined) continue;
        const first = ids.get(identity.identityId);
        if (first !== undefined) r('identityId', `${identity.identityId} is already configured in ${first}`);
        else {
          ids.set(identity.identityId, file.name);
          identities.push(identity);
        }
      } else {
        const set = validateSecretSet(v, file.name, r);
        if (set !== undefined) secretSets.push(set);
      }
    }
  }
  return { identities, secretSets };
}

function validateIdentity(
  value: unknown,
  file: string,
  at0: string,
  awsProviders: readonly OidcProvider[],
  outer: Report,
): InfisicalIdentity | undefined {
  let problems = 0;
  const report: Report = (p, m) => {
    problems++;
    outer(p, m);
  };
  if (!isObject(value)) {
    report('', `must be a JSON object (an identity's OIDC auth: {"identityOidcAuth": {...}}), got ${describe(value)}`);
    return undefined;
  }
  const wrapped = field(value, 'identityOidcAuth') !== undefined;
  const emulated = field(value, 'Emulated');
  if (emulated !== undefined && typeof emulated !== 'boolean') report('Emulated', `must be true or false, got ${describe(emulated)}`);
  let auth: Record<string, unknown>;
  let base = '';
  if (wrapped) {
    checkUnknownFields(value, WRAPPER_FIELDS, '', report);
    const inner = field(value, 'identityOidcAuth');
    if (!isObject(inner)) {
      report('identityOidcAuth', `must be an object, got ${describe(inner)}`);
      return undefined;
    }
    auth = inner;
    base = 'identityOidcAuth';
  } else {
    auth = Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'Emulated'));
  }
  const p = (k: string): string => at(base, k);
  checkUnknownFields(auth, IDENTITY_FIELDS, base, report);

  const str = (k: string, required: boolean): string => {
    const v = field(auth, k);
    if (v === undefined || v === null) {
      if (required) report(p(k), 'is required');
      return '';
    }
    if (typeof v !== 'string') {
      report(p(k), `must be a string, got ${describe(v)}`);
      return '';
    }
    return v.trim();
  };
  const identityId = str('identityId', true);
  if (field(auth, 'identityId') !== undefined && identityId === '') report(p('identityId'), 'must not be empty');
  const oidcDiscoveryUrl = str('oidcDiscoveryUrl', true);
  if (oidcDiscoveryUrl !== '') {
    try {
      new URL(oidcDiscoveryUrl);
    } catch {
      report(p('oidcDiscoveryUrl'), `must be a URL, got '${oidcDiscoveryUrl}'`);
    }
  }
  const boundIssuer = str('boundIssuer', true);
  if (field(auth, 'boundIssuer') !== undefined && boundIssuer === '') report(p('boundIssuer'), 'must not be empty (Infisical requires it)');
  const boundSubject = str('boundSubject', false);
  const rawAudiences = str('boundAudiences', false);
  const audiences = rawAudiences === '' ? [] : listOf(rawAudiences);
  if (audiences.includes('')) {
    report(
      p('boundAudiences'),
      `has an empty entry ('${rawAudiences}'): Infisical's matcher throws on it and answers the login with a 500; remove the extra comma`,
    );
  }
  const boundClaims: Record<string, string> = {};
  const claimPatterns: Record<string, string[]> = {};
  const rawClaims = field(auth, 'boundClaims');
  if (rawClaims !== undefined && rawClaims !== null) {
    if (!isObject(rawClaims)) report(p('boundClaims'), `must be an object of claim: pattern, got ${describe(rawClaims)}`);
    else
      for (const [k, v] of Object.entries(rawClaims)) {
        if (typeof v !== 'string') {
          report(at(p('boundClaims'), k), `must be a string (a pattern, or a comma list of them), got ${describe(v)}`);
          continue;
        }
        const list = listOf(v);
        if (list.includes('')) {
          report(
            at(p('boundClaims'), k),
            `has an empty pattern ('${v}'): Infisical's matcher throws on it and answers the login with a 500; give a pattern`,
          );
          continue;
        }
        boundClaims[k] = list.join(', ');
        claimPatterns[k] = list;
      }
  }
  const claimMetadataMapping: Record<string, string> = {};
  const rawMapping = field(auth, 'claimMetadataMapping');
  if (rawMapping !== undefined && rawMapping !== null) {
    if (!isObject(rawMapping)) report(p('claimMetadataMapping'), `must be an object of permission key: claim, got ${describe(rawMapping)}`);
    else
      for (const [k, v] of Object.entries(rawMapping)) {
        if (typeof v !== 'string' || v === '') report(at(p('claimMetadataMapping'), k), `must be a claim name, got ${describe(v)}`);
        else claimMetadataMapping[k] = v;
      }
  }
  const int = (k: string, fallback: number, max: number): number => {
    const v = field(auth, k);
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      report(p(k), `must be a whole number from 0 to ${max}, got ${typeof v === 'number' ? v : describe(v)}`);
      return fallback;
    }
    return v;
  };
  const accessTokenTTL = int('accessTokenTTL', INFISICAL_DEFAULT_TTL, INFISICAL_MAX_TTL);
  const accessTokenMaxTTL = int('accessTokenMaxTTL', INFISICAL_DEFAULT_TTL, INFISICAL_MAX_TTL);
  const accessTokenNumUsesLimit = int('accessTokenNumUsesLimit', 0, Number.MAX_SAFE_INTEGER);
  if (accessTokenMaxTTL > 0 && accessTokenTTL > accessTokenMaxTTL)
    report(p('accessTokenTTL'), 'Access token TTL cannot be greater than max TTL');
  const accessTokenTrustedIps = trustedIps(field(auth, 'accessTokenTrustedIps'), p('accessTokenTrustedIps'), report);
  const caCert = field(auth, 'caCert');
  if (typeof caCert === 'string' && caCert.trim() !== '')
    report(p('caCert'), 'is not emulated: discovery uses the system CAs (leave it empty)');

  let keys: KeySource = { kind: 'discovery' };
  if (emulated === true && oidcDiscoveryUrl !== '') {
    const aws = awsProviders.find((x) => x.url === oidcDiscoveryUrl.replace(/\/$/, '') && x.keys.kind === 'emulated');
    if (aws === undefined)
      report('Emulated', `no emulated provider in providers/ has the Url ${oidcDiscoveryUrl} (its key signs the tokens)`);
    else keys = aws.keys;
  }
  if (problems > 0) return undefined;
  return {
    identityId,
    oidcDiscoveryUrl,
    boundIssuer,
    boundAudiences: audiences.join(', '),
    audiences,
    boundClaims,
    claimPatterns,
    boundSubject,
    claimMetadataMapping,
    accessTokenTTL,
    accessTokenMaxTTL,
    accessTokenNumUsesLimit,
    accessTokenTrustedIps,
    keys,
    file,
    path: joinPath(at0, base),
  };
}

/** Infisical's save-time normalisation: split on ',', trim each part. */
function listOf(stored: string): string[] {
  return stored.split(',').map((s) => s.trim());
}

function trustedIps(value: unknown, path: string, report: Report): readonly InfisicalTrustedIp[] {
  if (value === undefined || value === null) return DEFAULT_TRUSTED_IPS;
  if (!Array.isArray(value)) {
    report(path, `must be an array of {"ipAddress": ...}, got ${describe(value)}`);
    return DEFAULT_TRUSTED_IPS;
  }
  const out: InfisicalTrustedIp[] = [];
  value.forEach((entry, i) => {
    const ip = at(path, i);
    if (!isObject(entry)) {
      report(ip, `must be an object {"ipAddress": ...}, got ${describe(entry)}`);
      return;
    }
    checkUnknownFields(entry, ['ipAddress', 'prefix', 'type'], ip, report);
    const address = field(entry, 'ipAddress');
    const prefixField = field(entry, 'prefix');
    if (typeof address !== 'string') {
      report(at(ip, 'ipAddress'), `must be an IP address or CIDR block, got ${describe(address)}`);
      return;
    }
    const [addr = '', cidr] = address.split('/');
    const family = isIP(addr);
    const prefix = cidr !== undefined ? Number(cidr) : prefixField;
    if (
      family === 0 ||
      (prefix !== undefined &&
        (typeof prefix !== 'number' || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)))
    ) {
      report(at(ip, 'ipAddress'), 'The IP is not a valid IPv4, IPv6, or CIDR block');
      return;
    }
    out.push({ ipAddress: addr, ...(prefix === undefined ? {} : { prefix }), type: family === 4 ? 'ipv4' : 'ipv6' });
  });
  return out;
}

function validateSecretSet(value: unknown, file: string, outer: Report): InfisicalSecretSet | undefined {
  let problems = 0;
  const report: Report = (p, m) => {
    problems++;
    outer(p, m);
  };
  if (!isObject(value)) {
    report('', `must be a JSON object (projectId, environment, secretPath, identities, secrets), got ${describe(value)}`);
    return undefined;
  }
  checkUnknownFields(value, SECRET_SET_FIELDS, '', report);
  const text = (k: string, fallback?: string): string => {
    const v = field(value, k);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || v === '') {
      report(k, `is required (a non-empty string), got ${describe(v)}`);
      return '';
    }
    return v;
  };
  const projectId =
    field(value, 'workspaceId') !== undefined && field(value, 'projectId') === undefined ? text('workspaceId') : text('projectId');
  const environment = text('environment');
  const secretPath = text('secretPath', '/');
  if (secretPath !== '' && !secretPath.startsWith('/')) report('secretPath', `must start with '/', got '${secretPath}'`);
  const rawIds = field(value, 'identities');
  const identities: string[] = [];
  if (!Array.isArray(rawIds) || rawIds.length === 0) report('identities', 'must list the identityIds that may read these secrets');
  else
    rawIds.forEach((id, i) => {
      if (typeof id !== 'string' || id === '') report(at('identities', i), `must be an identityId, got ${describe(id)}`);
      else identities.push(id);
    });
  const rawSecrets = field(value, 'secrets');
  const secrets: InfisicalSecret[] = [];
  if (!Array.isArray(rawSecrets)) report('secrets', `must be an array of {"secretKey", "secretValue"}, got ${describe(rawSecrets)}`);
  else
    rawSecrets.forEach((s, i) => {
      const sp = at('secrets', i);
      if (!isObject(s)) {
        report(sp, `must be an object {"secretKey", "secretValue"}, got ${describe(s)}`);
        return;
      }
      checkUnknownFields(s, ['secretKey', 'secretValue', 'secretComment'], sp, report);
      const key = field(s, 'secretKey');
      const val = field(s, 'secretValue');
      const comment = field(s, 'secretComment') ?? '';
      if (typeof key !== 'string' || key === '') report(at(sp, 'secretKey'), `must be a non-empty string, got ${describe(key)}`);
      if (typeof val !== 'string') report(at(sp, 'secretValue'), `must be a string, got ${describe(val)}`);
      if (typeof comment !== 'string') report(at(sp, 'secretComment'), `must be a string, got ${describe(comment)}`);
      if (typeof key === 'string' && key !== '' && typeof val === 'string' && typeof comment === 'string')
        secrets.push({ secretKey: key, secretValue: val, secretComment: comment });
    });
  if (problems > 0) return undefined;
  return { projectId, environment, secretPath, identities, secrets, file };
}
