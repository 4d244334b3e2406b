/** `sts-emulator test`: run regression case files in-process; one line per case, `N passed, N failed` last. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeSkipped, providersWhere } from '../config/index.js';
import type { PresetSpec } from '../identity/index.js';
import { escapeXml } from '../protocol/index.js';
import { decisionOf, type StsOutcome } from '../sts/index.js';
import { expandCaseArgs, loadCaseFile, type Case, type CaseProblem } from './cases.js';
import { HELP } from './help.js';
import { randomUUID } from 'node:crypto';
import { claimsFor, explainText, outcomeOf, signFor } from '../api/index.js';
import { explainGcp, explainGcpText, gcpExpectationMet, gcpOutcomeLabel, gcpProviderFor } from '../gcp/index.js';
import {
  explainInfisical,
  explainInfisicalText,
  infisicalExpectationMet,
  infisicalIdentityFor,
  infisicalOutcomeLabel,
} from '../infisical/index.js';
import { explainVault, explainVaultText, vaultMountFor } from '../vault/index.js';
import { COMMON_ARGS, commonOptions, type Io, processIo, UsageError } from './options.js';
import { createRuntime, skippedRoleOf, type Runtime } from './runtime.js';

export const TEST_ARGS = { ...COMMON_ARGS, junit: { type: 'string' }, quiet: { type: 'boolean' } } as const;

export interface CaseResult {
  readonly case: Case;
  readonly outcome: StsOutcome | undefined;
  readonly got: string;
  readonly passed: boolean;
  readonly problem?: string;
  /** Why a gcp or infisical case went otherwise (explain --gcp's or explain --target infisical's text). */
  readonly explanation?: string;
  readonly ms: number;
}

/** allow, deny, or the STS error code: what a case's `expect` names. */
export function outcomeLabel(o: StsOutcome): string {
  const decision = decisionOf(o);
  return decision === 'error' && !o.ok ? o.error.code : decision;
}

/** Runs cases against a runtime; never throws for a case's own problem (bad issuer, ...). */
export async function runCases(
  runtime: Runtime,
  policiesDir: string,
  cases: readonly Case[],
  now: () => Date = () => new Date(),
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  // STS refusals are expected outcomes here, thrown and caught per case: capturing their stacks was most of the cost.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (const c of cases) results.push(await runCase(runtime, policiesDir, c, now));
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  return results;
}

async function runCase(runtime: Runtime, policiesDir: string, c: Case, now: () => Date): Promise<CaseResult> {
  if (c.gcp !== undefined) return runGcpCase(runtime, policiesDir, c, c.gcp, now);
  if (c.infisical !== undefined) return runInfisicalCase(runtime, policiesDir, c, c.infisical, now);
  if (c.vault !== undefined) return runVaultCase(runtime, policiesDir, c, c.vault, now);
  const start = performance.now();
  const skipped = skippedRoleOf(runtime, c.role);
  if (skipped !== undefined) {
    const problem = `the ${describeSkipped(skipped)} was left out of the configuration, so this case cannot be decided`;
    return { case: c, outcome: undefined, got: 'invalid case', passed: false, problem, ms: performance.now() - start };
  }
  try {
    const outcome = await outcomeOf(
      runtime,
      providersWhere(runtime.config, policiesDir),
      {
        role: c.role,
        ...(c.token === undefined ? {} : { token: c.token }),
        ...(c.preset === undefined ? {} : { preset: { ...c.preset.options, name: c.preset.name } as PresetSpec }),
        ...(c.claims === undefined ? {} : { claims: c.claims }),
        ...(c.issuer === undefined ? {} : { issuer: c.issuer }),
        ...(c.sessionName === undefined ? {} : { sessionName: c.sessionName }),
        ...(c.durationSeconds === undefined ? {} : { durationSeconds: c.durationSeconds }),
        ...(c.sourceIp === undefined ? {} : { sourceIp: c.sourceIp }),
        ...(c.policy === undefined ? {} : { policy: c.policy }),
      },
      now(),
    );
    const got = outcomeLabel(outcome);
    const passed = got === c.expect;
    // Only a mismatch needs its trace (explain output); dropping the others keeps 10,000 cases light.
    return { case: c, outcome: passed ? undefined : outcome, got, passed, ms: performance.now() - start };
  } catch (e) {
    const message = e instanceof UsageError ? e.message : String((e as Error)?.message ?? e);
    return { case: c, outcome: undefined, got: 'invalid case', passed: false, problem: message, ms: performance.now() - start };
  }
}

