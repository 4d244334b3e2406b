/**
 * Google Cloud workload identity federation configuration (issue 19), beside the AWS files and through the same loader:
 *   gcp/pools/*.json             one OIDC provider of a workload identity pool, as
 *                                `gcloud iam workload-identity-pools providers describe --format=json` prints it
 *                                (or an array of them); keys: oidc.jwksJson, `"Emulated": true` (the built-in issuer
 *                                registered in providers/ with the same Url), or discovery when neither is given
 *   gcp/service-accounts/*.json  a service account: email and its IAM policy bindings (`bindings`, as
 *                                `gcloud iam service-accounts get-iam-policy --format=json` prints them)
 * Every problem is reported with its file and JSON path; expressions are compiled here, once.
 */
import type { CelProgram } from '../gcp/cel.js';
import { compileCel } from '../gcp/cel.js';
import {
  compileMapping,
  MAPPING_KEY,
  MAX_CONDITION_CHARS,
  MAX_CUSTOM_ATTRIBUTES,
  MAX_MAPPING_EXPRESSION_CHARS,
  type CompiledMapping,
} from '../gcp/mapping.js';
import type { KeySource, OidcProvider } from '../identity/types.js';
import { at, checkUnknownFields, describe, documentsOf, field, isObject, type Report } from './fields.js';
import { parseJsonDocument, parseJsonText, type SourcePositions } from './json-file.js';
import { validateJwks } from './providers.js';

/** One OIDC provider of a workload identity pool. */
export interface GcpProvider {
  /** projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> */
  readonly name: string;
  readonly projectNumber: string;
  readonly poolId: string;
  readonly providerId: string;
  readonly issuerUri: string;
  /** As written; empty means the two default audiences (defaultAudiences). */
  readonly allowedAudiences: readonly string[];
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly mapping: CompiledMapping;
  readonly attributeCondition?: string;
  readonly condition?: CelProgram;
  /** `disabled: true` or `state: DELETED`: STS answers invalid_target. */
  readonly disabled: boolean;
  readonly keys: KeySource;
  readonly file: string;
  /** Where the provider is in its file: '' for a file of one provider, `[i]` in an array (the base of lint's paths). */
  readonly at: string;
  /** Where each value is written in the file, by dotted path (for reports that point into it: lint's line and column). */
  readonly positions: SourcePositions;
}

export interface GcpBinding {
  readonly role: string;
  readonly members: readonly string[];
}

export interface GcpServiceAccount {
  readonly email: string;
  readonly bindings: readonly GcpBinding[];
  readonly disabled: boolean;
  readonly file: string;
  /** Where the service account is in its file: '' or `[i]` in an array. */
  readonly at: string;
  readonly positions: SourcePositions;
}

export interface GcpConfig {
  readonly providers: readonly GcpProvider[];
  readonly serviceAccounts: readonly GcpServiceAccount[];
}

export const GCP_POOL_DIR = 'gcp/pools';
export const GCP_SERVICE_ACCOUNT_DIR = 'gcp/service-accounts';

const PROVIDER_NAME = /^projects\/(\d{1,20})\/locations\/global\/workloadIdentityPools\/([a-z0-9-]{4,32})\/providers\/([a-z0-9-]{4,32})$/;
const PROVIDER_FIELDS = [
  'name',
  'displayName',
  'description',
  'state',
  'disabled',
  'attributeMapping',
  'attributeCondition',
  'oidc',
  'expireTime',
  'Emulated',
] as const;
const OIDC_FIELDS = ['issuerUri', 'allowedAudiences', 'jwksJson'] as const;
const SERVICE_ACCOUNT_FIELDS = [
  'email',
  'name',
  'projectId',
  'uniqueId',
  'displayName',
  'description',
  'oauth2ClientId',
  'disabled',
  'etag',
  'version',
  'bindings',
] as const;
const EMAIL = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$|^[^@\s]+@[^@\s]+$/;
const MEMBER_PREFIX =
  /^(principal|principalSet):\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\//;
const MEMBER_TAIL = /^(?:subject\/.+|group\/.+|attribute\.[a-z0-9_]{1,100}\/.+|\*)$/;
const OTHER_MEMBER = /^(?:user|serviceAccount|group|domain|deleted:[a-z]+):.+$|^allUsers$|^allAuthenticatedUsers$/;

/** The two audiences a provider with no allowedAudiences accepts: its full name, with and without `https:`. */
export function defaultAudiences(provider: Pick<GcpProvider, 'name'>): string[] {
  return [`//iam.googleapis.com/${provider.name}`, `https://iam.googleapis.com/${provider.name}`];
}

