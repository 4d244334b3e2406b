/**
 * The public entry of the emulator as a library (the package's `import ... from 'sts-emulator'`) and of the pieces the
 * CLI composes: start the server in-process, decide in-process, the emulated issuers, the live configuration.
 */
export { configView, DEFAULT_POLICIES, startEmulator, type Emulator, type EmulatorOptions, type MintOptions } from './emulator.js';
export { decideWith, outcomeOf, type DecideCall, type Decision } from './decide.js';
export { claimsFor, type ClaimsSpec } from './claims-spec.js';
export type { PresetName, PresetOptionsByName, PresetSpec } from '../identity/index.js';
export { chooseIssuer, emulatedProviders, IssuerChoiceError, mintPresetClaims, signFor, type IssuerChoice } from './issuers.js';
export { explainJson, explainText, type ExplainJson } from './explain.js';
export { createRuntime, loadRuntime, type Runtime, type RuntimeSettings } from './runtime.js';
export { LiveConfiguration, type InForce, type LiveOptions } from './live.js';
export { createDecisionLog, type DecisionLog } from './decisions.js';
export { decide } from './decide-standalone.js';
export { ConfigError, type ConfigProblem } from '../config/index.js';
