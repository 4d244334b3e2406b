/** The public entry of the configuration: loading and validating a policies directory, and what it yields. */
export {
  buildConfig,
  isConfigFileName,
  loadConfig,
  loadConfigFrom,
  type BuildOptions,
  type BuildResult,
  type ConfigFile,
  type ConfigSource,
  type DocumentKind,
  type LoadOptions,
  type SourceOptions,
} from './load.js';
export { ConfigError, type ConfigProblem, type LoadedConfig, type RoleConfig, type RoleTag } from './types.js';
export { DEMO_POLICIES_DIR } from './demo.js';
