/**
 * HashiCorp Vault's JWT auth method (issue 20): login over the vault/ configuration with Vault's order of checks and
 * texts, the pure decision with its trace (decideVault: what the cross-engine table and explain call), go-glob for
 * bound_claims, the sealed client tokens and lookup-self.
 */
export {
  decideVault,
  checkTimes,
  VAULT_RULES,
  type VaultDecision,
  type VaultDecisionInput,
  type VaultIdentity,
  type VaultRule,
  type VaultTraceStep,
} from './decide.js';
export { getClaim, goEqual, normalizeList, showGo, type GoValue } from './claims.js';
export { goGlob, LITERAL_IN_GO_GLOB } from './glob.js';
export {
  loginEnvelope,
  lookupSelfEnvelope,
  roleOf,
  vaultLogin,
  type VaultLoginDeps,
  type VaultLoginRequest,
  type VaultLoginResult,
} from './login.js';
export { createVaultTokenAuthority, type VaultTokenAuthority, type VaultTokenContent } from './tokens.js';
export { isVaultPath, vaultService, type VaultDeps } from './service.js';
export { explainVault, explainVaultText, vaultMountFor, type VaultExplanation } from './explain.js';
