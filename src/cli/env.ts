/**
 * `sts-emulator env`: the shell lines that point AWS CLIs and SDKs at the emulator for a web-identity exchange
 * (`eval "$(sts-emulator env)"`), so that no token goes to the real STS because an `--endpoint-url` was forgotten.
 * Every value is single-quoted for sh, and a value with a control character is refused (it could end a comment line).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isRoleArn, isRoleSessionName, roleArnFor } from '../sts/index.js';
import { HELP } from './help.js';
import { accountIdOf, DEFAULT_PORT, type Io, parsePort, processIo, regionOf, str, UsageError } from './options.js';

export const ENV_ARGS = {
  role: { type: 'string' },
  'token-file': { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'session-name': { type: 'string' },
  'account-id': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const DEFAULT_ROLE = 'deploy-main';
export const DEFAULT_SESSION_NAME = 'sts-emulator';
/** The token file when none is given: in the current directory, for the user to write. */
export const DEFAULT_TOKEN_FILE = 'token.jwt';

/** `'text'` for sh: nothing inside single quotes is special but the quote itself. */
export function shQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The value, or a usage error naming `what` when it holds a control character. */
function printable(what: string, value: string): string {
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) throw new UsageError(`${what} must not contain control characters`);
  return value;
}

/** The emulator's URL: --endpoint, else http://STS_EMULATOR_HOST:STS_EMULATOR_PORT as `serve` would listen. */
function endpointOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined) {
    let url: URL;
    try {
      url = new URL(printable('--endpoint', flag));
    } catch {
      throw new UsageError(`--endpoint must be a URL such as http://127.0.0.1:${DEFAULT_PORT}, got '${flag}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UsageError(`--endpoint must be an http:// or https:// URL, got '${flag}'`);
    return flag;
  }
  const port = parsePort(env['STS_EMULATOR_PORT'] ?? String(DEFAULT_PORT));
  if (port === 0) throw new UsageError('STS_EMULATOR_PORT is 0 (a free port, known only once serve runs): give --endpoint');
  const host = printable('STS_EMULATOR_HOST', env['STS_EMULATOR_HOST'] ?? '127.0.0.1');
  // A server bound to every address is reached on loopback.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** The lines `env` prints, each ending in a newline. */
export function envLines(argv: string[], env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const { values } = parseArgs({ args: argv, options: ENV_ARGS, strict: true, allowPositionals: false });
  if (values.help === true) return undefined;
  const endpoint = endpointOf(str(values, 'endpoint'), env);
  const roleArn = roleArnFor(printable('--role', str(values, 'role') ?? DEFAULT_ROLE), accountIdOf(values, env));
  if (!isRoleArn(roleArn)) throw new UsageError(`--role must be a role name or arn:aws:iam::<12 digits>:role/<name>, got '${roleArn}'`);
  const session = str(values, 'session-name') ?? DEFAULT_SESSION_NAME;
  if (!isRoleSessionName(session)) throw new UsageError(`--session-name must be 2 to 64 letters, digits or _+=,.@-, got '${session}'`);
  const region = regionOf(values, env);
  const given = str(values, 'token-file');
  const tokenFile = printable(
    given === undefined ? 'the current directory (give --token-file)' : '--token-file',
    resolve(cwd, given ?? DEFAULT_TOKEN_FILE),
  );
  return (
    [
      `# Web-identity exchanges go to the sts-emulator at ${endpoint}: eval "$(sts-emulator env ...)", or save and source this.`,
      '# AWS_ENDPOINT_URL_STS needs AWS CLI v1 (botocore >= 1.31) or v2 >= 2.13: older clients ignore it and would send',
      '# the token to the real AWS STS (give them --endpoint-url).',
      '# Credentials already in the environment would be used instead of the web identity:',
      'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE',
      `export AWS_ENDPOINT_URL_STS=${shQuote(endpoint)}`,
      `export AWS_ROLE_ARN=${shQuote(roleArn)}`,
      ...(given === undefined
        ? [
            `# No --token-file: write a token there first, e.g. npx sts-emulator token --preset circleci --branch main > ${shQuote(tokenFile)}`,
          ]
        : []),
      `export AWS_WEB_IDENTITY_TOKEN_FILE=${shQuote(tokenFile)}`,
      `export AWS_ROLE_SESSION_NAME=${shQuote(session)}`,
      `export AWS_REGION=${shQuote(region)}`,
      `export AWS_DEFAULT_REGION=${shQuote(region)}`,
    ].join('\n') + '\n'
  );
}

export async function envCommand(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo()): Promise<number> {
  const text = envLines(argv, env, io.cwd);
  io.stdout(text ?? HELP['env'] + '\n');
  return 0;
}
