/** Finding a configured role. */
import type { LoadedConfig, RoleConfig } from './types.js';

/**
 * The role whose ARN is exactly `roleArn` (`arn:aws:iam::<account>:role<path><name>`), or undefined.
 * This is what STS uses: a RoleArn parameter must be the full ARN, path included.
 */
export function findRole(config: LoadedConfig, roleArn: string): RoleConfig | undefined {
  return config.roles.find((role) => role.arn === roleArn);
}

/** The role named exactly `roleName` (for the CLI, e.g. `explain --role deploy`), or undefined. */
export function findRoleByName(config: LoadedConfig, roleName: string): RoleConfig | undefined {
  return config.roles.find((role) => role.roleName === roleName);
}
