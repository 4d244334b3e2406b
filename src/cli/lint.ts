/**
 * `sts-emulator lint`: findings with file, line, JSON path and a fix, as text, JSON, SARIF 2.1.0 (GitHub code
 * scanning) or GitHub workflow commands (annotations). Exit 1 on an error, or on a warning with --strict; infos never
 * fail.
 */
import { parseArgs } from 'node:util';
import { isAbsolute, relative, resolve } from 'node:path';
import { countFindings, githubAnnotations, lintConfig, RULES, sarifLog, type Finding } from '../lint/index.js';
import { HELP } from './help.js';
import { COMMON_ARGS, commonOptions, type Io, loadCommonConfig, processIo, str, UsageError, VERSION } from './options.js';

export const LINT_ARGS = { ...COMMON_ARGS, strict: { type: 'boolean' }, json: { type: 'boolean' }, format: { type: 'string' } } as const;

export const LINT_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
type Format = (typeof LINT_FORMATS)[number];

function formatOf(values: { json?: boolean | undefined }, given: string | undefined): Format {
  if (given !== undefined && !(LINT_FORMATS as readonly string[]).includes(given))
    throw new UsageError(`--format must be one of ${LINT_FORMATS.join(', ')}, got '${given}'`);
  if (values.json === true && given !== undefined && given !== 'json')
    throw new UsageError(`--json and --format ${given} disagree; give one`);
  return values.json === true ? 'json' : ((given as Format | undefined) ?? 'text');
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What was linted: the roles, and Google Cloud's providers and service accounts when there are any. */
interface Linted {
  readonly roles: number;
  readonly gcp?: { readonly providers: readonly unknown[]; readonly serviceAccounts: readonly unknown[] };
}

/** The last line of the text and github formats. */
function summary(findings: readonly Finding[], linted: Linted): string {
  const { errors, warnings, infos } = countFindings(findings);
  const gcp =
    linted.gcp === undefined
      ? ''
      : `, ${plural(linted.gcp.providers.length, 'Google Cloud provider')} and ${plural(linted.gcp.serviceAccounts.length, 'service account')}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')} in ${linted.roles} roles${gcp}\n`;
}

function text(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const where = f.line === undefined ? f.file : `${f.file}:${f.line}:${f.column ?? 1}`;
      return `${where}: ${f.path}: ${f.severity} [${f.rule}] ${f.message}\n    fix: ${f.fix}\n`;
    })
    .join('');
}

export async function lint(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo()): Promise<number> {
  const { values } = parseArgs({ args: argv, options: LINT_ARGS, strict: true, allowPositionals: false });
  if (values.help === true) {
    io.stdout(HELP['lint'] + '\n');
    return 0;
  }
  const format = formatOf(values, str(values, 'format'));
  const common = commonOptions(values, env, io.cwd);
  const config = await loadCommonConfig(common);
  // Files as the user can open them: relative to the current directory (absolute when outside it).
  const shown = (file: string): string => {
    const full = resolve(config.root, file);
    const rel = relative(io.cwd, full);
    return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? full : rel;
  };
  const findings = lintConfig(config).map((f) => ({ ...f, file: shown(f.file) }));
  const { errors, warnings, infos } = countFindings(findings);
  const linted: Linted = { roles: config.roles.length, ...(config.gcp === undefined ? {} : { gcp: config.gcp }) };
  switch (format) {
    case 'json':
      io.stdout(JSON.stringify({ findings, errors, warnings, infos }, null, 2) + '\n');
      break;
    case 'sarif':
      io.stdout(JSON.stringify(sarifLog(findings, RULES, { name: 'sts-emulator lint', version: VERSION }), null, 2) + '\n');
      break;
    case 'github':
      io.stdout(
        githubAnnotations(findings)
          .map((line) => line + '\n')
          .join('') + summary(findings, linted),
      );
      break;
    case 'text':
      io.stdout(text(findings) + summary(findings, linted));
  }
  return errors > 0 || (values.strict === true && warnings > 0) ? 1 : 0;
}
