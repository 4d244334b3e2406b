/** `sts-emulator explain`: the decision for one token and role, and every reason behind it. */
import { parseArgs } from 'node:util';
import { HELP } from './help.js';
import { chooseIssuer, parseClaimsJson } from './issuers.js';
import { COMMON_ARGS, commonOptions, str, UsageError } from './options.js';
import { createRuntime } from './runtime.js';
import { createInProcess } from './in-process.js';
import { explainJson, explainText } from './explain-format.js';
import { claimsFromFlags, presetOf, TOKEN_ARGS } from './token.js';

export async function explain(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON_ARGS, ...TOKEN_ARGS, role: { type: 'string' }, token: { type: 'string' }, 'session-name': { type: 'string' }, 'source-ip': { type: 'string' }, 'duration-seconds': { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    process.stdout.write(HELP['explain'] + '\n');
    return 0;
  }
  const role = str(values, 'role');
  if (role === undefined) throw new UsageError('--role is required');
  const token = str(values, 'token');
  if ((token === undefined) === (values.claims === undefined && values.preset === undefined)) {
    throw new UsageError('give --token <jwt>, or --claims <json> (optionally with --preset), not both');
  }
  const common = commonOptions(values, env);
  const runtime = await createRuntime(common);
  const runner = createInProcess(runtime.deps);
  const duration = str(values, 'duration-seconds');
  const base = {
    role,
    sessionName: str(values, 'session-name') ?? 'explain-session',
    ...(str(values, 'source-ip') === undefined ? {} : { sourceIp: str(values, 'source-ip') as string }),
    ...(duration === undefined ? {} : { durationSeconds: Number(duration) }),
  };
  let outcome;
  if (token !== undefined) {
    outcome = await runner.call({ ...base, token });
  } else {
    const preset = values.preset === undefined ? undefined : presetOf(values.preset);
    const provider = chooseIssuer(runtime.config, common.policies, values.issuer, preset);
    const claims = preset === undefined
      ? { iss: provider.url, ...defaultTimes(), ...parseClaimsJson(values.claims as string) }
      : claimsFromFlags(preset, provider.url, values, new Date());
    outcome = await runner.call({ ...base, claims: { provider, values: claims } });
  }
  process.stdout.write(values.json === true ? JSON.stringify(explainJson(outcome), null, 2) + '\n' : explainText(outcome) + '\n');
  return outcome.ok ? 0 : 1;
}

export function defaultTimes(now = new Date()): { iat: number; exp: number } {
  const iat = Math.floor(now.getTime() / 1000);
  return { iat, exp: iat + 3600 };
}