/** A case's token: given, or minted by an emulated issuer from its claims or preset. */
async function caseToken(runtime: Runtime, policiesDir: string, c: Case, at: Date): Promise<string> {
  if (c.token !== undefined) return c.token;
  const spec = {
    ...(c.preset === undefined ? {} : { preset: { ...c.preset.options, name: c.preset.name } as PresetSpec }),
    ...(c.claims === undefined ? {} : { claims: c.claims }),
    ...(c.issuer === undefined ? {} : { issuer: c.issuer }),
  };
  const { provider, values } = claimsFor(runtime.config, providersWhere(runtime.config, policiesDir), spec, at, randomUUID());
  return signFor(provider, values);
}

/** What a case of another service (Vault, Google Cloud, Infisical) decided: its label, and whether the case expected it. */
interface TargetVerdict {
  readonly got: string;
  readonly passed: boolean;
  /** Why, as that service's explain prints it (for a failed case). */
  readonly explanation: () => string;
}

/** A case of another service: its token (given, or minted from claims or a preset) through that service's `decide`. */
async function runTargetCase(
  runtime: Runtime,
  policiesDir: string,
  c: Case,
  now: () => Date,
  decide: (token: string, at: Date) => Promise<TargetVerdict>,
): Promise<CaseResult> {
  const start = performance.now();
  try {
    const at = now();
    const verdict = await decide(await caseToken(runtime, policiesDir, c, at), at);
    return {
      case: c,
      outcome: undefined,
      got: verdict.got,
      passed: verdict.passed,
      ...(verdict.passed ? {} : { explanation: verdict.explanation() }),
      ms: performance.now() - start,
    };
  } catch (e) {
    const message = e instanceof UsageError ? e.message : String((e as Error)?.message ?? e);
    return { case: c, outcome: undefined, got: 'invalid case', passed: false, problem: message, ms: performance.now() - start };
  }
}

/** A vault case: its token through Vault's JWT login on the mount, as explain --target vault runs it. */
function runVaultCase(
  runtime: Runtime,
  policiesDir: string,
  c: Case,
  target: NonNullable<Case['vault']>,
  now: () => Date,
): Promise<CaseResult> {
  return runTargetCase(runtime, policiesDir, c, now, async (token, at) => {
    const chosen = vaultMountFor(runtime.config.vault?.mounts ?? [], token, target.mount);
    if ('error' in chosen) throw new UsageError(chosen.error);
    const explanation = await explainVault(
      runtime.vaultDeps,
      { token, mount: chosen.mount, ...(target.role === undefined ? {} : { role: target.role }) },
      at,
    );
    return { got: explanation.result, passed: explanation.result === c.expect, explanation: () => explainVaultText(explanation) };
  });
}

/** A gcp case: its token through the exchange and the impersonation. */
function runGcpCase(
  runtime: Runtime,
  policiesDir: string,
  c: Case,
  target: NonNullable<Case['gcp']>,
  now: () => Date,
): Promise<CaseResult> {
  return runTargetCase(runtime, policiesDir, c, now, async (token, at) => {
    const chosen = gcpProviderFor(runtime.config.gcp?.providers ?? [], token, target.provider);
    if ('error' in chosen) throw new UsageError(chosen.error);
    const explanation = await explainGcp(
      runtime.gcpDeps,
      { token, provider: chosen.provider, ...(target.serviceAccount === undefined ? {} : { serviceAccount: target.serviceAccount }) },
      at,
    );
    const got = gcpOutcomeLabel(explanation);
    return { got, passed: gcpExpectationMet(c.expect, got), explanation: () => explainGcpText(explanation) };
  });
}

/** An infisical case: its token through Infisical's OIDC auth login of the identity. */
function runInfisicalCase(
  runtime: Runtime,
  policiesDir: string,
  c: Case,
  target: NonNullable<Case['infisical']>,
  now: () => Date,
): Promise<CaseResult> {
  return runTargetCase(runtime, policiesDir, c, now, async (token, at) => {
    const chosen = infisicalIdentityFor(runtime.config.infisical?.identities ?? [], token, target.identity);
    if ('error' in chosen) throw new UsageError(chosen.error);
    const explanation = await explainInfisical(await runtime.infisical.operations(), { token, identity: chosen.identity }, at);
    const got = infisicalOutcomeLabel(explanation);
    return { got, passed: infisicalExpectationMet(c.expect, got), explanation: () => explainInfisicalText(explanation) };
  });
}

