/**
 * The CLI entry: one command per file. Every failure is reported on stderr without a stack trace:
 * usage errors (bad flags, missing arguments) one line and exit code 2; configuration problems one
 * line per problem and exit code 1; anything else one line and exit code 1.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config/index.js';
import { HELP } from './help.js';
import { processIo, UsageError, VERSION, type Io } from './options.js';

type Command = (argv: string[], env: NodeJS.ProcessEnv, io: Io) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serve,
  token: async () => (await import('./token.js')).token,
  test: async () => (await import('./test-command.js')).testCommand,
  explain: async () => (await import('./explain.js')).explain,
  lint: async () => (await import('./lint.js')).lint,
  env: async () => (await import('./env.js')).envCommand,
  gcp: async () => (await import('./gcp.js')).gcpCommand,
};

export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/** node:util parseArgs errors (unknown option, missing value, ...) are usage errors. */
function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** No emulated issuer fits what the flags asked for (src/api/issuers.ts): a usage error. By name, so `--help` loads no more. */
function isIssuerChoiceError(e: unknown): boolean {
  return (e as { name?: unknown } | null)?.name === 'IssuerChoiceError';
}

/** Collapses a multi-line message (parseArgs writes hints on extra lines) into one line. */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

/** One line per configuration problem, each with its file (relative to --policies) and JSON path. */
export function formatConfigError(e: ConfigError): string {
  const lines = e.problems.map((p) => {
    const where = [p.file === '.' || p.file === '' ? undefined : p.file, p.path === '' ? undefined : p.path].filter((x) => x !== undefined);
    return `sts-emulator: invalid configuration: ${where.length > 0 ? where.join(': ') + ': ' : ''}${oneLine(p.message)}`;
  });
  return (lines.length > 0 ? lines : [`sts-emulator: ${oneLine(e.message)}`]).join('\n') + '\n';
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !Object.hasOwn(COMMANDS, topic)) {
      io.stderr(`sts-emulator help: unknown command '${topic}' (commands: ${COMMAND_NAMES.join(', ')})\n`);
      return 2;
    }
    io.stdout(HELP[topic ?? 'main'] + '\n');
    return 0;
  }
  if (name === undefined) {
    io.stderr(`sts-emulator: give a command (${COMMAND_NAMES.join(', ')}); 'sts-emulator --help' lists them\n`);
    return 2;
  }
  if (name === '--version') {
    io.stdout(`sts-emulator ${VERSION}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    io.stderr(`sts-emulator: unknown command '${name}' (commands: ${COMMAND_NAMES.join(', ')}; 'sts-emulator --help' lists them)\n`);
    return 2;
  }
  try {
    return await (
      await load()
    )(rest, env, io);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(formatConfigError(e));
      return 1;
    }
    if (e instanceof UsageError || isIssuerChoiceError(e) || isParseArgsError(e)) {
      io.stderr(`sts-emulator ${name}: ${oneLine((e as Error).message)}\n`);
      return 2;
    }
    // Anything else (an unwritable --junit file, ...): one line; the stack only when asked for.
    const err = e as NodeJS.ErrnoException | undefined;
    io.stderr(`sts-emulator ${name}: ${oneLine(err?.message ?? String(e))}\n`);
    if (env['STS_EMULATOR_DEBUG'] !== undefined && err?.stack !== undefined) io.stderr(err.stack + '\n');
    return 1;
  }
}

/** True when this file is the process entry (node dist/src/cli/main.js ..., also through a symlink). */
function invokedDirectly(): boolean {
  const invoked = process.argv[1];
  if (invoked === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(invoked)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`sts-emulator: ${oneLine((e as Error)?.message ?? String(e))}\n`);
      process.exitCode = 1;
    },
  );
}
