import { describe, expect, it } from 'vitest';
import { IsolationError } from './errors.js';
import {
  DEFAULT_MAX_PROCESSES,
  DEFAULT_MEMORY_BYTES,
  parseMemorySize,
  sandboxSettingsFromEnv,
} from './host-settings.js';
import { policyFromTrust } from './mapping.js';

const trust = { filesystem: 'none', network: 'none', exec: 'sandboxed', scope: [] } as const;

describe('sandbox host settings', () => {
  it('every policy carries the default memory and task limits unless the host turns them off', () => {
    const p = policyFromTrust(trust, { workdir: '/srv' });
    expect(p.limits).toEqual({
      timeoutMs: 600_000,
      memoryBytes: DEFAULT_MEMORY_BYTES,
      maxProcesses: DEFAULT_MAX_PROCESSES,
    });
    expect(DEFAULT_MEMORY_BYTES).toBe(2 * 1024 ** 3);
    expect(DEFAULT_MAX_PROCESSES).toBe(512);
    const off = policyFromTrust(trust, { workdir: '/srv', memoryBytes: null, maxProcesses: null });
    expect(off.limits).toEqual({ timeoutMs: 600_000 });
    const set = policyFromTrust(trust, { workdir: '/srv', memoryBytes: 1 << 30, maxProcesses: 64 });
    expect(set.limits).toEqual({ timeoutMs: 600_000, memoryBytes: 1 << 30, maxProcesses: 64 });
  });

  it('reads AGENTLANG_SANDBOX_MEMORY, _MAX_PROCESSES and _USER', () => {
    expect(sandboxSettingsFromEnv({})).toEqual({});
    expect(
      sandboxSettingsFromEnv({
        AGENTLANG_SANDBOX_MEMORY: '4GiB',
        AGENTLANG_SANDBOX_MAX_PROCESSES: '1024',
        AGENTLANG_SANDBOX_USER: '1000:1000',
      }),
    ).toEqual({
      memoryBytes: 4 * 1024 ** 3,
      maxProcesses: 1024,
      user: { uid: 1000, gid: 1000 },
    });
    expect(
      sandboxSettingsFromEnv({
        AGENTLANG_SANDBOX_MEMORY: 'unlimited',
        AGENTLANG_SANDBOX_MAX_PROCESSES: 'unlimited',
        AGENTLANG_SANDBOX_USER: '0',
      }),
    ).toEqual({
      memoryBytes: null,
      maxProcesses: null,
      user: { uid: 0, gid: 0 },
    });
    expect(parseMemorySize('X', '512MiB')).toBe(512 * 1024 ** 2);
    expect(parseMemorySize('X', '1073741824')).toBe(1024 ** 3);
  });

  it('refuses malformed values with the expected form', () => {
    for (const env of [
      { AGENTLANG_SANDBOX_MEMORY: 'lots' },
      { AGENTLANG_SANDBOX_MEMORY: '12' },
      { AGENTLANG_SANDBOX_MAX_PROCESSES: '0' },
      { AGENTLANG_SANDBOX_MAX_PROCESSES: 'abc' },
      { AGENTLANG_SANDBOX_USER: 'nobody' },
    ]) {
      let error: unknown;
      try {
        sandboxSettingsFromEnv(env);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(env)).toBeInstanceOf(IsolationError);
      expect((error as IsolationError).code).toBe('SANDBOX_INVALID_POLICY');
      expect((error as IsolationError).message).toMatch(/expected/);
    }
  });
});
