/** --help texts. README "Configuration" repeats them; a test checks every flag appears in both. */
import { presetNamed, PRESETS } from '../identity/index.js';
import { DEFAULT_PORT } from './options.js';

const COMMON = `  --policies <dir|file>  configuration directory (providers/, roles/, CloudFormation templates, terraform show -json
                         output), or one template, plan or state JSON  [STS_EMULATOR_POLICIES, default ./policies]
  --parameter <Key=Value>  a template parameter (or AWS::StackName) over its default (repeatable)
  --account-id <12 digits>  the emulated AWS account                      [STS_EMULATOR_ACCOUNT_ID, default 123456789012]
  --region <region>      aws:RequestedRegion and the region of issued sessions [STS_EMULATOR_REGION, default us-east-1]
  --claim-keys aws|all   'aws': only the condition keys AWS provides; 'all': every top-level claim as <provider>:<claim>
                                                                         [STS_EMULATOR_CLAIM_KEYS, default aws]`;

/** One line of --help: the flag and its value, then what it does, aligned from column 25 when the flag fits. */
function line(left: string, text: string): string {
  return `  ${left.length <= 21 ? left.padEnd(21) : left}  ${text}`;
}

/** Every preset's flags, from its option schema (the schema is the one description of a preset's options). */
const TOKEN_PRESET_FLAGS = PRESETS.map((name) => {
  const preset = presetNamed(name);
  const lines = Object.values(preset.options)
    .filter((o) => o.flag !== undefined)
    .map((o) => line(`--${o.flag}${o.value === undefined ? '' : ` <${o.value}>`}`, o.help));
  return [`${preset.label} (--preset ${name}):`, ...lines].join('\n');
}).join('\n');

const PRESET_CHOICE = PRESETS.join('|');

