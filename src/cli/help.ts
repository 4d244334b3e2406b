/** --help texts. README "Configuration" repeats them; a test checks every flag appears in both. */
import { DEFAULT_PORT } from './options.js';

const COMMON = `  --policies <dir>       configuration directory (providers/, roles/)   [STS_EMULATOR_POLICIES, default ./policies]
  --account-id <12 digits>  the emulated AWS account                      [STS_EMULATOR_ACCOUNT_ID, default 123456789012]
  --region <region>      aws:RequestedRegion and the region of issued sessions [STS_EMULATOR_REGION, default us-east-1]
  --claim-keys aws|all   'aws': only the condition keys AWS provides; 'all': every top-level claim as <provider>:<claim>
                                                                         [STS_EMULATOR_CLAIM_KEYS, default aws]`;

export const HELP: Record<string, string> = {
  main: `sts-emulator: a local, offline AWS STS AssumeRoleWithWebIdentity that checks what AWS checks.

Usage: sts-emulator <command> [options]

Commands:
  serve      run the STS endpoint (AssumeRoleWithWebIdentity, AssumeRole, GetCallerIdentity)
  token      mint a CircleCI- or GitHub-shaped token signed by an emulated issuer
  test       run trust-policy regression cases (YAML or JSON) in-process
  explain    show why a token is allowed or denied for a role
  lint       warn about trust policies AWS reads differently from their author

Run 'sts-emulator <command> --help' for the options of a command.`,
  serve: `Usage: sts-emulator serve [options]

  --port <n>             port to listen on (0 picks a free one)          [STS_EMULATOR_PORT, default ${DEFAULT_PORT}]
  --host <addr>          address to bind                                 [STS_EMULATOR_HOST, default 127.0.0.1]
${COMMON}
  --server-key <hex|base64>  key that signs issued credentials (>= 32 bytes), so restarts and other
                         instances accept them                           [STS_EMULATOR_SERVER_KEY]
  --server-key-file <path>   read the key from a file, creating it (mode 0600) if missing
                                                                         [STS_EMULATOR_SERVER_KEY_FILE]
                         Without either, a random key per start: credentials die with the process.
  --audit-log <file|-|off>  JSON-lines decision log; '-' is stderr   [STS_EMULATOR_AUDIT_LOG, default off]
  --no-reason-header     do not send the x-sts-emulator-reason header on refusals
  --workers <n>          serve with n processes (node:cluster); needs a shared key, which is generated if absent
                                                                         [STS_EMULATOR_WORKERS, default 1]

Prints one line with the URL once ready. SIGINT/SIGTERM stop it.`,
  token: `Usage: sts-emulator token [--preset circleci|github] [options]

Prints one signed token on stdout, signed by an emulated issuer of --policies.
  --preset circleci|github  the claim set (default circleci)
  --issuer <url>         which emulated issuer, when there are several
  --claims '<json>'      merge/override claims
  --ttl <seconds>        lifetime (default 3600)
  --aud <value>          audience (CircleCI default: the org id; GitHub default: sts.amazonaws.com)
CircleCI: --org-id --project-id --user-id --vcs-origin --branch <name> | --ref <ref> --context-id <id> (repeatable) --v1
GitHub:   --repository owner/repo --branch <name> | --ref <ref> --environment <env> --actor --workflow --job-workflow-ref --event-name
${COMMON}`,
  test: `Usage: sts-emulator test <file|dir|glob>... [options]

Runs trust-policy cases in-process through the server's verifier and evaluator.
  --junit <file>         also write JUnit XML
  --quiet                only print mismatches and the summary
${COMMON}`,
  explain: `Usage: sts-emulator explain --role <name|arn> (--token <jwt> | --claims '<json>') [options]

  --issuer <url>         emulated issuer to sign --claims with (when there are several)
  --preset circleci|github  start --claims from a preset claim set
  --session-name <name>  RoleSessionName (default explain-session)
  --source-ip <ip>       aws:SourceIp
  --json                 the same as JSON
${COMMON}`,
  lint: `Usage: sts-emulator lint [options]

Warns about trust policies AWS reads differently from their author.
  --strict               warnings fail too
  --json                 findings as JSON
${COMMON}`,
};
