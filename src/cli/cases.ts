/**
 * Regression case files (YAML or JSON): a list of cases, or an object with a `cases` list.
 * Every problem is reported with its file and JSON path; a file with problems runs no case.
 */
import { createRequire } from 'node:module';
import { readFile, readdir, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { minimatch } from 'minimatch';
import { STS_ERRORS } from '../protocol/index.js';
import { GCP_EXPECTATIONS } from '../gcp/index.js';
import { INFISICAL_EXPECTATIONS } from '../infisical/index.js';
import { type PresetName, presetNamed, presetOptionProblems, PRESETS } from '../identity/index.js';

/** The yaml package, loaded for the first YAML case file (a JSON one never needs it). */
let loadedYaml: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  return (loadedYaml ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
}

/** allow, deny, an STS error code, or (for a `gcp` case) one of Google's codes (GCP_EXPECTATIONS). */
export type Expectation = 'allow' | 'deny' | keyof typeof STS_ERRORS | (string & {});

export interface Case {
  readonly file: string;
  readonly index: number;
  readonly name: string;
  readonly role: string;
  readonly claims?: Record<string, unknown>;
  readonly token?: string;
  readonly preset?: { readonly name: PresetName; readonly options: Record<string, unknown> };
  readonly issuer?: string;
  readonly sessionName?: string;
  readonly durationSeconds?: number;
  readonly sourceIp?: string;
  readonly policy?: string;
  /**
   * A Google Cloud target instead of a role (`gcp: {provider, serviceAccount}`, or `gcp: true`): the token exchange of
   * the pool provider, then the impersonation of the service account when one is named. `role` is '' then.
   */
  readonly gcp?: { readonly provider?: string; readonly serviceAccount?: string };
  /**
   * `target: vault`: Vault's JWT login instead of an AWS role, on `mount` (default: the only mount, or the one whose
   * bound_issuer is the token's iss), with `role` as the Vault role (default: the mount's default_role).
   */
  readonly vault?: { readonly mount?: string; readonly role?: string };
  /**
   * `target: infisical`: an Infisical OIDC auth login instead of a role, of the identity named by `identity` (default:
   * the only one, or the one whose boundIssuer is the token's iss). `role` is '' then.
   */
  readonly infisical?: { readonly identity?: string };
  readonly expect: Expectation;
}

export interface CaseProblem {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

const FIELDS = new Set([
  'name',
  'role',
  'claims',
  'token',
  'preset',
  'issuer',
  'sessionName',
  'durationSeconds',
  'sourceIp',
  'policy',
  'gcp',
  'target',
  'mount',
  'identity',
  'expect',
]);
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const CASE_FILE = /\.(ya?ml|json)$/i;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseCases(file: string, text: string): { cases: Case[]; problems: CaseProblem[] } {
  const problems: CaseProblem[] = [];
  const cases: Case[] = [];
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : yaml().parse(text, { maxAliasCount: 100 });
  } catch (e) {
    return {
      cases,
      problems: [
        { file, path: '', message: `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}` },
      ],
    };
  }
  let list: unknown = doc;
  let prefix = '';
  if (isObject(doc) && 'cases' in doc) {
    list = doc['cases'];
    prefix = 'cases';
  }
  if (!Array.isArray(list)) return { cases, problems: [{ file, path: prefix, message: 'must be a list of cases' }] };
  list.forEach((raw, i) => {
    const path = `${prefix}[${i}]`;
    const bad = (field: string, message: string): void =>
      void problems.push({ file, path: field === '' ? path : `${path}.${field}`, message });
    if (!isObject(raw)) return bad('', 'a case must be an object');
    for (const k of Object.keys(raw)) if (!FIELDS.has(k)) bad(k, `unknown field (known: ${[...FIELDS].join(', ')})`);
    const str = (k: string, required: boolean): string | undefined => {
      const v = raw[k];
      if (v === undefined) {
        if (required) bad(k, 'is required');
        return undefined;
      }
      if (typeof v !== 'string' || v === '') {
        bad(k, 'must be a non-empty string');
        return undefined;
      }
      return v;
    };
    const name = str('name', true);
    const rawGcp = raw['gcp'];
    let gcp: Case['gcp'];
    if (rawGcp === true) gcp = {};
    else if (isObject(rawGcp)) {
      for (const k of Object.keys(rawGcp))
        if (k !== 'provider' && k !== 'serviceAccount') bad(`gcp.${k}`, 'unknown field (known: provider, serviceAccount)');
      const target: { provider?: string; serviceAccount?: string } = {};
      for (const k of ['provider', 'serviceAccount'] as const) {
        const v = rawGcp[k];
        if (v === undefined) continue;
        if (typeof v !== 'string' || v === '') bad(`gcp.${k}`, 'must be a non-empty string');
        else target[k] = v;
      }
      gcp = target;
    } else if (rawGcp !== undefined) bad('gcp', 'must be true or {provider, serviceAccount}');
    if (gcp !== undefined) {
      for (const k of ['role', 'sessionName', 'durationSeconds', 'sourceIp', 'policy'])
        if (raw[k] !== undefined) bad(k, 'applies to a role, not to a gcp case');
    }
    const rawTarget = raw['target'];
    let vault: Case['vault'];
    let infisical: Case['infisical'];
    if (rawTarget === 'vault') {
      if (gcp !== undefined) bad('target', 'give target: vault or gcp, not both');
      for (const k of ['sessionName', 'durationSeconds', 'sourceIp', 'policy'])
        if (raw[k] !== undefined) bad(k, 'applies to an AWS role, not to a vault case');
      const mount = str('mount', false);
      const vaultRole = str('role', false);
      vault = { ...(mount === undefined ? {} : { mount }), ...(vaultRole === undefined ? {} : { role: vaultRole }) };
    } else if (rawTarget === 'infisical') {
      if (gcp !== undefined) bad('target', 'give target: infisical or gcp, not both');
      for (const k of ['role', 'sessionName', 'durationSeconds', 'sourceIp', 'policy'])
        if (raw[k] !== undefined) bad(k, 'applies to a role, not to an infisical case');
      const identity = str('identity', false);
      infisical = identity === undefined ? {} : { identity };
    } else if (rawTarget !== undefined && rawTarget !== 'aws')
      bad('target', `must be aws, vault or infisical, got ${JSON.stringify(rawTarget)}`);
    if (vault === undefined && raw['mount'] !== undefined) bad('mount', 'applies to target: vault');
    if (infisical === undefined && raw['identity'] !== undefined) bad('identity', 'applies to target: infisical');
    const role = gcp !== undefined || infisical !== undefined ? '' : vault !== undefined ? (vault.role ?? '') : str('role', true);
    const token = str('token', false);
    const issuer = str('issuer', false);
    const sessionName = str('sessionName', false);
    const sourceIp = str('sourceIp', false);
    if (sourceIp !== undefined && isIP(sourceIp) === 0) bad('sourceIp', `must be an IPv4 or IPv6 address, got '${sourceIp}'`);
    const rawPolicy = raw['policy'];
    let policy: string | undefined;
    if (typeof rawPolicy === 'string') policy = rawPolicy;
    else if (isObject(rawPolicy)) policy = JSON.stringify(rawPolicy);
    else if (rawPolicy !== undefined) bad('policy', 'must be a policy document (an object) or its JSON text');
    const claims = raw['claims'];
    if (claims !== undefined && !isObject(claims)) bad('claims', 'must be an object of claims');
    let preset: Case['preset'];
    const p = raw['preset'];
    if (typeof p === 'string') {
      if (!(PRESETS as readonly string[]).includes(p)) bad('preset', `unknown preset '${p}' (known: ${PRESETS.join(', ')})`);
      else preset = { name: p as PresetName, options: {} };
    } else if (isObject(p)) {
      const n = p['name'];
      if (typeof n !== 'string' || !(PRESETS as readonly string[]).includes(n)) bad('preset.name', `must be one of ${PRESETS.join(', ')}`);
      else {
        const options = Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'name'));
        const found = presetOptionProblems(presetNamed(n as PresetName), options);
        for (const f of found) bad(f.option === '' ? 'preset' : `preset.${f.option}`, f.message);
        if (found.length === 0) preset = { name: n as PresetName, options };
      }
    } else if (p !== undefined) bad('preset', 'must be a preset name or an object with a name');
    if (token !== undefined && (claims !== undefined || p !== undefined)) bad('token', 'give token, or claims/preset, not both');
    if (token !== undefined && issuer !== undefined)
      bad('issuer', 'names the issuer that signs claims/preset; a token names its own (iss)');
    if (token === undefined && claims === undefined && p === undefined) bad('', 'needs claims, preset or token');
    let durationSeconds: number | undefined;
    const d = raw['durationSeconds'];
    if (d !== undefined) {
      if (typeof d !== 'number' || !Number.isInteger(d)) bad('durationSeconds', 'must be an integer');
      else durationSeconds = d;
    }
    const expect = raw['expect'];
    let expectation: Expectation | undefined;
    if (expect === 'allow' || expect === 'deny') expectation = expect;
    else if (vault !== undefined) bad('expect', 'must be allow or deny for a vault case');
    else if (infisical !== undefined) {
      if (typeof expect === 'string' && INFISICAL_EXPECTATIONS.includes(expect)) expectation = expect;
      else bad('expect', `must be allow, deny or the error of Infisical's answer (${INFISICAL_EXPECTATIONS.join(', ')})`);
    } else if (gcp !== undefined) {
      if (typeof expect === 'string' && GCP_EXPECTATIONS.includes(expect)) expectation = expect;
      else bad('expect', `must be allow, deny or one of Google's codes (${GCP_EXPECTATIONS.join(', ')})`);
    } else if (typeof expect === 'string' && Object.hasOwn(STS_ERRORS, expect)) expectation = expect as Expectation;
    else bad('expect', `must be allow, deny or an STS error code (${Object.keys(STS_ERRORS).join(', ')})`);
    if (name === undefined || role === undefined || expectation === undefined) return;
    cases.push({
      file,
      index: i,
      name,
      role,
      expect: expectation,
      ...(isObject(claims) ? { claims } : {}),
      ...(token === undefined ? {} : { token }),
      ...(preset === undefined ? {} : { preset }),
      ...(issuer === undefined ? {} : { issuer }),
      ...(sessionName === undefined ? {} : { sessionName }),
      ...(durationSeconds === undefined ? {} : { durationSeconds }),
      ...(sourceIp === undefined ? {} : { sourceIp }),
      ...(policy === undefined ? {} : { policy }),
      ...(gcp === undefined ? {} : { gcp }),
      ...(vault === undefined ? {} : { vault }),
      ...(infisical === undefined ? {} : { infisical }),
    });
  });
  return { cases, problems };
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else if (entry.isFile()) out.push(full);
  }
}

