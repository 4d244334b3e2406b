/** `sts-emulator lint`: findings with file, JSON path and a fix; exit 1 on an error (or any finding with --strict). */
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { loadConfig } from '../config/load.js';
import { lintConfig } from '../sts/trust-lint.js';
import { HELP } from './help.js';
import { COMMON_ARGS, commonOptions } from './options.js';

export async function lint(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...COMMON_ARGS, strict: { type: 'boolean' }, json: { type: 'boolean' } }, strict: true, allowPositionals: false });
  if (values.help === true) {
    process.stdout.write(HELP['lint'] + '\n');
    return 0;
  }
  const common = commonOptions(values, env);
  const config = await loadConfig(common.policies, { accountId: common.accountId });
  const findings = lintConfig(config.roles, config.providers);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  if (values.json === true) {
    process.stdout.write(JSON.stringify({ findings, errors, warnings }, null, 2) + '\n');
  } else {
    for (const f of findings) {
      const file = relative(process.cwd(), f.file) || f.file;
      process.stdout.write(`${file}: ${f.path}: ${f.severity} [${f.rule}] ${f.message}\n    fix: ${f.fix}\n`);
    }
    process.stdout.write(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${config.roles.length} roles\n`);
  }
  return errors > 0 || (values.strict === true && warnings > 0) ? 1 : 0;
}
