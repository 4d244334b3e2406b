/** The aws-cli command equivalent to the page's request, quoted for a POSIX shell. */

/** A word for sh: as it is when it is plainly safe, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_.,:/=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface CliCall {
  readonly endpoint: string;
  readonly region: string;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly token: string;
  readonly durationSeconds?: string;
}

export function awsCliCommand(c: CliCall): string {
  const lines = [
    `aws sts assume-role-with-web-identity --endpoint-url ${shellWord(c.endpoint)} --region ${shellWord(c.region)}`,
    `  --role-arn ${shellWord(c.roleArn)}`,
    `  --role-session-name ${shellWord(c.sessionName)}${c.durationSeconds === undefined ? '' : ` --duration-seconds ${shellWord(c.durationSeconds)}`}`,
    `  --web-identity-token ${shellWord(c.token)}`,
  ];
  return lines.join(' \\\n');
}
