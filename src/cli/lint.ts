/** `sts-emulator lint`: findings with file, JSON path and a fix; exit 1 on an error (or any finding with --strict). */
import { parseArgs } from 'node:util';
import { isAbsolute, relative, resolve } from 'node:path';
import { lintConfig } from '../lint/index.js';
import { HELP } from './help.js';
import { COMMON_ARGS, commonOptions, type Io, loadCommonConfig, processIo } from './options.js';

export const LINT_ARGS = { ...COMMON_ARGS, strict: { type: 'boolean' }, json: { type: 'boolean' } } as const;

export async function lint(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo()): Promise<number> {
  const { values } = parseArgs({ args: argv, options: LINT_ARGS, strict: true, allowPositionals: false });
  if (values.help === true) {
    io.stdout(HELP['lint'] + '\n');
    return 0;
  }
  const common = commonOptions(values, env, io.cwd);
  const config = await loadCommonConfig(common);
  // Files as the user can open them: relative to the current directory (absolute when outside it).
  const shown = (file: string): string => {
    const full = resolve(config.root, file);
    const rel = relative(io.cwd, full);
    return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? full : rel;
  };
  const findings = lintConfig(config).map((f) => ({ ...f, file: shown(f.file) }));
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  if (values.json === true) {
    io.stdout(JSON.stringify({ findings, errors, warnings }, null, 2) + '\n');
  } else {
    for (const f of findings) {
      io.stdout(`${f.file}: ${f.path}: ${f.severity} [${f.rule}] ${f.message}\n    fix: ${f.fix}\n`);
    }
    io.stdout(
      `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${config.roles.length} roles\n`,
    );
  }
  return errors > 0 || (values.strict === true && warnings > 0) ? 1 : 0;
}
