/**
 * What the demo page (/_emulator/ui) asks of the emulator, as plain JSON: the configuration with each lint finding
 * next to the condition it concerns, the presets as forms (from their option schemas, so a new preset needs no page
 * change), one kept decision with its explain views and the parts that decided it, and the token spec a form sends,
 * checked before it reaches the issuer.
 */
import type { LoadedConfig, RoleConfig } from '../config/index.js';
import { explainGcpText, isGcpAction, type GcpExplanation } from '../gcp/explain-text.js';
import { presetNamed, presetOfProvider, PRESETS, type OidcProvider } from '../identity/index.js';
import type { Finding } from '../lint/index.js';
import { statementsOf, type EvaluationResult, type StatementView } from '../policy/index.js';
import type { AuditRecord } from '../server/index.js';
import { decidingParts, type DecidingPart } from '../sts/index.js';
import type { ClaimsSpec } from './claims-spec.js';
import { evaluationOf, explainRecordText } from './explain.js';
import { emulatedProviders, IssuerChoiceError } from './issuers.js';

export interface PageCondition {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
  /** Dotted JSON path in the role file. */
  readonly path: string;
  readonly findings: readonly Finding[];
}

export interface PageStatement {
  readonly index: number;
  readonly sid: string | null;
  readonly effect: 'Allow' | 'Deny';
  readonly path: string;
  readonly principal: {
    readonly any: boolean;
    readonly federated: readonly string[];
    readonly aws: readonly string[];
    readonly service: readonly string[];
  } | null;
  readonly actions: readonly string[];
  readonly notAction: boolean;
  readonly conditions: readonly PageCondition[];
  /** Findings about the statement but no one condition of it. */
  readonly findings: readonly Finding[];
}

export interface PageRole {
  readonly name: string;
  readonly arn: string;
  readonly maxSessionDuration: number;
  readonly description: string | null;
  readonly source: string;
  readonly trustPolicy: unknown;
  readonly statements: readonly PageStatement[];
  /** Findings about the role but no one statement of it. */
  readonly findings: readonly Finding[];
  /** The presets of the emulated issuers its statements trust: what the token form picks for it. */
  readonly presets: readonly string[];
}

export interface PageProvider {
  readonly url: string;
  readonly arn: string;
  readonly clientIdList: readonly string[];
  readonly thumbprintList: readonly string[];
  /** Where its keys come from. */
  readonly keys: { readonly kind: 'emulated' | 'inline' | 'uri' | 'discovery'; readonly text: string };
  readonly source: string;
  /** The preset its tokens are minted with, when it is an emulated issuer of a kind that has one. */
  readonly preset: string | null;
}

export interface PagePreset {
  readonly name: string;
  readonly label: string;
  /** Each option of the preset's schema, as the schema says it (kind, flag, default ...), with its name. */
  readonly options: readonly ({ readonly name: string } & Readonly<Record<string, unknown>>)[];
  /** The emulated issuers that mint it. */
  readonly issuers: readonly string[];
}

export interface PageConfig {
  readonly accountId: string;
  /** The emulated region (aws-cli's --region in the page's command). */
  readonly region: string;
  readonly roles: readonly PageRole[];
  readonly providers: readonly PageProvider[];
  readonly presets: readonly PagePreset[];
}

/** Whether `path` is `at` or inside it (a dotted path with [n] and ["key"] parts). */
function within(path: string, at: string): boolean {
  return path === at || path.startsWith(`${at}.`) || path.startsWith(`${at}[`);
}

const OIDC_PROVIDER_ARN = /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/(.+)$/;

function keysText(p: OidcProvider): PageProvider['keys'] {
  switch (p.keys.kind) {
    case 'emulated':
      return { kind: 'emulated', text: 'emulated: the emulator signs its tokens and serves its JWKS' };
    case 'inline':
      return { kind: 'inline', text: `inline JWKS in ${p.file}` };
    case 'uri':
      return { kind: 'uri', text: `JWKS fetched from ${p.keys.uri}` };
    case 'discovery':
      return { kind: 'discovery', text: `OIDC discovery: ${p.url}/.well-known/openid-configuration, then its jwks_uri` };
  }
}

function statementView(role: RoleConfig, s: StatementView, findings: Finding[]): PageStatement {
  const statementPath = `${role.trustPolicyPath}.${s.path}`;
  const conditions = s.conditions.map((c) => {
    const path = `${role.trustPolicyPath}.${c.path}`;
    return { operator: c.operator, key: c.key, values: [...c.values], path, findings: take(findings, path) };
  });
  return {
    index: s.index,
    sid: s.sid ?? null,
    effect: s.effect,
    path: statementPath,
    principal:
      s.principal === null
        ? null
        : { any: s.principal.any, federated: [...s.principal.federated], aws: [...s.principal.aws], service: [...s.principal.service] },
    actions: [...s.actions],
    notAction: s.notAction,
    conditions,
    findings: take(findings, statementPath),
  };
}

