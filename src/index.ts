/** The package's entry: `import { startEmulator, decide } from 'sts-emulator'`. */
export {
  ConfigError,
  decide,
  startEmulator,
  type ConfigProblem,
  type DecideCall,
  type Decision,
  type Emulator,
  type EmulatorOptions,
  type MintOptions,
  type PresetName,
  type PresetOptionsByName,
  type PresetSpec,
} from './api/index.js';
export type { AuditRecord } from './server/index.js';
