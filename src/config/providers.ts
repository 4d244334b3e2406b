/**
 * One providers/*.json file: the fields `aws iam get-open-id-connect-provider` prints (Url,
 * ClientIDList, ThumbprintList, CreateDate, Tags) plus where the signing keys come from: at most one
 * of Jwks, JwksFile, JwksUri or `"Emulated": true` (with PrivateKeyFile and Preset); with none, OIDC discovery.
 */
import * as nodePath from 'node:path';
import { PRESETS } from '../identity/provider-kinds.js';
import type { PresetName } from '../identity/presets.js';
import type { JwkSet, KeySource, OidcProvider } from '../identity/types.js';
import { at, checkString, checkUnknownFields, describe, field, isObject, validateTags, type Report } from './fields.js';
import { parseJsonText } from './json-file.js';

export const PROVIDER_FIELDS = [
  'Url',
  'ClientIDList',
  'ThumbprintList',
  'Jwks',
  'JwksFile',
  'JwksUri',
  'Emulated',
  'PrivateKeyFile',
  'Preset',
  'CreateDate',
  'Tags',
] as const;

/** IAM limits: Url 1..255 characters, 1..100 client IDs of 1..255 characters, up to 5 thumbprints. */
export const MAX_URL_LENGTH = 255;
export const MAX_CLIENT_IDS = 100;
export const MAX_CLIENT_ID_LENGTH = 255;
export const MAX_THUMBPRINTS = 5;

/** The text of a file named by JwksFile, or why it could not be read. */
export type ReferencedFile = { readonly text: string } | { readonly error: string };

export interface ProviderContext {
  readonly accountId: string;
  /** Absolute configuration directory. */
  readonly dir: string;
  /** Where an emulated provider's key goes when the document names none and has no file to sit beside. */
  readonly defaultKeyDir?: string;
  /** The provider file, relative to dir with '/' separators (`providers/github.json`). */
  readonly file: string;
  /** Files named by JwksFile, by absolute path (see jwksFileReference). */
  readonly referencedFiles: ReadonlyMap<string, ReferencedFile>;
  /** Problems in the provider file. */
  readonly report: Report;
  /** Problems inside another file (a JWKS file), named relative to dir. */
  readonly reportIn: (file: string, path: string, message: string) => void;
}

/** Validates one provider document; returns undefined if it has any problem. */
export function validateProvider(value: unknown, ctx: ProviderContext): OidcProvider | undefined {
  let problems = 0;
  const report: Report = (p, m) => {
    problems++;
    ctx.report(p, m);
  };
  if (!isObject(value)) {
    report('', `must be a JSON object with Url and ClientIDList, got ${describe(value)}`);
    return undefined;
  }
  checkUnknownFields(value, PROVIDER_FIELDS, '', report);

  const url = providerUrl(field(value, 'Url'), report);
  const clientIdList = clientIds(field(value, 'ClientIDList'), report);
  const thumbprintList = thumbprints(field(value, 'ThumbprintList'), report);
  const keys = keySource(value, ctx, report);
  const createDate = field(value, 'CreateDate');
  if (createDate !== undefined && typeof createDate !== 'string') {
    report('CreateDate', `must be a string, got ${describe(createDate)}`);
  }
  const rawTags = field(value, 'Tags');
  const tags = rawTags === undefined ? undefined : validateTags(rawTags, 'Tags', report);

  if (problems > 0 || url === undefined || clientIdList === undefined || keys === undefined) return undefined;
  const name = url.slice('https://'.length);
  return {
    url,
    name,
    arn: `arn:aws:iam::${ctx.accountId}:oidc-provider/${name}`,
    clientIdList,
    thumbprintList,
    keys,
    file: ctx.file,
    ...(typeof createDate === 'string' ? { createDate } : {}),
    ...(tags === undefined ? {} : { tags }),
    document: value,
  };
}

/**
 * The registered Url: must be https. A Url without a scheme (as get-open-id-connect-provider prints
 * it, `oidc.circleci.com/org/x`) means https://. Kept byte for byte otherwise: it is compared to `iss`.
 */
