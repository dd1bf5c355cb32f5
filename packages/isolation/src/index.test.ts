import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@agentlang/isolation exports', () => {
  it('pins the public runtime API (adding an export is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'BWRAP_MISSING_MESSAGE',
      'CAPABILITY_MAPPING',
      'DEFAULT_TIMEOUT_MS',
      'IsolationError',
      'IsolationErrorCode',
      'SANDBOX_PATH',
      'buildEnvironment',
      'buildSeccompFilter',
      'createBwrapBackend',
      'createNoetherBackend',
      'createNoneBackend',
      'encodeBpf',
      'policyFromPermissions',
      'policyFromTrust',
      'runSandboxed',
      'selectBackend',
      'spawnPrepared',
    ]);
  });

  it('every error code starts with SANDBOX_', () => {
    for (const code of Object.values(api.IsolationErrorCode)) expect(code).toMatch(/^SANDBOX_[A-Z_]+$/);
  });
});