/** Files named by a path, a directory (every .yaml/.yml/.json under it) or a glob (minimatch, relative to cwd). */
export async function expandCaseArgs(args: readonly string[], cwd: string): Promise<{ files: string[]; problems: CaseProblem[] }> {
  const files = new Set<string>();
  const problems: CaseProblem[] = [];
  for (const arg of args) {
    const full = resolve(cwd, arg);
    const st = await stat(full).catch(() => undefined);
    if (st?.isFile() === true) {
      files.add(full);
      continue;
    }
    if (st?.isDirectory() === true) {
      const found: string[] = [];
      await walk(full, found);
      for (const f of found.filter((f) => CASE_FILE.test(f)).sort()) files.add(f);
      continue;
    }
    // A glob: walk from its literal prefix and match the rest with minimatch (shell-glob semantics).
    const parts = arg.split('/');
    const literal: string[] = [];
    for (const part of parts) {
      if (/[*?[\]{}!]/.test(part)) break;
      literal.push(part);
    }
    const base = resolve(cwd, literal.join('/') || '.');
    const found: string[] = [];
    if ((await stat(base).catch(() => undefined))?.isDirectory() === true) await walk(base, found);
    const matched = found.filter((f) => minimatch(relative(cwd, f).split(sep).join('/'), arg.replace(/^\.\//, ''), { dot: false })).sort();
    if (matched.length === 0) problems.push({ file: arg, path: '', message: 'no such file, directory, or files matching this glob' });
    for (const f of matched) files.add(f);
  }
  return { files: [...files], problems };
}

export async function loadCaseFile(file: string, cwd: string): Promise<{ cases: Case[]; problems: CaseProblem[] }> {
  const rel = relative(cwd, file);
  // As the user can open it: relative to the current directory, absolute when outside it.
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
  const st = await stat(file);
  if (st.size > MAX_FILE_BYTES) return { cases: [], problems: [{ file: shown, path: '', message: `larger than ${MAX_FILE_BYTES} bytes` }] };
  return parseCases(shown, await readFile(file, 'utf8'));
}
