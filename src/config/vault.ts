/**
 * HashiCorp Vault JWT auth configuration (issue 20), beside the AWS files and through the same loader:
 *   vault/<mount>/config.json        the mount's config, as `vault read -format=json auth/<mount>/config` prints it
 *                                    (the whole answer, or its `data`, or the body of `vault write`)
 *   vault/<mount>/roles/<name>.json  one role, as `vault read -format=json auth/<mount>/role/<name>` prints it
 * Values are read as Vault's framework reads them (durations in seconds or Go's `1h30m`, comma lists as strings or
 * arrays); the checks and texts of Vault's role and config writes apply (path_role.go, path_config.go). An
 * `oidc_discovery_url` equal to the Url of an emulated issuer in providers/ takes that issuer's keys (the emulator
 * serves its discovery document). Every problem is reported with its file and JSON path. Cheap: no jose, no network.
 */
import { createPublicKey } from 'node:crypto';
import type { KeySource, OidcProvider } from '../identity/types.js';
import { parseCidr } from '../policy/index.js';
import { at, checkUnknownFields, describe, field, isObject, type Report } from './fields.js';
import { parseJsonText } from './json-file.js';

/** A bound value as Vault holds it after decoding its storage with UseNumber: a string, a bool, or a json.Number. */
export type VaultBoundValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'number'; readonly value: string };

export interface VaultBoundClaim {
  /** The key as written: a literal top-level claim name, or a JSON Pointer when it starts with `/`. */
  readonly claim: string;
  readonly values: readonly VaultBoundValue[];
}

export interface VaultRole {
  /** Lower-cased, as Vault stores role names. */
  readonly name: string;
  readonly roleType: 'jwt' | 'oidc';
  readonly boundAudiences: readonly string[];
  readonly boundSubject: string;
  readonly boundClaimsType: 'string' | 'glob';
  /** In the order written (Vault walks a Go map: its order is random; behaviour-choices.md). */
  readonly boundClaims: readonly VaultBoundClaim[];
  readonly claimMappings: readonly (readonly [source: string, target: string])[];
  readonly userClaim: string;
  readonly userClaimJsonPointer: boolean;
  readonly groupsClaim: string;
  /** Seconds; 0 means the default (150, 150, 60), -1 disables. */
  readonly expirationLeeway: number;
  readonly notBeforeLeeway: number;
  readonly clockSkewLeeway: number;
  readonly tokenTtl: number;
  readonly tokenMaxTtl: number;
  readonly tokenExplicitMaxTtl: number;
  readonly tokenPeriod: number;
  readonly tokenPolicies: readonly string[];
  readonly tokenNoDefaultPolicy: boolean;
  readonly tokenBoundCidrs: readonly string[];
  readonly tokenType: 'default' | 'service' | 'batch' | 'default-service' | 'default-batch';
  readonly tokenNumUses: number;
  readonly file: string;
  /** The JSON path of the role's fields in its file: `data` for the whole `vault read` answer, else ''. */
  readonly base: string;
}

/** Where the mount's keys come from; `field` names the config field, for messages. */
export type VaultKeys =
  | { readonly field: 'oidc_discovery_url' | 'jwks_url'; readonly url: string; readonly source: KeySource }
  | { readonly field: 'jwt_validation_pubkeys'; readonly pems: readonly string[] };

export interface VaultMount {
  /** The mount path without `auth/` (e.g. `jwt`). */
  readonly path: string;
  readonly boundIssuer: string;
  readonly keys: VaultKeys;
  /** Empty: Vault's default list. */
  readonly supportedAlgs: readonly string[];
  readonly defaultRole: string;
  readonly roles: ReadonlyMap<string, VaultRole>;
  readonly file: string;
}

export interface VaultConfig {
  readonly mounts: readonly VaultMount[];
}

