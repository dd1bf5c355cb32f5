/** This package's version (the harness runtime's `runtime_version` in execution records), kept in step with package.json by a test. */
export const HARNESS_VERSION = '0.1.0';