/** The audiences a provider accepts. */
export function acceptedAudiences(provider: GcpProvider): readonly string[] {
  return provider.allowedAudiences.length > 0 ? provider.allowedAudiences : defaultAudiences(provider);
}

export interface GcpFile {
  readonly name: string;
  readonly text: string;
  readonly linked?: boolean;
}

/** Validates the gcp/ files; `awsProviders` give the keys of `"Emulated": true`. */
export function buildGcp(
  files: readonly GcpFile[],
  awsProviders: readonly OidcProvider[],
  reportIn: (file: string, path: string, message: string) => void,
): GcpConfig {
  const providers: GcpProvider[] = [];
  const serviceAccounts: GcpServiceAccount[] = [];
  const names = new Map<string, string>();
  const emails = new Map<string, string>();
  for (const file of files) {
    const report: Report = (path, message) => reportIn(file.name, path, message);
    const json = parseJsonDocument(file.text, { quote: file.linked !== true });
    if (!json.ok) {
      report('', json.message);
      continue;
    }
    for (const { value: v, base, report: r } of documentsOf(json.value, report)) {
      const where = { file: file.name, at: base, positions: json.positions };
      if (file.name.startsWith(`${GCP_POOL_DIR}/`)) {
        const p = validateGcpProvider(v, where, awsProviders, r);
        if (p === undefined) continue;
        const first = names.get(p.name);
        if (first !== undefined) r('name', `${p.name} is already defined in ${first}`);
        else {
          names.set(p.name, file.name);
          providers.push(p);
        }
      } else {
        const sa = validateServiceAccount(v, where, r);
        if (sa === undefined) continue;
        const first = emails.get(sa.email);
        if (first !== undefined) r('email', `${sa.email} is already defined in ${first}`);
        else {
          emails.set(sa.email, file.name);
          serviceAccounts.push(sa);
        }
      }
    }
  }
  return { providers, serviceAccounts };
}

/** Where a document is: its file, its place in the file, the file's positions. */
interface Where {
  readonly file: string;
  readonly at: string;
  readonly positions: SourcePositions;
}