export function normalizeProviderUrl(raw: string): { url: string } | { error: string } {
  if (/\s/.test(raw)) return { error: 'must not contain white space' };
  let url = raw;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw)) {
    if (!raw.startsWith('https://')) return { error: `must begin with https:// (got '${raw}')` };
  } else {
    url = `https://${raw}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: `is not a valid URL: '${raw}'` };
  }
  if (parsed.hostname === '') return { error: 'must name a host' };
  if (parsed.username !== '' || parsed.password !== '') return { error: 'must not contain user information' };
  if (url.includes('?')) return { error: 'must not contain a query string (OIDC issuers have none)' };
  if (url.includes('#')) return { error: 'must not contain a fragment' };
  if (url.length > MAX_URL_LENGTH) return { error: `must be at most ${MAX_URL_LENGTH} characters long` };
  return { url };
}

function providerUrl(value: unknown, report: Report): string | undefined {
  if (value === undefined) {
    report('Url', 'is required (the issuer URL, e.g. https://token.actions.githubusercontent.com)');
    return undefined;
  }
  if (!checkString(value, 'Url', report, { min: 1, max: MAX_URL_LENGTH })) return undefined;
  const result = normalizeProviderUrl(value);
  if ('error' in result) {
    report('Url', result.error);
    return undefined;
  }
  return result.url;
}

function clientIds(value: unknown, report: Report): string[] | undefined {
  if (value === undefined) {
    report('ClientIDList', 'is required: list the audiences (aud values) this provider accepts');
    return undefined;
  }
  if (!Array.isArray(value)) {
    report('ClientIDList', `must be an array of strings, got ${describe(value)}`);
    return undefined;
  }
  // An empty list is what IAM keeps for a provider created without client IDs (every token then fails with
  // "Incorrect token audience", as in AWS); `lint` is where such advice belongs.
  if (value.length > MAX_CLIENT_IDS) report('ClientIDList', `must have at most ${MAX_CLIENT_IDS} client IDs, got ${value.length}`);
  const ids: string[] = [];
  value.forEach((id, i) => {
    if (checkString(id, at('ClientIDList', i), report, { min: 1, max: MAX_CLIENT_ID_LENGTH })) ids.push(id);
  });
  return ids;
}

function thumbprints(value: unknown, report: Report): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    report('ThumbprintList', `must be an array of strings, got ${describe(value)}`);
    return [];
  }
  if (value.length > MAX_THUMBPRINTS) {
    report('ThumbprintList', `must have at most ${MAX_THUMBPRINTS} thumbprints, got ${value.length}`);
  }
  const list: string[] = [];
  value.forEach((t, i) => {
    if (typeof t !== 'string' || !/^[0-9A-Fa-f]{40}$/.test(t)) {
      report(at('ThumbprintList', i), 'must be a SHA-1 thumbprint: 40 hexadecimal characters');
    } else list.push(t);
  });
  return list;
}

const KEY_FIELDS = ['Jwks', 'JwksFile', 'JwksUri', 'Emulated'] as const;

function keySource(doc: Record<string, unknown>, ctx: ProviderContext, report: Report): KeySource | undefined {
  const given = KEY_FIELDS.filter((k) => field(doc, k) !== undefined && !(k === 'Emulated' && field(doc, k) === false));
  if (given.length > 1) {
    report('', `give at most one of Jwks, JwksFile, JwksUri, Emulated; found ${given.join(', ')}`);
  }
  const emulated = field(doc, 'Emulated');
  if (emulated !== undefined && typeof emulated !== 'boolean') {
    report('Emulated', `must be true or false, got ${describe(emulated)}`);
  }
  const privateKeyFile = field(doc, 'PrivateKeyFile');
  if (privateKeyFile !== undefined && emulated !== true) {
    report('PrivateKeyFile', 'is only used with "Emulated": true');
  }
  const preset = field(doc, 'Preset');
  if (preset !== undefined) {
    if (emulated !== true) report('Preset', 'is only used with "Emulated": true (it names the claim set the emulator mints)');
    else if (typeof preset !== 'string' || !(PRESETS as readonly string[]).includes(preset))
      report('Preset', `must be one of ${PRESETS.join(', ')}, got ${typeof preset === 'string' ? `'${preset}'` : describe(preset)}`);
  }

  let source: KeySource | undefined;
  const jwks = field(doc, 'Jwks');
  if (jwks !== undefined) {
    const set = validateJwks(jwks, 'Jwks', report);
    if (set) source = { kind: 'inline', jwks: set };
  }
  const jwksFile = field(doc, 'JwksFile');
  if (jwksFile !== undefined && checkString(jwksFile, 'JwksFile', report, { min: 1, max: 4096 })) {
    const set = readJwksFile(jwksFile, ctx, report);
    if (set) source = { kind: 'inline', jwks: set };
  }
  const jwksUri = field(doc, 'JwksUri');
  if (jwksUri !== undefined && checkString(jwksUri, 'JwksUri', report, { min: 1, max: 2048 })) {
    const error = checkJwksUri(jwksUri);
    if (error) report('JwksUri', error);
    else source = { kind: 'uri', uri: jwksUri };
  }
  if (emulated === true) {
    let keyFile: string | undefined;
    if (privateKeyFile === undefined) {
      const url = field(doc, 'Url');
      keyFile =
        ctx.defaultKeyDir !== undefined
          ? nodePath.join(ctx.defaultKeyDir, keyFileNameOf(typeof url === 'string' ? url : ctx.file))
          : defaultPrivateKeyFile(ctx.file);
    } else if (checkString(privateKeyFile, 'PrivateKeyFile', report, { min: 1, max: 4096 })) keyFile = privateKeyFile;
    if (keyFile !== undefined) {
      const named = typeof preset === 'string' && (PRESETS as readonly string[]).includes(preset) ? { preset: preset as PresetName } : {};
      source = { kind: 'emulated', privateKeyFile: resolveBeside(ctx.dir, ctx.file, keyFile), ...named };
    }
  }
  if (given.length === 0) source = { kind: 'discovery' };
  return source;
}

/** The file name of an emulated provider's key named after its Url (`https_token.actions.githubusercontent.com.key.pem`). */
export function keyFileNameOf(url: string): string {
  return `${url.replace(/[^A-Za-z0-9.-]+/g, '_')}.key.pem`;
}

/** `providers/local.json` -> `local.key.pem` (beside the provider file). */
function defaultPrivateKeyFile(file: string): string {
  return `${nodePath.posix.basename(file).replace(/\.json$/i, '')}.key.pem`;
}

/** Resolves a path written in a provider file: relative to that file's directory, or absolute. */
export function resolveBeside(dir: string, file: string, ref: string): string {
  return nodePath.resolve(dir, nodePath.dirname(file), ref);
}

/** The absolute path a provider document's JwksFile names, for the loader to read beforehand. */
export function jwksFileReference(dir: string, file: string, doc: unknown): string | undefined {
  if (!isObject(doc)) return undefined;
  const ref = field(doc, 'JwksFile');
  return typeof ref === 'string' && ref !== '' ? resolveBeside(dir, file, ref) : undefined;
}

/** JwksUri must be https; http is accepted only for a local test server. */
export function checkJwksUri(uri: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return `is not a valid URL: '${uri}'`;
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)) return undefined;
  return 'must use https:// (http:// is allowed only for localhost, 127.0.0.1 and [::1])';
}

function readJwksFile(ref: string, ctx: ProviderContext, report: Report): JwkSet | undefined {
  const abs = resolveBeside(ctx.dir, ctx.file, ref);
  const shown = displayName(ctx.dir, abs);
  const entry = ctx.referencedFiles.get(abs);
  if (entry === undefined) {
    report('JwksFile', `file not found: ${shown} (paths are relative to ${nodePath.posix.dirname(ctx.file)}/)`);
    return undefined;
  }
  if ('error' in entry) {
    report('JwksFile', `cannot read ${shown}: ${entry.error}`);
    return undefined;
  }
  const parsed = parseJsonText(entry.text, { quote: false }); // JwksFile may name any file: never quote it
  let problems = 0;
  const reportJwks: Report = (p, m) => {
    problems++;
    ctx.reportIn(shown, p, m);
  };
  if (!parsed.ok) {
    reportJwks('', parsed.message);
  } else {
    const set = validateJwks(parsed.value, '', reportJwks);
    if (set && problems === 0) return set;
  }
  report('JwksFile', `${shown} is not a usable JWK Set (see the problems reported for that file)`);
  return undefined;
}

/** A file's name for messages: relative to dir with '/' when inside it, else absolute. */
export function displayName(dir: string, abs: string): string {
  const rel = nodePath.relative(dir, abs);
  return rel.startsWith('..') || nodePath.isAbsolute(rel) ? abs : rel.split(nodePath.sep).join('/');
}

/** A JWK Set {"keys": [...]} of public keys, each with a `kty`. */
export function validateJwks(value: unknown, path: string, report: Report): JwkSet | undefined {
  if (!isObject(value)) {
    report(path, `must be a JWK Set {"keys": [...]}, got ${describe(value)}`);
    return undefined;
  }
  const keys = field(value, 'keys');
  if (keys === undefined) {
    report(
      path,
      field(value, 'kty') !== undefined
        ? 'is a single JWK; wrap it in a JWK Set: {"keys": [ ... ]}'
        : 'must be a JWK Set with a "keys" array',
    );
    return undefined;
  }
  const keysPath = path === '' ? 'keys' : `${path}.keys`;
  if (!Array.isArray(keys)) {
    report(keysPath, `must be an array of JWKs, got ${describe(keys)}`);
    return undefined;
  }
  if (keys.length === 0) {
    report(keysPath, 'must contain at least one key');
    return undefined;
  }
  let ok = true;
  keys.forEach((key, i) => {
    const p = at(keysPath, i);
    if (!isObject(key)) {
      report(p, `must be a JWK object, got ${describe(key)}`);
      ok = false;
      return;
    }
    const kty = field(key, 'kty');
    if (typeof kty !== 'string' || kty === '') {
      report(at(p, 'kty'), 'is required (the key type, e.g. "RSA" or "EC")');
      ok = false;
    }
    for (const secret of ['d', 'k'] as const) {
      if (field(key, secret) !== undefined) {
        report(at(p, secret), 'is private key material; a JWK Set for verification lists only public keys');
        ok = false;
      }
    }
  });
  return ok ? { keys: keys as Record<string, unknown>[] } : undefined;
}
