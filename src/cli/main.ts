/** The CLI entry: one command per file; usage and configuration errors are one clear line and exit code 2. */
import { ConfigError } from '../config/types.js';
import { HELP } from './help.js';
import { UsageError } from './options.js';

type Command = (argv: string[], env: NodeJS.ProcessEnv) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serve,
  token: async () => (await import('./token.js')).token,
  test: async () => (await import('./test-command.js')).testCommand,
  explain: async () => (await import('./explain.js')).explain,
  lint: async () => (await import('./lint.js')).lint,
};

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP['main'] + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write('sts-emulator 0.1.0\n');
    return 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    process.stderr.write(`sts-emulator: unknown command '${name}'\n\n${HELP['main']}\n`);
    return 2;
  }
  try {
    return await (await load())(rest, env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`sts-emulator: ${e.message}\n`);
      return 1;
    }
    if (e instanceof UsageError || (e as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      process.stderr.write(`sts-emulator ${name}: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

// Run when executed directly (node dist/src/cli/main.js ...).
const invoked = process.argv[1];
if (invoked !== undefined && import.meta.url === new URL(`file://${invoked}`).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`sts-emulator: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
