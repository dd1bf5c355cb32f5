export { SafeYamlError, SafeYamlErrorCode, type SafeYamlErrorDetails, safeYamlErrorOf } from './errors.js';
export { findExcessiveNesting, MAX_NESTING_DEPTH, type NestingExcess } from './nesting.js';
export { parseYaml } from './parse-yaml.js';
export {
  DEFAULT_MAX_ALIAS_COUNT,
  DEFAULT_MAX_YAML_BYTES,
  DEFAULT_MAX_YAML_DEPTH,
  escapePointer,
  FORBIDDEN_KEYS,
  type ReadYamlOptions,
  readYaml,
  type YamlIssue,
  type YamlReading,
} from './read-yaml.js';
