import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@agentlang/isolation exports', () => {
  it('pins the public runtime API (adding an export is a deliberate act)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'BWRAP_MISSING_MESSAGE',
      'CAPABILITY_MAPPING',
      'DEFAULT_MAX_PROCESSES',
      'DEFAULT_MEMORY_BYTES',
      'DEFAULT_TIMEOUT_MS',
      'EGRESS_PROXY_URL',
      'EGRESS_SOCKET_NAME',
      'IsolationError',
      'IsolationErrorCode',
      'PROC_READ_ONLY',
      'SANDBOX_PATH',
      'buildEnvironment',
      'buildSeccompFilter',
      'checkHostPattern',
      'createBwrapBackend',
      'createNoetherBackend',
      'createNoneBackend',
      'describeSandbox',
      'egressAllowlist',
      'encodeBpf',
      'formatSandboxLines',
      'hostAllowed',
      'isPrivateAddress',
      'parseEgressResolve',
      'parseMemorySize',
      'policyFromPermissions',
      'policyFromTrust',
      'runSandboxed',
      'sandboxHostIdentity',
      'sandboxSettingsFromEnv',
      'selectBackend',
      'spawnPrepared',
      'startEgressProxy',
    ]);
  });

  it('every error code starts with SANDBOX_', () => {
    for (const code of Object.values(api.IsolationErrorCode)) expect(code).toMatch(/^SANDBOX_[A-Z_]+$/);
  });
});