export function junitXml(results: readonly CaseResult[], problems: readonly CaseProblem[]): string {
  const byFile = new Map<string, CaseResult[]>();
  for (const r of results) byFile.set(r.case.file, [...(byFile.get(r.case.file) ?? []), r]);
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sts-emulator">\n';
  for (const [file, rs] of byFile) {
    const failures = rs.filter((r) => !r.passed).length;
    const time = rs.reduce((s, r) => s + r.ms, 0) / 1000;
    out += `  <testsuite name="${escapeXml(file)}" tests="${rs.length}" failures="${failures}" errors="0" time="${time.toFixed(3)}">\n`;
    for (const r of rs) {
      out += `    <testcase classname="${escapeXml(file)}" name="${escapeXml(r.case.name)}" time="${(r.ms / 1000).toFixed(3)}">`;
      if (!r.passed) {
        const detail = r.problem ?? r.explanation ?? (r.outcome === undefined ? '' : explainText(r.outcome));
        out += `\n      <failure message="${escapeXml(`expected ${r.case.expect}, got ${r.got}`)}">${escapeXml(detail)}</failure>\n    `;
      }
      out += '</testcase>\n';
    }
    out += '  </testsuite>\n';
  }
  if (problems.length > 0) {
    out += `  <testsuite name="case files" tests="${problems.length}" failures="${problems.length}" errors="0">\n`;
    for (const p of problems) {
      out += `    <testcase classname="case files" name="${escapeXml(`${p.file} ${p.path}`)}"><failure message="${escapeXml(p.message)}"/></testcase>\n`;
    }
    out += '  </testsuite>\n';
  }
  return out + '</testsuites>\n';
}

export async function testCommand(argv: string[], env: NodeJS.ProcessEnv, io: Io = processIo()): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: TEST_ARGS, strict: true, allowPositionals: true });
  if (values.help === true) {
    io.stdout(HELP['test'] + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one case file, directory or glob');
  const common = commonOptions(values, env, io.cwd);
  const cwd = io.cwd;
  const expanded = await expandCaseArgs(positionals, cwd);
  const problems: CaseProblem[] = [...expanded.problems];
  const cases: Case[] = [];
  for (const f of expanded.files) {
    const loaded = await loadCaseFile(f, cwd);
    problems.push(...loaded.problems);
    if (loaded.problems.length === 0) cases.push(...loaded.cases);
  }
  for (const p of problems) io.stdout(`INVALID ${p.file}${p.path === '' ? '' : ` ${p.path}`}: ${p.message}\n`);
  const runtime = await createRuntime(common);
  const results = await runCases(runtime, common.policies, cases);
  let out = '';
  // Roles and providers of templates and plans left out: a case naming such a role fails (skippedRoleOf).
  for (const skipped of runtime.config.skipped) out += `SKIPPED ${describeSkipped(skipped)}\n`;
  for (const r of results) {
    if (r.passed) {
      if (values.quiet !== true) out += `ok   ${r.case.name} (${r.case.file}[${r.case.index}]): ${r.got}\n`;
    } else {
      out += `FAIL ${r.case.name} (${r.case.file}[${r.case.index}]): expected ${r.case.expect}, got ${r.got}\n`;
      const detail = r.problem ?? r.explanation ?? (r.outcome === undefined ? '' : explainText(r.outcome));
      out +=
        detail
          .split('\n')
          .map((l) => `     ${l}`)
          .join('\n') + '\n';
    }
  }
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  if (problems.length > 0) out += `${problems.length} case-file problem${problems.length === 1 ? '' : 's'} (see INVALID lines above)\n`;
  out += `${passed} passed, ${failed} failed\n`;
  io.stdout(out);
  if (values.junit !== undefined) {
    try {
      await writeFile(resolve(io.cwd, values.junit), junitXml(results, problems));
    } catch (e) {
      throw new Error(`cannot write --junit ${values.junit}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return failed > 0 || problems.length > 0 ? 1 : 0;
}
