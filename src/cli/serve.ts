/** `sts-emulator serve`: listen, print one ready line, stop cleanly on SIGINT/SIGTERM. */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createApp } from '../server/app.js';
import { openAuditSink } from '../server/audit.js';
import { createIssuerRoutes } from '../server/issuer-routes.js';
import { resolveServerKey } from '../sts/server-key.js';
import { createSignedOps } from '../sts/signed-handlers.js';
import { COMMON_ARGS, commonOptions, DEFAULT_PORT, parsePort, str, UsageError } from './options.js';
import { createRuntime } from './runtime.js';
import { HELP } from './help.js';

export async function serve(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_ARGS,
      port: { type: 'string' },
      host: { type: 'string' },
      'server-key': { type: 'string' },
      'server-key-file': { type: 'string' },
      'audit-log': { type: 'string' },
      'no-reason-header': { type: 'boolean' },
      workers: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    process.stdout.write(HELP['serve'] + '\n');
    return 0;
  }
  const common = commonOptions(values, env);
  const port = parsePort(str(values, 'port') ?? env['STS_EMULATOR_PORT'] ?? String(DEFAULT_PORT));
  const host = str(values, 'host') ?? env['STS_EMULATOR_HOST'] ?? '127.0.0.1';
  const keyFlag = str(values, 'server-key');
  const keyFile = str(values, 'server-key-file') ?? env['STS_EMULATOR_SERVER_KEY_FILE'];
  let key;
  try {
    key = resolveServerKey({ ...(keyFlag === undefined ? {} : { flag: keyFlag }), ...(keyFile === undefined ? {} : { file: keyFile }), env });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const runtime = await createRuntime(common, key.key);
  const audit = openAuditSink(str(values, 'audit-log') ?? env['STS_EMULATOR_AUDIT_LOG'] ?? 'off');
  const issuers = await createIssuerRoutes(runtime.config.providers);
  const app = createApp({
    deps: runtime.deps,
    signed: createSignedOps(runtime.deps, runtime.authority),
    requestId: randomUUID,
    ...(audit.sink === undefined ? {} : { audit: audit.sink }),
    issuers,
    reasonHeader: values['no-reason-header'] !== true,
  });
  const server = app.listen(port, host);
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(e.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use (try --port 0 or another port)` : `cannot listen on ${host}:${port}: ${e.message}`);
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  process.stdout.write(
    `sts-emulator listening on http://${shownHost}:${addr.port} (account ${common.accountId}, region ${common.region}, ` +
      `${runtime.config.roles.length} roles, ${runtime.config.providers.length} providers, server key: ${key.source})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await audit.close();
  return 0;
}
