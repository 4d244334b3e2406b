/** `sts-emulator explain`: the decision for one token and role, and every reason behind it. Exit 0 allow, 1 otherwise. */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { HELP } from './help.js';
import { chooseIssuer, explainJson, explainText, signFor } from '../api/index.js';
import { explainGcp, explainGcpText, gcpProviderFor } from '../gcp/index.js';
import { explainInfisical, explainInfisicalText, infisicalIdentityFor } from '../infisical/index.js';
import { explainVault, explainVaultText, vaultMountFor } from '../vault/index.js';
import { COMMON_ARGS, commonOptions, type Io, parseClaimsJson, processIo, str, UsageError } from './options.js';
import { createRuntime, skippedRoleOf } from './runtime.js';
import { describeSkipped, providersWhere } from '../config/index.js';
import { assumeRoleInProcess, type InProcessCall } from '../sts/index.js';
import {
  claimsFromFlags,
  optionsFromFlags,
  parseTtl,
  presetOf,
  PRESET_SHAPING_ARGS,
  refuseRenamedFlags,
  resolvePreset,
  TOKEN_ARGS,
} from './token.js';

export const EXPLAIN_ARGS = {
  ...COMMON_ARGS,
  ...TOKEN_ARGS,
  role: { type: 'string' },
  token: { type: 'string' },
  'session-name': { type: 'string' },
  'source-ip': { type: 'string' },
  'duration-seconds': { type: 'string' },
  policy: { type: 'string' },
  json: { type: 'boolean' },
  gcp: { type: 'boolean' },
  provider: { type: 'string' },
  impersonate: { type: 'string' },
  target: { type: 'string' },
  identity: { type: 'string' },
  mount: { type: 'string' },
} as const;

export async function explain(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo()): Promise<number> {
  refuseRenamedFlags(argv);
  const { values } = parseArgs({ args: argv, options: EXPLAIN_ARGS, strict: true, allowPositionals: false });
  if (values.help === true) {
    io.stdout(HELP['explain'] + '\n');
    return 0;
  }
  const role = str(values, 'role');
  const target = str(values, 'target');
  if (target !== undefined && target !== 'aws' && target !== 'vault' && target !== 'infisical')
    throw new UsageError(`--target must be aws, vault or infisical, got '${target}'`);
  if (target === 'vault') {
    if (values.gcp === true) throw new UsageError('give --target vault or --gcp, not both');
    return explainVaultCommand(values, env, io);
  }
  if (values.mount !== undefined) throw new UsageError('--mount applies to --target vault');
  if (target === 'infisical') {
    if (role !== undefined || values.gcp === true)
      throw new UsageError('--target infisical explains an Infisical login: give it without --role or --gcp');
    return explainInfisicalCommand(values, env, io);
  }
  if (values.identity !== undefined) throw new UsageError('--identity applies to --target infisical');
  if (values.gcp === true) {
    if (role !== undefined) throw new UsageError('--gcp explains the Google Cloud exchange: give it without --role');
    return explainGcpCommand(values, env, io);
  }
  for (const f of ['provider', 'impersonate'] as const) if (values[f] !== undefined) throw new UsageError(`--${f} applies to --gcp`);
  if (role === undefined || role === '') throw new UsageError('--role <name|arn> is required');
  const token = str(values, 'token');
  const presetShaped = values.preset !== undefined || PRESET_SHAPING_ARGS.some((f) => (values as Record<string, unknown>)[f] !== undefined);
  const claimsGiven = values.claims !== undefined || presetShaped;
  if (token === undefined && !claimsGiven) throw new UsageError('give --token <jwt>, or --claims <json> and/or --preset <name>');
  if (token !== undefined && (claimsGiven || values.issuer !== undefined || values.ttl !== undefined)) {
    throw new UsageError('--token is the whole token: give it without --claims, --preset, --issuer, --ttl or claim flags');
  }
  const common = commonOptions(values, env, io.cwd);
  if (values.preset !== undefined) optionsFromFlags(presetOf(values.preset), values);
  const ttl = parseTtl(values.ttl);
  const extraClaims = values.claims === undefined ? undefined : parseClaimsJson(values.claims);
  const duration = str(values, 'duration-seconds');
  if (duration !== undefined && !/^-?\d{1,15}$/.test(duration))
    throw new UsageError(`--duration-seconds must be a whole number, got '${duration}'`);
  const sourceIp = str(values, 'source-ip');
  if (sourceIp !== undefined && isIP(sourceIp) === 0)
    throw new UsageError(`--source-ip must be an IPv4 or IPv6 address, got '${sourceIp}'`);

  const runtime = await createRuntime(common);
  const skipped = skippedRoleOf(runtime, role);
  if (skipped !== undefined) io.stderr(`sts-emulator explain: the ${describeSkipped(skipped)} was left out of the configuration\n`);
  const base = {
    role,
    sessionName: str(values, 'session-name') ?? 'explain-session',
    ...(sourceIp === undefined ? {} : { sourceIp }),
    ...(duration === undefined ? {} : { durationSeconds: Number(duration) }),
    ...(values.policy === undefined ? {} : { policy: values.policy }),
  };
  let call: InProcessCall;
  if (token !== undefined) {
    call = { ...base, token };
  } else if (presetShaped) {
    const { provider, preset } = resolvePreset(runtime.config, common.policies, values);
    call = { ...base, claims: { provider, values: claimsFromFlags(preset, provider, values, new Date()) } };
  } else {
    const claims = extraClaims ?? {};
    const provider = chooseIssuer(runtime.config, providersWhere(runtime.config, common.policies), {
      issuer: values.issuer,
      iss: claims['iss'],
    });
    call = { ...base, claims: { provider, values: { iss: provider.url, ...defaultTimes(new Date(), ttl), ...claims } } };
  }
  const outcome = await assumeRoleInProcess(runtime.deps, call);
  io.stdout(values.json === true ? JSON.stringify(explainJson(outcome), null, 2) + '\n' : explainText(outcome) + '\n');
  return outcome.ok ? 0 : 1;
}

type ExplainValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** explain --gcp: the token (given, or minted by an emulated issuer from claims or a preset) through Google's exchange. */
async function explainGcpCommand(values: ExplainValues, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const { token, runtime, now } = await tokenOfFlags(values, env, io, '--gcp');
  const chosen = gcpProviderFor(runtime.config.gcp?.providers ?? [], token, str(values, 'provider'));
  if ('error' in chosen) throw new UsageError(chosen.error);
  const account = str(values, 'impersonate');
  const explanation = await explainGcp(
    runtime.gcpDeps,
    { token, provider: chosen.provider, ...(account === undefined ? {} : { serviceAccount: account }) },
    now,
  );
  io.stdout(values['json'] === true ? JSON.stringify(explanation, null, 2) + '\n' : explainGcpText(explanation) + '\n');
  return explanation.result === 'allow' ? 0 : 1;
}

/** explain --target vault: the token through Vault's JWT login on a mount of vault/ (--role: the Vault role). */
async function explainVaultCommand(values: ExplainValues, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  for (const f of ['provider', 'impersonate'] as const) if (values[f] !== undefined) throw new UsageError(`--${f} applies to --gcp`);
  const { token, runtime, now } = await tokenOfFlags(values, env, io, '--target vault');
  const chosen = vaultMountFor(runtime.config.vault?.mounts ?? [], token, str(values, 'mount'));
  if ('error' in chosen) throw new UsageError(chosen.error);
  const role = str(values, 'role');
  const explanation = await explainVault(runtime.vaultDeps, { token, mount: chosen.mount, ...(role === undefined ? {} : { role }) }, now);
  io.stdout(values['json'] === true ? JSON.stringify(explanation, null, 2) + '\n' : explainVaultText(explanation) + '\n');
  return explanation.result === 'allow' ? 0 : 1;
}

/** The token of --gcp and --target vault: given, or minted by an emulated issuer from claims or a preset. */
async function tokenOfFlags(
  values: ExplainValues,
  env: NodeJS.ProcessEnv,
  io: Io,
  what: string,
): Promise<{ token: string; runtime: Awaited<ReturnType<typeof createRuntime>>; now: Date }> {
  for (const f of ['session-name', 'source-ip', 'duration-seconds', 'policy'] as const)
    if (values[f] !== undefined) throw new UsageError(`--${f} applies to a role, not to ${what}`);
  let token = str(values, 'token');
  const preset = str(values, 'preset');
  const claimsText = str(values, 'claims');
  const presetShaped = preset !== undefined || PRESET_SHAPING_ARGS.some((f) => values[f] !== undefined);
  const claimsGiven = claimsText !== undefined || presetShaped;
  if (token === undefined && !claimsGiven) throw new UsageError('give --token <jwt>, or --claims <json> and/or --preset <name>');
  if (token !== undefined && (claimsGiven || values['issuer'] !== undefined || values['ttl'] !== undefined)) {
    throw new UsageError('--token is the whole token: give it without --claims, --preset, --issuer, --ttl or claim flags');
  }
  const common = commonOptions(values, env, io.cwd);
  if (preset !== undefined) optionsFromFlags(presetOf(preset), values);
  const ttl = parseTtl(str(values, 'ttl'));
  const extraClaims = claimsText === undefined ? undefined : parseClaimsJson(claimsText);
  const runtime = await createRuntime(common);
  const now = new Date();
  if (token === undefined) {
    if (presetShaped) {
      const resolved = resolvePreset(runtime.config, common.policies, values);
      token = await signFor(resolved.provider, claimsFromFlags(resolved.preset, resolved.provider, values, now));
    } else {
      const claims = extraClaims ?? {};
      const provider = chooseIssuer(runtime.config, providersWhere(runtime.config, common.policies), {
        issuer: str(values, 'issuer'),
        iss: claims['iss'],
      });
      token = await signFor(provider, { iss: provider.url, ...defaultTimes(now, ttl), ...claims });
    }
  }
  return { token, runtime, now };
}

/** explain --target infisical: the token through Infisical's OIDC auth login of an identity of infisical/identities. */
async function explainInfisicalCommand(values: ExplainValues, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  for (const f of ['provider', 'impersonate'] as const) if (values[f] !== undefined) throw new UsageError(`--${f} applies to --gcp`);
  const { token, runtime, now } = await tokenOfFlags(values, env, io, '--target infisical');
  const chosen = infisicalIdentityFor(runtime.config.infisical?.identities ?? [], token, str(values, 'identity'));
  if ('error' in chosen) throw new UsageError(chosen.error);
  const explanation = await explainInfisical(await runtime.infisical.operations(), { token, identity: chosen.identity }, now);
  io.stdout(values['json'] === true ? JSON.stringify(explanation, null, 2) + '\n' : explainInfisicalText(explanation) + '\n');
  return explanation.result === 'allow' ? 0 : 1;
}

export function defaultTimes(now = new Date(), ttlSeconds = 3600): { iat: number; exp: number } {
  const iat = Math.floor(now.getTime() / 1000);
  return { iat, exp: iat + ttlSeconds };
}
