/** IAM's default quotas (IAM User Guide, "IAM and AWS STS quotas"), and the loader's trust policy limit. */
import { MAX_CLIENT_IDS, MAX_TAGS, MAX_THUMBPRINTS, TRUST_POLICY_MAX_CHARS } from '../config/index.js';
import type { IamLimits } from './deps.js';

export const DEFAULT_IAM_LIMITS: IamLimits = {
  roles: 1000,
  providers: 100,
  clientIds: MAX_CLIENT_IDS,
  thumbprints: MAX_THUMBPRINTS,
  tagsPerRole: MAX_TAGS,
  trustPolicyChars: TRUST_POLICY_MAX_CHARS,
};