function validateGcpProvider(value: unknown, where: Where, awsProviders: readonly OidcProvider[], outer: Report): GcpProvider | undefined {
  let problems = 0;
  const report: Report = (p, m) => {
    problems++;
    outer(p, m);
  };
  if (!isObject(value)) {
    report('', `must be a JSON object (a workload identity pool provider: name, attributeMapping, oidc), got ${describe(value)}`);
    return undefined;
  }
  for (const other of ['saml', 'aws', 'x509']) {
    if (field(value, other) !== undefined) report(other, 'only OIDC providers are emulated');
  }
  checkUnknownFields(
    Object.fromEntries(Object.entries(value).filter(([k]) => !['saml', 'aws', 'x509'].includes(k))),
    PROVIDER_FIELDS,
    '',
    report,
  );
  const name = field(value, 'name');
  const m = typeof name === 'string' ? PROVIDER_NAME.exec(name) : null;
  if (name === undefined)
    report('name', 'is required: projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>');
  else if (m === null)
    report(
      'name',
      `must be projects/<project number>/locations/global/workloadIdentityPools/<pool id>/providers/<provider id> (ids of 4 to 32 of a-z, 0-9 and -), got ${typeof name === 'string' ? `'${name}'` : describe(name)}`,
    );

  const disabled = field(value, 'disabled');
  if (disabled !== undefined && typeof disabled !== 'boolean') report('disabled', `must be true or false, got ${describe(disabled)}`);
  const state = field(value, 'state');
  if (state !== undefined && state !== 'ACTIVE' && state !== 'DELETED')
    report('state', `must be ACTIVE or DELETED, got ${JSON.stringify(state)}`);
  for (const k of ['displayName', 'description', 'expireTime'] as const) {
    const v = field(value, k);
    if (v !== undefined && typeof v !== 'string') report(k, `must be a string, got ${describe(v)}`);
  }

  // attributeMapping
  const rawMapping = field(value, 'attributeMapping');
  const mappingDoc: Record<string, string> = {};
  if (rawMapping === undefined) {
    report('attributeMapping', 'is required for OIDC providers and must map google.subject (e.g. {"google.subject": "assertion.sub"})');
  } else if (!isObject(rawMapping)) {
    report('attributeMapping', `must be an object of attribute: CEL expression, got ${describe(rawMapping)}`);
  } else {
    let custom = 0;
    for (const [k, expr] of Object.entries(rawMapping)) {
      const p = at('attributeMapping', k);
      if (!MAPPING_KEY.test(k)) {
        report(p, 'must be google.subject, google.groups or attribute.<name> (name: 1 to 100 of a-z, 0-9 and _)');
        continue;
      }
      if (k.startsWith('attribute.')) custom++;
      if (typeof expr !== 'string' || expr.trim() === '') report(p, `must be a CEL expression (a non-empty string), got ${describe(expr)}`);
      else if (expr.length > MAX_MAPPING_EXPRESSION_CHARS)
        report(p, `must be at most ${MAX_MAPPING_EXPRESSION_CHARS} characters, got ${expr.length}`);
      else mappingDoc[k] = expr;
    }
    if (custom > MAX_CUSTOM_ATTRIBUTES)
      report('attributeMapping', `must have at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes, got ${custom}`);
    if (field(rawMapping, 'google.subject') === undefined)
      report('attributeMapping', 'must map google.subject (OIDC providers require it)');
  }
  const compiled = compileMapping(mappingDoc);
  for (const p of compiled.problems) report(at('attributeMapping', p.key), p.message);

  // attributeCondition
  const rawCondition = field(value, 'attributeCondition');
  let condition: CelProgram | undefined;
  if (rawCondition !== undefined) {
    if (typeof rawCondition !== 'string')
      report('attributeCondition', `must be a CEL expression (a string), got ${describe(rawCondition)}`);
    else if (rawCondition.length > MAX_CONDITION_CHARS)
      report('attributeCondition', `must be at most ${MAX_CONDITION_CHARS} characters, got ${rawCondition.length}`);
    else if (rawCondition.trim() !== '') {
      const c = compileCel(rawCondition);
      if (c.ok) condition = c.program;
      else report('attributeCondition', `is not a valid CEL expression: ${c.message}`);
    }
  }

  // oidc
  const oidc = field(value, 'oidc');
  let issuerUri: string | undefined;
  const audiences: string[] = [];
  let keys: KeySource | undefined;
  const emulated = field(value, 'Emulated');
  if (emulated !== undefined && typeof emulated !== 'boolean') report('Emulated', `must be true or false, got ${describe(emulated)}`);
  if (!isObject(oidc)) {
    report(
      'oidc',
      oidc === undefined
        ? 'is required: {"issuerUri": "https://...", "allowedAudiences": [...]}'
        : `must be an object, got ${describe(oidc)}`,
    );
  } else {
    checkUnknownFields(oidc, OIDC_FIELDS, 'oidc', report);
    const uri = field(oidc, 'issuerUri');
    if (typeof uri !== 'string' || uri === '') report('oidc.issuerUri', `is required (the issuer's https URL), got ${describe(uri)}`);
    else if (!uri.startsWith('https://')) report('oidc.issuerUri', 'Invalid OIDC issuer URI. The scheme must be https.');
    else issuerUri = uri;
    const list = field(oidc, 'allowedAudiences');
    if (list !== undefined) {
      if (!Array.isArray(list)) report('oidc.allowedAudiences', `must be an array of strings, got ${describe(list)}`);
      else {
        if (list.length > 10) report('oidc.allowedAudiences', `must have at most 10 audiences, got ${list.length}`);
        list.forEach((a, i) => {
          if (typeof a !== 'string' || a === '' || a.length > 256)
            report(at('oidc.allowedAudiences', i), 'must be a string of 1 to 256 characters');
          else audiences.push(a);
        });
      }
    }
    const jwksJson = field(oidc, 'jwksJson');
    if (jwksJson !== undefined) {
      if (emulated === true) report('', 'give oidc.jwksJson or "Emulated": true, not both');
      if (typeof jwksJson !== 'string')
        report('oidc.jwksJson', `must be a JWK Set as a JSON string (as Google keeps it), got ${describe(jwksJson)}`);
      else {
        const parsed = parseJsonText(jwksJson, { quote: false });
        if (!parsed.ok) report('oidc.jwksJson', `is not JSON: ${parsed.message}`);
        else {
          const set = validateJwks(parsed.value, 'oidc.jwksJson', report);
          if (set) keys = { kind: 'inline', jwks: set };
        }
      }
    }
  }
  if (emulated === true && issuerUri !== undefined) {
    const aws = awsProviders.find((p) => p.url === issuerUri && p.keys.kind === 'emulated');
    if (aws === undefined) report('Emulated', `no emulated provider in providers/ has the Url ${issuerUri} (its key signs the tokens)`);
    else keys = aws.keys;
  }
  keys ??= { kind: 'discovery' };
  if (problems > 0 || m === null || issuerUri === undefined) return undefined;
  return {
    name: name as string,
    projectNumber: m[1] as string,
    poolId: m[2] as string,
    providerId: m[3] as string,
    issuerUri,
    allowedAudiences: audiences,
    attributeMapping: mappingDoc,
    mapping: compiled.mapping,
    ...(typeof rawCondition === 'string' && condition !== undefined ? { attributeCondition: rawCondition, condition } : {}),
    disabled: disabled === true || state === 'DELETED',
    keys,
    ...where,
  };
}