export const VAULT_DIR = 'vault';
/** A mount directory's name: Vault mount paths, one segment here. */
export const VAULT_MOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** `vault/<mount>/config.json` and `vault/<mount>/roles/<name>.json`. */
export const VAULT_FILE = /^vault\/([^/]+)\/(?:config\.json|roles\/([^/]+)\.json)$/;

/** The algorithms cap/jwt accepts (path_login.go's default list; jwt_supported_algs must name some of them). */
export const VAULT_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
];

/** The fields `vault read auth/<mount>/config` prints (and `vault write` takes). */
const CONFIG_FIELDS = [
  'oidc_discovery_url',
  'oidc_discovery_ca_pem',
  'oidc_client_id',
  'oidc_client_secret',
  'oidc_response_mode',
  'oidc_response_types',
  'jwks_url',
  'jwks_ca_pem',
  'jwks_pairs',
  'jwt_validation_pubkeys',
  'jwt_supported_algs',
  'bound_issuer',
  'default_role',
  'provider_config',
  'namespace_in_state',
  'unsupported_critical_cert_extensions',
] as const;

/** The fields `vault read auth/<mount>/role/<name>` prints (token_* from tokenutil, and the legacy names). */
const ROLE_FIELDS = [
  'role_type',
  'bound_audiences',
  'bound_subject',
  'bound_claims',
  'bound_claims_type',
  'claim_mappings',
  'user_claim',
  'user_claim_json_pointer',
  'groups_claim',
  'expiration_leeway',
  'not_before_leeway',
  'clock_skew_leeway',
  'allowed_redirect_uris',
  'oidc_scopes',
  'verbose_oidc_logging',
  'max_age',
  'token_ttl',
  'token_max_ttl',
  'token_explicit_max_ttl',
  'token_period',
  'token_policies',
  'token_no_default_policy',
  'token_bound_cidrs',
  'token_type',
  'token_num_uses',
  'policies',
  'ttl',
  'max_ttl',
  'period',
  'num_uses',
  'bound_cidrs',
] as const;
/** The fields of the whole `vault read -format=json` answer around `data`. */
const READ_ENVELOPE = ['request_id', 'lease_id', 'lease_duration', 'renewable', 'data', 'warnings', 'wrap_info', 'auth', 'mount_type'];

const TOKEN_TYPES = ['default', 'service', 'batch', 'default-service', 'default-batch'] as const;
/** Vault's default and maximum lease (768h), which caps every token TTL. */
export const VAULT_SYSTEM_MAX_TTL = 2764800;

export interface VaultFile {
  readonly name: string;
  readonly text: string;
  readonly linked?: boolean;
}

/** Validates the vault/ files; `awsProviders` give the keys of an emulated issuer named by oidc_discovery_url. */
export function buildVault(
  files: readonly VaultFile[],
  awsProviders: readonly OidcProvider[],
  reportIn: (file: string, path: string, message: string) => void,
): VaultConfig {
  const byMount = new Map<string, { config?: VaultFile; roles: VaultFile[] }>();
  for (const f of files) {
    const m = VAULT_FILE.exec(f.name);
    if (m === null) continue;
    const mount = m[1] as string;
    if (!VAULT_MOUNT_NAME.test(mount)) {
      reportIn(f.name, '', `the mount directory must be a mount path (1 to 64 of A-Z, a-z, 0-9, _, . and -), got '${mount}'`);
      continue;
    }
    const entry = byMount.get(mount) ?? { roles: [] };
    byMount.set(mount, entry);
    if (m[2] === undefined) entry.config = f;
    else entry.roles.push(f);
  }
  const mounts: VaultMount[] = [];
  for (const [path, entry] of [...byMount].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (entry.config === undefined) {
      reportIn(`${VAULT_DIR}/${path}`, '', `the mount has roles but no ${VAULT_DIR}/${path}/config.json (its keys and bound_issuer)`);
      continue;
    }
    const cfgReport: Report = (p, message) => reportIn(entry.config?.name ?? '', p, message);
    const config = dataOf(entry.config, cfgReport);
    const mount = config === undefined ? undefined : validateMountConfig(config.value, config.base, awsProviders, cfgReport);
    const roles = new Map<string, VaultRole>();
    for (const file of entry.roles) {
      const report: Report = (p, message) => reportIn(file.name, p, message);
      const doc = dataOf(file, report);
      if (doc === undefined) continue;
      const raw = VAULT_FILE.exec(file.name)?.[2] ?? '';
      const name = raw.toLowerCase();
      const role = validateRole(doc.value, doc.base, name, file.name, report);
      if (role === undefined) continue;
      const first = roles.get(name);
      if (first !== undefined) report('', `role ${name} is already defined in ${first.file} (Vault role names are lower-cased)`);
      else roles.set(name, role);
    }
    if (mount === undefined) continue;
    if (mount.defaultRole !== '' && !roles.has(mount.defaultRole.toLowerCase()))
      cfgReport(at(config?.base ?? '', 'default_role'), `names no role in ${VAULT_DIR}/${path}/roles/ (a login without role would fail)`);
    mounts.push({ ...mount, path, roles, file: entry.config.name });
  }
  return { mounts };
}

