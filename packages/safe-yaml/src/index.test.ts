import { expect, it } from 'vitest';
import * as api from './index.js';

it('pins the public API of @agentlang/safe-yaml (adding an export is a deliberate act)', () => {
  expect(Object.keys(api).sort()).toEqual([
    'DEFAULT_MAX_ALIAS_COUNT',
    'DEFAULT_MAX_YAML_BYTES',
    'DEFAULT_MAX_YAML_DEPTH',
    'FORBIDDEN_KEYS',
    'MAX_NESTING_DEPTH',
    'SafeYamlError',
    'SafeYamlErrorCode',
    'escapePointer',
    'findExcessiveNesting',
    'parseYaml',
    'readYaml',
    'safeYamlErrorOf',
  ]);
});