export const HELP: Record<string, string> = {
  main: `sts-emulator: a local, offline AWS STS AssumeRoleWithWebIdentity that checks what AWS checks.

Usage: sts-emulator <command> [options]

Commands:
  serve      run the STS endpoint (AssumeRoleWithWebIdentity, AssumeRole, GetCallerIdentity) and the IAM API subset
  token      mint a CI job's (CircleCI, GitHub, GitLab, HCP Terraform, Bitbucket) or an EKS pod's token, signed by an emulated issuer
  test       run trust-policy regression cases (YAML or JSON) in-process
  explain    show why a token is allowed or denied for a role
  lint       warn about trust policies AWS reads differently from their author (and Google Cloud pitfalls)
  env        print the shell exports that point AWS CLIs and SDKs at the emulator
  gcp        credential-config: print the external_account file that points Google's client libraries at the emulator

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
  --max-connections <n>  connections served at once; more are closed as they arrive
                                                                         [STS_EMULATOR_MAX_CONNECTIONS, default 1024]
  --keep-decisions <n>   recent decisions kept for GET /_emulator/decisions (0: none)
                                                                         [STS_EMULATOR_KEEP_DECISIONS, default 50]
  --watch                reload --policies when its files change (an invalid change is reported, the last good
                         configuration stays in force)                   [STS_EMULATOR_WATCH=1]
  --persist              write what the IAM API creates, changes and deletes back to --policies (atomic writes of
                         roles/<name>.json and providers/<name>.json)    [STS_EMULATOR_PERSIST=1]
  --admin-token <token>  open the admin surface (/_emulator/) to clients off the loopback interface that send it as
                         a bearer token (16+ characters)                 [STS_EMULATOR_ADMIN_TOKEN]
  --quiet                no request log (otherwise one line per request on stderr: time, action, role, session,
                         decision, and the error code and reason of a refusal)   [STS_EMULATOR_QUIET=1]

Prints one line with the URL once ready. SIGINT/SIGTERM stop it after answering the requests in flight (at most
10 s; a second Ctrl-C stops at once); SIGHUP reloads --policies.`,
  token: `Usage: sts-emulator token [--preset ${PRESET_CHOICE}] [options]

Prints one signed token on stdout (nothing else), signed by an emulated issuer of --policies.
  --preset <name>        the claim set: ${PRESETS.join(', ')} (default circleci, or the kind of --issuer)
  --issuer <url|name>    which emulated issuer signs, when there are several
  --claims '<json>'      claims merged over (and overriding) the preset's
  --ttl <seconds>        lifetime: exp = iat + ttl (default 3600)
Each preset's flags (a flag of another preset is refused):
${TOKEN_PRESET_FLAGS}

${COMMON}

Exit codes: 0 printed a token; 1 invalid configuration; 2 usage error.`,
  test: `Usage: sts-emulator test <file|dir|glob>... [options]

Runs trust-policy cases (YAML or JSON) in-process through the server's verifier and evaluator. A case:
  { name, role, claims | token | preset, issuer?, sessionName?, durationSeconds?, sourceIp?, policy?,
    expect: allow | deny | <STS error code> }
  or, for an Infisical login: { name, target: infisical, identity?, claims | token | preset, issuer?,
    expect: allow | deny | <the error of Infisical's answer, e.g. ForbiddenError> }
Prints one line per case, the explain trace of each mismatch, and 'N passed, N failed' last.
  --junit <file>         also write JUnit XML
  --quiet                only print mismatches and the summary
${COMMON}

Exit codes: 0 all cases passed; 1 a mismatch, an invalid case file or invalid configuration; 2 usage error.`,
  explain: `Usage: sts-emulator explain (--role <name|arn> | --gcp | --target vault|infisical) (--token <jwt> | --claims '<json>' | --preset <name>) [options]

Shows the decision for one token and role: provider, audience, and each statement's principal, action and
conditions (operator, key, context values or why a key is absent, policy values, outcome).
  --role <name|arn>      the role to assume (required without --gcp)
  --token <jwt>          a token, verified like the server does
  --claims '<json>'      claims of an emulated issuer (iss, iat, exp default), or merged over --preset's
  --preset <name>        start from a preset claim set (${PRESETS.join(', ')}); its flags below shape it
  --issuer <url|name>    emulated issuer for --claims/--preset (when there are several)
  --ttl <seconds>        lifetime of the claims (default 3600)
  --session-name <name>  RoleSessionName (default explain-session)
  --duration-seconds <n> DurationSeconds
  --policy '<json>'      session policy (Policy parameter)
  --source-ip <ip>       aws:SourceIp
  --json                 the same as JSON
  --gcp                  Google Cloud instead of a role: the token exchange of a pool provider of gcp/pools/
                         (audience, each mapped attribute, the condition's failing clause), then the impersonation
  --provider <id|name>   with --gcp: the pool provider   [default: the only one, or the one of the token's issuer]
  --impersonate <email>  with --gcp: the service account to impersonate (which binding matched, or why none did)
  --target <aws|vault|infisical>
                         vault: HashiCorp Vault's JWT login on a mount of vault/ instead of an AWS role (each bound
                         field, the token's value, the pattern, the rule that decided); --role is then the Vault role
                         [default: aws; vault's role default: the mount's default_role]
                         infisical: an Infisical OIDC auth login of an identity of infisical/identities (the key found,
                         then each bound field: the token's value, the patterns, the rule that decided)
  --mount <path>         with --target vault: the auth mount   [default: the only one, or the one whose bound_issuer is iss]
  --identity <id>        with --target infisical: the identityId   [default: the only one, or the one of the token's issuer]
Each preset's flags (as for token):
${TOKEN_PRESET_FLAGS}

${COMMON}

Exit codes: 0 allow; 1 deny, an STS error or invalid configuration; 2 usage error.`,
  lint: `Usage: sts-emulator lint [options]

Warns about trust policies AWS reads differently from their author, and subjects that admit more pipelines than
meant; and, with gcp/ files, Google Cloud providers and bindings that admit other repositories or projects. Each
finding has its file, line, JSON path, the token that gets in, and a fix. README lists the rules.
  --format <fmt>         text (default), json, sarif (SARIF 2.1.0, for GitHub code scanning) or github
                         (workflow commands: annotations on the lines of the findings)
  --json                 the same as --format json
  --strict               warnings fail too (infos never do)
${COMMON}

Exit codes: 0 no errors (warnings allowed unless --strict); 1 an error, a warning with --strict, or invalid configuration; 2 usage error.`,
  env: `Usage: eval "$(sts-emulator env [options])"

Prints the sh lines that make AWS CLIs and SDKs exchange a web-identity token with the emulator rather than the real
STS: AWS_ENDPOINT_URL_STS, AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_SESSION_NAME, AWS_REGION and
AWS_DEFAULT_REGION (and an unset of the credential variables that would take precedence).
  --endpoint <url>       the emulator   [default http://<STS_EMULATOR_HOST>:<STS_EMULATOR_PORT>, http://127.0.0.1:${DEFAULT_PORT}]
  --role <name|arn>      the role to assume (a name is a role of --account-id)   [default deploy-main]
  --account-id <12 digits>  the account of a role given by name   [STS_EMULATOR_ACCOUNT_ID, default 123456789012]
  --token-file <path>    the file holding the token   [default ./token.jwt, which you write with 'sts-emulator token ... >']
  --session-name <name>  RoleSessionName   [default sts-emulator]
  --region <region>      AWS_REGION and AWS_DEFAULT_REGION   [STS_EMULATOR_REGION, default us-east-1]

Needs AWS CLI v1 (botocore >= 1.31) or v2 >= 2.13, which read AWS_ENDPOINT_URL_STS.
Exit codes: 0 printed the lines; 2 usage error.`,
  gcp: `Usage: sts-emulator gcp credential-config --token-file <path> [options]

Prints the external_account credential configuration of a workload identity pool provider of --policies (gcp/pools/),
as 'gcloud iam workload-identity-pools create-cred-config' writes it, with token_url and
service_account_impersonation_url pointing at the emulator (google-auth-library >= 8.8.0 and google-auth >= 2.16.1
accept them).
  --token-file <path>    the file the CI job writes its OIDC token to (credential_source.file)   [required]
  --pool <id>            the pool of the provider   [default: any]
  --provider <id|name>   the provider's id or full name   [default: the only provider]
  --service-account <email>  impersonate this service account of gcp/service-accounts/   [default: none, the federated token]
  --lifetime <seconds>   service_account_impersonation.token_lifetime_seconds, 1 to 3600
  --endpoint <url>       the emulator   [default http://127.0.0.1:${DEFAULT_PORT}]
${COMMON}

Exit codes: 0 printed the file; 1 invalid configuration; 2 usage error.`,
};
