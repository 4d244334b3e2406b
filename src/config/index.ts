/** The public entry of the configuration: loading and validating a policies directory (or a template or plan), and what it yields. */
export {
  buildConfig,
  isConfigFileName,
  loadConfig,
  loadConfigFrom,
  providersWhere,
  type BuildOptions,
  type BuildResult,
  type ConfigFile,
  type ConfigSource,
  type DocumentKind,
  type LoadOptions,
  type SourceOptions,
} from './load.js';
export { ConfigError, type ConfigProblem, type LoadedConfig, type RoleConfig, type RoleTag, type SkippedResource } from './types.js';
export { describeSkipped, skippedReport } from './iac-sources.js';
export { DEMO_POLICIES_DIR } from './demo.js';