function validateServiceAccount(value: unknown, where: Where, outer: Report): GcpServiceAccount | undefined {
  let problems = 0;
  const report: Report = (p, m) => {
    problems++;
    outer(p, m);
  };
  if (!isObject(value)) {
    report('', `must be a JSON object (a service account: email, bindings), got ${describe(value)}`);
    return undefined;
  }
  checkUnknownFields(value, SERVICE_ACCOUNT_FIELDS, '', report);
  const email = field(value, 'email');
  if (typeof email !== 'string' || !EMAIL.test(email)) {
    report(
      'email',
      `is required: the service account's email (e.g. deployer@my-project.iam.gserviceaccount.com), got ${typeof email === 'string' ? `'${email}'` : describe(email)}`,
    );
  }
  const disabled = field(value, 'disabled');
  if (disabled !== undefined && typeof disabled !== 'boolean') report('disabled', `must be true or false, got ${describe(disabled)}`);
  const raw = field(value, 'bindings');
  const bindings: GcpBinding[] = [];
  if (raw !== undefined && !Array.isArray(raw)) report('bindings', `must be an array of {role, members}, got ${describe(raw)}`);
  if (Array.isArray(raw)) {
    raw.forEach((b, i) => {
      const p = at('bindings', i);
      if (!isObject(b)) {
        report(p, `must be an object {role, members}, got ${describe(b)}`);
        return;
      }
      checkUnknownFields(b, ['role', 'members', 'condition'], p, report);
      if (field(b, 'condition') !== undefined) report(at(p, 'condition'), 'IAM conditions on bindings are not emulated');
      const role = field(b, 'role');
      if (typeof role !== 'string' || !/^(roles|projects\/[^/]+\/roles|organizations\/\d+\/roles)\/[A-Za-z0-9_.]+$/.test(role))
        report(
          at(p, 'role'),
          `must be a role name such as roles/iam.workloadIdentityUser, got ${typeof role === 'string' ? `'${role}'` : describe(role)}`,
        );
      const members = field(b, 'members');
      const list: string[] = [];
      if (!Array.isArray(members)) report(at(p, 'members'), `must be an array of member strings, got ${describe(members)}`);
      else
        members.forEach((mem, j) => {
          const mp = at(at(p, 'members'), j);
          const problem = memberProblem(mem);
          if (problem !== undefined) report(mp, problem);
          else list.push(mem as string);
        });
      if (typeof role === 'string') bindings.push({ role, members: list });
    });
  }
  if (problems > 0) return undefined;
  return { email: email as string, bindings, disabled: disabled === true, ...where };
}

/** Why a binding member is not one Google would accept, if it is not. */
export function memberProblem(member: unknown): string | undefined {
  if (typeof member !== 'string') return `must be a string, got ${describe(member)}`;
  if (OTHER_MEMBER.test(member)) return undefined;
  const m = MEMBER_PREFIX.exec(member);
  if (m === null)
    return `must be principal://iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/subject/<subject>, a principalSet://... of the pool (group/<g>, attribute.<name>/<value>, *), or user:, serviceAccount:, group:, domain:, got '${member}'`;
  const tail = member.slice(m[0].length);
  if (!MEMBER_TAIL.test(tail))
    return `has an unknown form after the pool: '${tail}' (subject/<s>, group/<g>, attribute.<name>/<value> or *)`;
  if (m[1] === 'principal' && !tail.startsWith('subject/'))
    return 'a principal:// member names one subject (…/subject/<s>); sets are principalSet://';
  if (m[1] === 'principalSet' && tail.startsWith('subject/'))
    return 'a principalSet:// member names a group, an attribute value or *; one subject is principal://';
  return undefined;
}
