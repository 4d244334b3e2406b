/**
 * Findings as a SARIF 2.1.0 log (OASIS "Static Analysis Results Interchange Format Version 2.1.0"), the format GitHub
 * code scanning uploads: one run, the rule table as the driver's rules, each finding a result with its level, message
 * and fix, the file as a URI (relative to the directory lint ran in, else file://) and the region where its JSON path
 * is written, so code scanning shows it on the line.
 */
import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROVIDER_NAMES, type Finding, type Rule, type Severity } from './rule.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
/** GitHub code scanning's security severity (0.0-10.0: >= 7 high, >= 4 medium, else low) for rules tagged `security`. */
const SECURITY_SEVERITY: Record<Severity, string> = { error: '8.0', warning: '5.0', info: '2.0' };

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** A file as SARIF's artifactLocation.uri: a relative reference with `/` separators, or a file:// URL. */
export function artifactUri(file: string): string {
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}

const plain = (text: string): string => text.replace(/`/g, "'");

function ruleDescriptor(rule: Rule): Record<string, unknown> {
  const providers = rule.providers.includes('any') ? 'any provider' : rule.providers.map((p) => PROVIDER_NAMES[p]).join(', ');
  return {
    id: rule.id,
    name: rule.id.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase()),
    shortDescription: { text: plain(rule.summary) },
    fullDescription: { text: `${plain(rule.summary)} (${providers})` },
    help: { text: `${plain(rule.summary)}. Providers: ${providers}.`, markdown: `${rule.summary}. Providers: ${providers}.` },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ['security', 'iam', 'oidc', ...(rule.on.startsWith('gcp-') ? ['google-cloud'] : []), ...rule.providers],
      'security-severity': SECURITY_SEVERITY[rule.severity],
    },
  };
}

function result(f: Finding, ruleIndex: number): Record<string, unknown> {
  const region =
    f.line === undefined ? {} : { region: { startLine: f.line, ...(f.column === undefined ? {} : { startColumn: f.column }) } };
  return {
    ruleId: f.rule,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${f.message}. Fix: ${f.fix}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: artifactUri(f.file) }, ...region },
        logicalLocations: [{ name: f.role, fullyQualifiedName: `${f.role}/${f.path}` }],
      },
    ],
    partialFingerprints: {
      'stsEmulatorLint/v1': createHash('sha256').update(`${f.rule}\0${f.file}\0${f.path}\0${f.message}`).digest('hex'),
    },
    properties: { role: f.role, jsonPath: f.path, fix: f.fix },
  };
}

/** The SARIF log of these findings; every rule of the table is described, whether it reported or not. */
export function sarifLog(
  findings: readonly Finding[],
  rules: readonly Rule[],
  tool: { readonly name: string; readonly version: string },
): Record<string, unknown> {
  const index = new Map(rules.map((r, i) => [r.id, i] as const));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: tool.name, version: tool.version, semanticVersion: tool.version, rules: rules.map(ruleDescriptor) } },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => result(f, index.get(f.rule) ?? -1)),
      },
    ],
  };
}