/** Removes from `findings` and returns those at or inside `path`. */
function take(findings: Finding[], path: string): Finding[] {
  const taken = findings.filter((f) => within(f.path, path));
  for (const f of taken) findings.splice(findings.indexOf(f), 1);
  return taken;
}

/** The configuration as the page shows it (lint is loaded by the first page that asks, never by serve's start). */
export async function pageConfig(config: LoadedConfig, region: string): Promise<PageConfig> {
  const { lintConfig } = await import('../lint/index.js');
  const findings = lintConfig(config);
  const emulated = emulatedProviders(config);
  const presetOfEmulated = new Map(emulated.map((p) => [p.name, presetOfProvider(p.name)]));
  const roles = config.roles.map((role): PageRole => {
    const mine = findings.filter((f) => f.role === role.roleName && f.file === role.file);
    const views = statementsOf(role.trustPolicy);
    // The deepest place first: conditions take their findings before their statement, statements before the role.
    const statements = views.map((s) => statementView(role, s, mine));
    const presets = new Set<string>();
    for (const s of views)
      for (const f of s.principal?.federated ?? []) {
        const preset = presetOfEmulated.get(OIDC_PROVIDER_ARN.exec(f)?.[1] ?? '');
        if (preset !== undefined) presets.add(preset);
      }
    return {
      name: role.roleName,
      arn: role.arn,
      maxSessionDuration: role.maxSessionDuration,
      description: role.description ?? null,
      source: role.file,
      trustPolicy: JSON.parse(role.trustPolicyJson) as unknown,
      statements,
      findings: mine,
      presets: [...presets],
    };
  });
  const providers = config.providers.map((p): PageProvider => ({
    url: p.url,
    arn: p.arn,
    clientIdList: [...p.clientIdList],
    thumbprintList: [...p.thumbprintList],
    keys: keysText(p),
    source: p.file,
    preset: presetOfEmulated.get(p.name) ?? null,
  }));
  const presets = PRESETS.map((name): PagePreset => {
    const preset = presetNamed(name);
    return {
      name,
      label: preset.label,
      options: Object.entries(preset.options).map(([option, spec]) => ({ ...spec, name: option })),
      issuers: emulated.filter((p) => presetOfEmulated.get(p.name) === name).map((p) => p.url),
    };
  });
  return { accountId: config.accountId, region, roles, providers, presets };
}

/** One kept decision as the page shows it: its audit record (the trace apart), the trace, explain's text, and what decided it. */
export interface PageDecision {
  readonly record: Omit<AuditRecord, 'trace'>;
  /** The trust-policy evaluation, or null when the request was refused before it (or is Google's: no trust policy). */
  readonly evaluation: EvaluationResult | null;
  readonly text: string;
  readonly deciding: readonly DecidingPart[];
}

export function pageDecision(record: AuditRecord): PageDecision {
  const { trace, ...rest } = record;
  // Google's decisions have no trust policy: their trace is explain --gcp's, shown as its text.
  if (isGcpAction(record.action)) return { record: rest, evaluation: null, text: explainGcpText(trace as GcpExplanation), deciding: [] };
  const evaluation = evaluationOf(trace) ?? null;
  return { record: rest, evaluation, text: explainRecordText(record), deciding: evaluation === null ? [] : decidingParts(evaluation) };
}

const SPEC_FIELDS = new Set(['preset', 'claims', 'issuer']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The token spec a page form sent (JSON): `preset` (a name, or `{ name, ...options }`), `claims` (an object) and
 * `issuer` (a string), nothing else. IssuerChoiceError names what is wrong; the preset's options are checked by
 * claimsFor as for every other caller.
 */
export function pageTokenSpec(body: unknown): ClaimsSpec {
  if (!isObject(body)) throw new IssuerChoiceError('the body must be a JSON object with preset, claims or issuer');
  const unknown = Object.keys(body).filter((k) => !SPEC_FIELDS.has(k));
  if (unknown.length > 0) throw new IssuerChoiceError(`unknown field ${JSON.stringify(unknown[0])} (known: preset, claims, issuer)`);
  const { preset, claims, issuer } = body;
  if (preset !== undefined && typeof preset !== 'string' && !(isObject(preset) && typeof preset['name'] === 'string'))
    throw new IssuerChoiceError('preset must be a preset name or an object with a name');
  if (claims !== undefined && !isObject(claims)) throw new IssuerChoiceError('claims must be a JSON object');
  if (issuer !== undefined && typeof issuer !== 'string') throw new IssuerChoiceError('issuer must be a string');
  if (preset === undefined && claims === undefined) throw new IssuerChoiceError('give preset or claims');
  return {
    ...(preset === undefined ? {} : { preset: preset as NonNullable<ClaimsSpec['preset']> }),
    ...(claims === undefined ? {} : { claims }),
    ...(issuer === undefined ? {} : { issuer }),
  };
}
