import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IsolationError } from './errors.js';
import { DEFAULT_MAX_PROCESSES, DEFAULT_MEMORY_BYTES } from './host-settings.js';
import { CAPABILITY_MAPPING, DEFAULT_TIMEOUT_MS, policyFromPermissions, policyFromTrust } from './mapping.js';

const ctx = { workdir: '/srv/run/wd', root: '/srv/agents/demo' };
const trust = (over: Record<string, unknown> = {}) =>
  ({ filesystem: 'none', network: 'none', exec: 'full', scope: [], ...over }) as Parameters<typeof policyFromTrust>[0];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof IsolationError ? error.code : `not an IsolationError: ${String(error)}`;
  }
  return undefined;
}

describe('policyFromTrust', () => {
  it('maps the seed demo (filesystem none, network none, exec full) to workdir-only read-write', () => {
    expect(policyFromTrust(trust(), ctx)).toEqual({
      schema: 'agentlang.isolation/v1',
      filesystem: { mode: 'none', readOnly: [], readWrite: ['/srv/run/wd'] },
      workdir: '/srv/run/wd',
      network: 'none',
      allowedHosts: [],
      exec: 'full',
      env: [],
      setEnv: {},
      limits: { timeoutMs: DEFAULT_TIMEOUT_MS, memoryBytes: DEFAULT_MEMORY_BYTES, maxProcesses: DEFAULT_MAX_PROCESSES },
    });
  });

  it('read-only binds the workdir and the scope read-only, scope relative to the agent root', () => {
    const p = policyFromTrust(trust({ filesystem: 'read-only', scope: ['./data', '/etc/ssl'] }), ctx);
    expect(p.filesystem).toEqual({
      mode: 'read-only',
      readOnly: ['/srv/run/wd', '/srv/agents/demo/data', '/etc/ssl'],
      readWrite: [],
    });
  });

  it('scoped binds the workdir and the scope read-write', () => {
    const p = policyFromTrust(trust({ filesystem: 'scoped', scope: ['out'] }), ctx);
    expect(p.filesystem).toEqual({ mode: 'scoped', readOnly: [], readWrite: ['/srv/run/wd', '/srv/agents/demo/out'] });
  });

  it('relative scope resolves against the workdir when no root is given', () => {
    const p = policyFromTrust(trust({ filesystem: 'scoped', scope: ['out'] }), { workdir: '/w' });
    expect(p.filesystem.readWrite).toEqual(['/w', join('/w', 'out')]);
  });

  it('full is host passthrough', () => {
    expect(policyFromTrust(trust({ filesystem: 'full' }), ctx).filesystem.mode).toBe('full');
  });

  it('carries network, exec, env, limits and extra read-only paths', () => {
    const p = policyFromTrust(trust({ network: 'allowed', exec: 'none' }), {
      ...ctx,
      timeoutMs: 5000,
      env: ['ANTHROPIC_BASE_URL'],
      setEnv: { NO_COLOR: '1' },
      readOnly: ['/opt/runtime'],
      memoryBytes: 1 << 30,
      maxProcesses: 64,
    });
    expect(p).toMatchObject({
      network: 'allowed',
      exec: 'none',
      env: ['ANTHROPIC_BASE_URL'],
      setEnv: { NO_COLOR: '1' },
      limits: { timeoutMs: 5000, memoryBytes: 1 << 30, maxProcesses: 64 },
    });
    expect(p.filesystem.readOnly).toEqual(['/opt/runtime']);
  });

  it('rejects unknown levels, relative workdirs, bad timeouts, and scope under filesystem none', () => {
    expect(codeOf(() => policyFromTrust(trust({ filesystem: 'some' }), ctx))).toBe('SANDBOX_INVALID_POLICY');
    expect(codeOf(() => policyFromTrust(trust({ network: 'internet' }), ctx))).toBe('SANDBOX_INVALID_POLICY');
    expect(codeOf(() => policyFromTrust(trust({ exec: 'yes' }), ctx))).toBe('SANDBOX_INVALID_POLICY');
    expect(codeOf(() => policyFromTrust(trust(), { workdir: 'relative/wd' }))).toBe('SANDBOX_INVALID_POLICY');
    expect(codeOf(() => policyFromTrust(trust(), { ...ctx, timeoutMs: 0 }))).toBe('SANDBOX_INVALID_POLICY');
    expect(codeOf(() => policyFromTrust(trust({ scope: ['data'] }), ctx))).toBe('SANDBOX_INVALID_POLICY');
  });

  it('says what was expected in the message', () => {
    expect(() => policyFromTrust(trust({ network: 'internet' }), ctx)).toThrow(
      'trust.network is "internet"; expected one of none, scoped, allowed',
    );
  });
});

describe('policyFromPermissions', () => {
  it('no permissions: no network, no child processes, workdir only', () => {
    const p = policyFromPermissions(undefined, ctx);
    expect(p).toMatchObject({
      network: 'none',
      exec: 'none',
      filesystem: { mode: 'none', readWrite: ['/srv/run/wd'] },
      capabilities: { granted: [], withheld: [] },
    });
  });

  it('maps network/websocket/p2p → network allowed, shell → exec sandboxed, filesystem → scoped, storage → granted by the workdir', () => {
    expect(policyFromPermissions({ required: ['websocket'], optional: [] }, ctx).network).toBe('allowed');
    expect(policyFromPermissions({ required: ['p2p'], optional: [] }, ctx).network).toBe('allowed');
    const p = policyFromPermissions({ required: ['network', 'storage'], optional: ['filesystem', 'shell'] }, ctx);
    expect(p).toMatchObject({
      network: 'allowed',
      exec: 'sandboxed',
      filesystem: { mode: 'scoped', readWrite: ['/srv/run/wd'] },
    });
    expect(p.capabilities).toEqual({ granted: ['network', 'storage', 'filesystem', 'shell'], withheld: [] });
  });

  it('withholds optional capabilities a sandbox cannot provide and records them', () => {
    const p = policyFromPermissions({ required: ['network'], optional: ['microphone', 'camera', 'teleport'] }, ctx);
    expect(p.capabilities).toEqual({ granted: ['network'], withheld: ['microphone', 'camera', 'teleport'] });
  });

  it('refuses required capabilities a sandbox cannot provide with SANDBOX_UNSUPPORTED', () => {
    for (const cap of Object.keys(CAPABILITY_MAPPING).filter((c) => CAPABILITY_MAPPING[c] === 'unsupported')) {
      expect(
        codeOf(() => policyFromPermissions({ required: [cap], optional: [] }, ctx)),
        cap,
      ).toBe('SANDBOX_UNSUPPORTED');
    }
    expect(() => policyFromPermissions({ required: ['camera', 'background'], optional: [] }, ctx)).toThrow(
      /requires "camera", "background", which a sandboxed run cannot provide.*move them to permissions.optional/,
    );
    expect(codeOf(() => policyFromPermissions({ required: ['teleport'], optional: [] }, ctx))).toBe(
      'SANDBOX_UNSUPPORTED',
    );
  });
});
