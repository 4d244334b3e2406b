/** `sts-emulator token`: print one signed token on stdout and nothing else there. */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { circleCiClaims, gitHubClaims, PRESETS, type PresetName } from '../identity/presets.js';
import { HELP } from './help.js';
import { chooseIssuer, parseClaimsJson, signFor } from './issuers.js';
import { COMMON_ARGS, commonOptions, str, UsageError } from './options.js';

export const TOKEN_ARGS = {
  preset: { type: 'string' },
  issuer: { type: 'string' },
  claims: { type: 'string' },
  ttl: { type: 'string' },
  aud: { type: 'string' },
  'org-id': { type: 'string' },
  'project-id': { type: 'string' },
  'user-id': { type: 'string' },
  'vcs-origin': { type: 'string' },
  branch: { type: 'string' },
  ref: { type: 'string' },
  'context-id': { type: 'string', multiple: true },
  v1: { type: 'boolean' },
  repository: { type: 'string' },
  environment: { type: 'string' },
  actor: { type: 'string' },
  workflow: { type: 'string' },
  'job-workflow-ref': { type: 'string' },
  'event-name': { type: 'string' },
} as const;

type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>;

export function presetOf(text: string | undefined): PresetName {
  const p = text ?? 'circleci';
  if (!(PRESETS as readonly string[]).includes(p)) throw new UsageError(`unknown preset '${p}' (known: ${PRESETS.join(', ')})`);
  return p as PresetName;
}

export function parseTtl(text: string | undefined): number {
  if (text === undefined) return 3600;
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw new UsageError(`--ttl must be a positive number of seconds, got '${text}'`);
  return Number(text);
}

/** Claims for a preset from command-line flags, then --claims merged over them. */
export function claimsFromFlags(preset: PresetName, issuer: string, v: Flags, now: Date): Record<string, unknown> {
  const t = { now, ttlSeconds: parseTtl(str(v, 'ttl')) };
  const opt = (name: string): string | undefined => str(v, name);
  const pick = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
  if (str(v, 'branch') !== undefined && str(v, 'ref') !== undefined) throw new UsageError('give --branch or --ref, not both');
  const base =
    preset === 'circleci'
      ? circleCiClaims(issuer, pick({
          orgId: opt('org-id'), projectId: opt('project-id'), userId: opt('user-id'), vcsOrigin: opt('vcs-origin'),
          branch: opt('branch'), ref: opt('ref'), aud: opt('aud'), v1: v['v1'] === true ? true : undefined,
          contextIds: Array.isArray(v['context-id']) ? (v['context-id'] as string[]) : undefined,
        }), t)
      : gitHubClaims(issuer, pick({
          repository: opt('repository'), branch: opt('branch'), ref: opt('ref'), environment: opt('environment'),
          actor: opt('actor'), workflow: opt('workflow'), jobWorkflowRef: opt('job-workflow-ref'), eventName: opt('event-name'), aud: opt('aud'),
        }), t, randomUUID());
  const extra = str(v, 'claims');
  return extra === undefined ? base : { ...base, ...parseClaimsJson(extra) };
}

export async function token(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...COMMON_ARGS, ...TOKEN_ARGS }, strict: true, allowPositionals: false });
  if (values.help === true) {
    process.stdout.write(HELP['token'] + '\n');
    return 0;
  }
  const common = commonOptions(values, env);
  const preset = presetOf(values.preset);
  const config = await loadConfig(common.policies, { accountId: common.accountId });
  const provider = chooseIssuer(config, common.policies, values.issuer, values.preset === undefined && values.issuer !== undefined ? undefined : preset);
  const claims = claimsFromFlags(preset, provider.url, values, new Date());
  process.stdout.write((await signFor(provider, claims)) + '\n');
  return 0;
}
