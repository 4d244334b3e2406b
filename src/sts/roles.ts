/** Role lookup by the RoleArn parameter. Unknown roles are AccessDenied at the caller (no enumeration). */
import { StsError } from '../protocol/errors.js';
import type { LoadedConfig, RoleConfig } from '../config/types.js';

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role(\/.*)$/s;

/** A RoleArn from a role name (a path may lead it: `ci/deploy`) or an ARN, given as is. */
export function roleArnFor(role: string, accountId: string): string {
  return role.startsWith('arn:') ? role : `arn:aws:iam::${accountId}:role/${role}`;
}

/** Whether the text is a role ARN the emulator can look up (any account). */
export function isRoleArn(text: string): boolean {
  return ROLE_ARN.test(text);
}

export interface RoleIndex {
  /** The role, or undefined when none by that ARN (exact, or with the path omitted). Throws ValidationError for a non-ARN. */
  find(roleArn: string): RoleConfig | undefined;
}

export function indexRoles(config: LoadedConfig): RoleIndex {
  const byArn = new Map<string, RoleConfig>();
  const byName = new Map<string, RoleConfig>();
  for (const r of config.roles) {
    byArn.set(r.arn, r);
    byName.set(r.roleName, r);
  }
  return {
    find(roleArn: string): RoleConfig | undefined {
      const m = ROLE_ARN.exec(roleArn);
      if (m === null) throw new StsError('ValidationError', 'Request ARN is invalid');
      if (m[2] !== config.accountId || m[1] !== 'aws') return undefined;
      const exact = byArn.get(roleArn);
      if (exact !== undefined) return exact;
      // `role/<name>` naming a role that has a path: IAM role names are unique per account.
      const rest = m[3] ?? '';
      const name = rest.slice(1);
      if (!name.includes('/')) return byName.get(name);
      return undefined;
    },
  };
}
