/**
 * Findings as GitHub Actions workflow commands (GitHub "Workflow commands for GitHub Actions": `::error file=...,
 * line=...,col=...,title=...::message`), which a workflow step prints to annotate the file on the line of the
 * finding. Properties and message are escaped as the runner unescapes them.
 */
import { TARGET_NAMES, type Finding, type Severity } from './rule.js';

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', info: 'notice' };

const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One workflow command line per finding. */
export function githubAnnotations(findings: readonly Finding[]): string[] {
  return findings.map((f) => {
    const props = [
      `file=${escapeProperty(f.file)}`,
      ...(f.line === undefined ? [] : [`line=${f.line}`]),
      ...(f.column === undefined ? [] : [`col=${f.column}`]),
      `title=${escapeProperty(`${f.rule} (${TARGET_NAMES[f.target ?? 'role']} ${f.role})`)}`,
    ];
    return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(`${f.message}\nfix: ${f.fix}`)}`;
  });
}