/** The object a file holds: `data` of a `vault read -format=json` answer, or the object itself. */
function dataOf(file: VaultFile, report: Report): { value: Record<string, unknown>; base: string } | undefined {
  const json = parseJsonText(file.text, { quote: file.linked !== true });
  if (!json.ok) {
    report('', json.message);
    return undefined;
  }
  const v = json.value;
  if (!isObject(v)) {
    report('', `must be a JSON object (what vault read -format=json prints, or its data), got ${describe(v)}`);
    return undefined;
  }
  const data = field(v, 'data');
  if (isObject(data)) {
    checkUnknownFields(v, READ_ENVELOPE, '', report);
    return { value: data, base: 'data' };
  }
  return { value: v, base: '' };
}

type MountFields = Omit<VaultMount, 'path' | 'roles' | 'file'>;

function validateMountConfig(
  doc: Record<string, unknown>,
  base: string,
  awsProviders: readonly OidcProvider[],
  outer: Report,
): MountFields | undefined {
  let problems = 0;
  const report: Report = (p, m) => {
    problems++;
    outer(p, m);
  };
  const p = (k: string): string => at(base, k);
  checkUnknownFields(doc, CONFIG_FIELDS, base, report);
  const str = (k: string): string => {
    const v = field(doc, k);
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') {
      report(p(k), `must be a string, got ${describe(v)}`);
      return '';
    }
    return v;
  };
  const discovery = str('oidc_discovery_url');
  const jwksUrl = str('jwks_url');
  const pubkeys = commaList(field(doc, 'jwt_validation_pubkeys'), p('jwt_validation_pubkeys'), report, false);
  const pairs = field(doc, 'jwks_pairs');
  const hasPairs = Array.isArray(pairs) ? pairs.length > 0 : pairs !== undefined && pairs !== null;
  if (hasPairs) report(p('jwks_pairs'), 'is not emulated: give oidc_discovery_url, jwks_url or jwt_validation_pubkeys');
  for (const k of ['oidc_client_id', 'oidc_client_secret', 'provider_config'] as const) {
    const v = field(doc, k);
    if (v !== undefined && v !== null && v !== '' && !(isObject(v) && Object.keys(v).length === 0))
      report(p(k), 'belongs to the OIDC login flow, which is not emulated (only the JWT login)');
  }
  const given = [discovery !== '', jwksUrl !== '', pubkeys.length > 0, hasPairs].filter(Boolean).length;
  let keys: VaultKeys | undefined;
  if (given !== 1) {
    report(base, "exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set");
  } else if (discovery !== '') {
    if (!/^https?:\/\/[^\s/]+/.test(discovery)) report(p('oidc_discovery_url'), `must be an http(s) URL, got '${discovery}'`);
    const emulated = awsProviders.find((a) => a.url === discovery && a.keys.kind === 'emulated');
    keys = { field: 'oidc_discovery_url', url: discovery, source: emulated?.keys ?? { kind: 'discovery' } };
  } else if (jwksUrl !== '') {
    if (!/^https?:\/\/[^\s/]+/.test(jwksUrl)) report(p('jwks_url'), `must be an http(s) URL, got '${jwksUrl}'`);
    keys = { field: 'jwks_url', url: jwksUrl, source: { kind: 'uri', uri: jwksUrl } };
  } else if (pubkeys.length > 0) {
    pubkeys.forEach((pem, i) => {
      try {
        const key = createPublicKey(pem);
        if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec' && key.asymmetricKeyType !== 'ed25519')
          report(at(p('jwt_validation_pubkeys'), i), 'error parsing public key: data does not contain any valid RSA or ECDSA public keys');
      } catch (e) {
        report(at(p('jwt_validation_pubkeys'), i), `error parsing public key: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    keys = { field: 'jwt_validation_pubkeys', pems: pubkeys };
  }
  const algs = commaList(field(doc, 'jwt_supported_algs'), p('jwt_supported_algs'), report, false);
  const badAlg = algs.find((a) => !VAULT_ALGORITHMS.includes(a));
  if (badAlg !== undefined) report(p('jwt_supported_algs'), `invalid jwt_supported_algs: unsupported signing algorithm "${badAlg}"`);
  const boundIssuer = str('bound_issuer');
  const defaultRole = str('default_role');
  for (const k of ['oidc_discovery_ca_pem', 'jwks_ca_pem', 'oidc_response_mode'] as const) str(k);
  if (problems > 0 || keys === undefined) return undefined;
  return { boundIssuer, keys, supportedAlgs: algs, defaultRole };
}

function validateRole(doc: Record<string, unknown>, base: string, name: string, file: string, outer: Report): VaultRole | undefined {
  let problems = 0;
  const report: Report = (p, m) => {
    problems++;
    outer(p, m);
  };
  const p = (k: string): string => at(base, k);
  checkUnknownFields(doc, ROLE_FIELDS, base, report);
  const get = (k: string): unknown => {
    const v = field(doc, k);
    return v === null ? undefined : v;
  };
  const str = (k: string): string => {
    const v = get(k);
    if (v === undefined) return '';
    if (typeof v !== 'string') {
      report(p(k), `must be a string, got ${describe(v)}`);
      return '';
    }
    return v;
  };
  const bool = (k: string): boolean => {
    const v = get(k);
    if (v === undefined) return false;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    report(p(k), `must be true or false, got ${describe(v)}`);
    return false;
  };
  const seconds = (k: string, signed: boolean, fallback = 0): number => {
    const v = get(k);
    if (v === undefined) return fallback;
    const s = durationSeconds(v);
    if (s === undefined || (!signed && s < 0))
      report(
        p(k),
        `must be ${signed ? 'a signed' : 'a'} duration: whole seconds or a Go duration such as "1h30m", got ${JSON.stringify(v)}`,
      );
    return s ?? fallback;
  };
  const legacy = (current: string, old: string): string => {
    if (get(current) !== undefined && get(old) !== undefined && JSON.stringify(get(current)) !== JSON.stringify(get(old)))
      report(p(old), `"${old}" and "${current}" cannot both be set with different values (${old} is the deprecated name)`);
    return get(current) !== undefined ? current : old;
  };

  const rawType = str('role_type').toLowerCase() || 'oidc';
  if (rawType !== 'jwt' && rawType !== 'oidc') report(p('role_type'), `invalid 'role_type': ${rawType}`);
  const roleType = rawType === 'oidc' ? 'oidc' : 'jwt';

  const boundAudiences = commaList(get('bound_audiences'), p('bound_audiences'), report, true);
  const boundSubject = str('bound_subject');
  const claimsType = str('bound_claims_type') || 'string';
  if (claimsType !== 'string' && claimsType !== 'glob') report(p('bound_claims_type'), `invalid 'bound_claims_type': ${claimsType}`);
  const boundClaimsType = claimsType === 'glob' ? 'glob' : 'string';

  const boundClaims: VaultBoundClaim[] = [];
  const rawClaims = get('bound_claims');
  if (rawClaims !== undefined && !isObject(rawClaims))
    report(p('bound_claims'), `must be an object of claim: value(s), got ${describe(rawClaims)}`);
  if (isObject(rawClaims)) {
    for (const [claim, raw] of Object.entries(rawClaims)) {
      const path = at(p('bound_claims'), claim);
      const list = Array.isArray(raw) ? raw : [raw];
      const values: VaultBoundValue[] = [];
      list.forEach((v, i) => {
        const where = Array.isArray(raw) ? at(path, i) : path;
        if (boundClaimsType === 'glob' && typeof v !== 'string') {
          report(where, `claim is not a string: ${goValueText(v)} (bound_claims_type glob compares strings only)`);
          return;
        }
        if (typeof v === 'string') values.push({ type: 'string', value: v });
        else if (typeof v === 'boolean') values.push({ type: 'bool', value: v });
        else if (typeof v === 'number' && Number.isFinite(v)) values.push({ type: 'number', value: String(v) });
        else report(where, `must be a string, number or boolean (or a list of them), got ${describe(v)}`);
      });
      boundClaims.push({ claim, values });
    }
  }

  const claimMappings: [string, string][] = [];
  const rawMappings = get('claim_mappings');
  if (rawMappings !== undefined && !isObject(rawMappings))
    report(p('claim_mappings'), `must be an object of claim: metadata key, got ${describe(rawMappings)}`);
  if (isObject(rawMappings)) {
    const targets = new Set<string>();
    for (const [source, target] of Object.entries(rawMappings)) {
      if (typeof target !== 'string') {
        report(at(p('claim_mappings'), source), `must be a string (a metadata key), got ${describe(target)}`);
        continue;
      }
      if (target === 'role')
        report(at(p('claim_mappings'), source), `metadata key "role" is reserved and may not be a mapping destination`);
      else if (targets.has(target)) report(at(p('claim_mappings'), source), `multiple keys are mapped to metadata key "${target}"`);
      targets.add(target);
      claimMappings.push([source, target]);
    }
  }

  const userClaim = str('user_claim');
  if (userClaim === '') report(p('user_claim'), 'a user claim must be defined on the role');
  const allowedRedirects = commaList(get('allowed_redirect_uris'), p('allowed_redirect_uris'), report, true);
  if (roleType === 'oidc' && allowedRedirects.length === 0)
    report(p('role_type'), "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.");

  const policies = commaList(get(legacy('token_policies', 'policies')), p(legacy('token_policies', 'policies')), report, true);
  const cidrs = commaList(get(legacy('token_bound_cidrs', 'bound_cidrs')), p(legacy('token_bound_cidrs', 'bound_cidrs')), report, true);
  for (const [i, c] of cidrs.entries())
    if (parseCidr(c) === null) report(at(p('token_bound_cidrs'), i), `is not a CIDR block or address: '${c}'`);
  const tokenTtl = seconds(legacy('token_ttl', 'ttl'), false);
  const tokenMaxTtl = seconds(legacy('token_max_ttl', 'max_ttl'), false);
  const tokenPeriod = seconds(legacy('token_period', 'period'), false);
  const tokenExplicitMaxTtl = seconds('token_explicit_max_ttl', false);
  const usesKey = legacy('token_num_uses', 'num_uses');
  const uses = get(usesKey);
  if (uses !== undefined && (typeof uses !== 'number' || !Number.isInteger(uses) || uses < 0))
    report(p(usesKey), `must be a whole number of uses (0: unlimited), got ${JSON.stringify(uses)}`);
  const tokenType = (str('token_type') || 'default') as VaultRole['tokenType'];
  if (!TOKEN_TYPES.includes(tokenType)) report(p('token_type'), `invalid 'token_type' value "${tokenType}"`);
  if (tokenMaxTtl > 0 && tokenTtl > tokenMaxTtl) report(p('token_ttl'), 'ttl should not be greater than max ttl');
  if (tokenPeriod > VAULT_SYSTEM_MAX_TTL)
    report(p('token_period'), `'period' is greater than the backend's maximum lease TTL of ${VAULT_SYSTEM_MAX_TTL} seconds`);
  for (const k of ['oidc_scopes'] as const) commaList(get(k), p(k), report, true);
  bool('verbose_oidc_logging');
  seconds('max_age', false);

  if (roleType === 'jwt' && boundAudiences.length === 0 && cidrs.length === 0 && boundSubject === '' && boundClaims.length === 0)
    report(base, 'must have at least one bound constraint when creating/updating a role');

  const role: VaultRole = {
    name,
    roleType,
    boundAudiences,
    boundSubject,
    boundClaimsType,
    boundClaims,
    claimMappings,
    userClaim,
    userClaimJsonPointer: bool('user_claim_json_pointer'),
    groupsClaim: str('groups_claim'),
    expirationLeeway: seconds('expiration_leeway', true, 150),
    notBeforeLeeway: seconds('not_before_leeway', true, 150),
    clockSkewLeeway: seconds('clock_skew_leeway', true, 60),
    tokenTtl,
    tokenMaxTtl,
    tokenExplicitMaxTtl,
    tokenPeriod,
    tokenPolicies: sanitizePolicies(policies),
    tokenNoDefaultPolicy: bool('token_no_default_policy'),
    tokenBoundCidrs: cidrs,
    tokenType,
    tokenNumUses: typeof uses === 'number' && Number.isInteger(uses) && uses >= 0 ? uses : 0,
    file,
    base,
  };
  return problems > 0 ? undefined : role;
}

/** Policy names as Vault keeps them: trimmed, lower-cased, without duplicates or empties, sorted. */
export function sanitizePolicies(list: readonly string[]): string[] {
  return [...new Set(list.map((s) => s.trim().toLowerCase()).filter((s) => s !== ''))].sort();
}

/** A TypeCommaStringSlice: an array of strings, or one string split on commas (parts trimmed, empty ones dropped). */
function commaList(value: unknown, path: string, report: Report, keepEmptyArray: boolean): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  if (Array.isArray(value)) {
    const out: string[] = [];
    value.forEach((v, i) => {
      if (typeof v !== 'string') report(at(path, i), `must be a string, got ${describe(v)}`);
      else if (v.trim() !== '' || keepEmptyArray) out.push(v.trim());
    });
    return out.filter((s) => s !== '');
  }
  report(path, `must be a list of strings or a comma-separated string, got ${describe(value)}`);
  return [];
}

const GO_UNITS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };

/** Vault's TypeDurationSecond: whole seconds (a number or a numeric string), or a Go duration (`1h30m`, `90s`, `2d`). */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^-?\d{1,12}$/.test(text)) return Number(text);
  const m = /^(-?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+)$/.exec(text);
  if (m === null) return undefined;
  let total = 0;
  for (const part of (m[2] as string).matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g))
    total += Number(part[1]) * (GO_UNITS[part[2] as string] ?? 0);
  return (m[1] === '-' ? -1 : 1) * Math.floor(total);
}

/** A value as Go's %v prints it (Vault's messages quote claim values this way). */
export function goValueText(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goValueText).join(' ')}]`;
  if (typeof v === 'object')
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goValueText((v as Record<string, unknown>)[k])}`)
      .join(' ')}]`;
  return String(v);
}
