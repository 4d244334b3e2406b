/**
 * `sts-emulator gcp credential-config`: prints the external_account credential configuration for a pool provider of
 * --policies (gcp/pools/), as gcloud's create-cred-config writes it, with the URLs pointing at the emulator.
 */
import { parseArgs } from 'node:util';
import { credentialConfig } from '../gcp/index.js';
import { HELP } from './help.js';
import { COMMON_ARGS, commonOptions, DEFAULT_PORT, loadCommonConfig, processIo, str, UsageError, type Io } from './options.js';

export const GCP_ARGS = {
  pool: { type: 'string' },
  provider: { type: 'string' },
  'service-account': { type: 'string' },
  'token-file': { type: 'string' },
  endpoint: { type: 'string' },
  lifetime: { type: 'string' },
} as const;

export async function gcpCommand(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo()): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { ...COMMON_ARGS, ...GCP_ARGS }, strict: true, allowPositionals: true });
  if (values.help === true) {
    io.stdout(HELP['gcp'] + '\n');
    return 0;
  }
  const [sub, ...extra] = positionals;
  if (sub !== 'credential-config' || extra.length > 0) {
    throw new UsageError(`give the subcommand credential-config (got ${sub === undefined ? 'none' : `'${[sub, ...extra].join(' ')}'`})`);
  }
  const tokenFile = str(values, 'token-file');
  if (tokenFile === undefined) throw new UsageError('--token-file is required: the file the CI job writes its OIDC token to');
  const lifetime = str(values, 'lifetime');
  if (lifetime !== undefined && (!/^\d{1,4}$/.test(lifetime) || Number(lifetime) < 1 || Number(lifetime) > 3600))
    throw new UsageError(`--lifetime must be 1 to 3600 seconds, got '${lifetime}'`);
  const endpoint = str(values, 'endpoint') ?? `http://127.0.0.1:${DEFAULT_PORT}`;
  if (!/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) throw new UsageError(`--endpoint must be http(s)://host:port, got '${endpoint}'`);

  const common = commonOptions(values, env, io.cwd);
  const config = await loadCommonConfig(common);
  const providers = config.gcp?.providers ?? [];
  const pool = str(values, 'pool');
  const wanted = str(values, 'provider');
  const matches = providers.filter(
    (p) => (wanted === undefined || p.providerId === wanted || p.name === wanted) && (pool === undefined || p.poolId === pool),
  );
  const known =
    providers.map((p) => `${p.poolId}/${p.providerId}`).join(', ') || 'none; the Google Cloud demo is --policies examples/gcp/policies';
  if (matches.length !== 1) {
    throw new UsageError(
      `${matches.length === 0 ? 'no' : 'more than one'} provider in ${common.policies}/gcp/pools matches${pool === undefined ? '' : ` --pool ${pool}`}${wanted === undefined ? '' : ` --provider ${wanted}`} (pool/provider: ${known})`,
    );
  }
  const provider = matches[0] as (typeof providers)[number];
  const account = str(values, 'service-account');
  if (account !== undefined && !(config.gcp?.serviceAccounts ?? []).some((sa) => sa.email === account)) {
    const emails = (config.gcp?.serviceAccounts ?? []).map((sa) => sa.email).join(', ') || 'none';
    throw new UsageError(`no service account ${account} in ${common.policies}/gcp/service-accounts (known: ${emails})`);
  }
  const doc = credentialConfig({
    provider: provider.name,
    endpoint,
    tokenFile,
    ...(account === undefined ? {} : { serviceAccount: account }),
    ...(lifetime === undefined ? {} : { lifetimeSeconds: Number(lifetime) }),
  });
  io.stdout(JSON.stringify(doc, null, 2) + '\n');
  return 0;
}
