import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { createBwrapBackend } from './bwrap-backend.js';
import type { IsolationError } from './errors.js';
import { policyFromTrust } from './mapping.js';
import { createNoetherBackend, noetherCannotExpress, toNoetherPolicy } from './noether-backend.js';

const trust = { filesystem: 'scoped', network: 'none', exec: 'none', scope: [] } as const;

describe('the noether backend', () => {
  it('serialises limits, exec and the read-write paths; secrets only by name', () => {
    const workdir = makeTempDir();
    const policy = policyFromTrust(trust, { workdir, timeoutMs: 1234, memoryBytes: 1 << 28, maxProcesses: 32 });
    const wire = toNoetherPolicy(policy, { argv: ['x'], env: { A: '1' }, secrets: { TOKEN: 't' } });
    expect(wire).toMatchObject({
      exec: 'none',
      filesystem: { mode: 'scoped', read_only: [], read_write: [workdir] },
      limits: { timeout_ms: 1234, memory_bytes: 1 << 28, max_processes: 32 },
      env_passthrough: ['TOKEN'],
    });
    expect(wire.env.A).toBe('1');
    expect(JSON.stringify(wire)).not.toContain('"t"');
  });

  it('names the shapes it cannot express: full passthrough, host allow-lists, in-sandbox files', () => {
    const workdir = makeTempDir();
    expect(
      noetherCannotExpress(policyFromTrust({ ...trust, filesystem: 'full' }, { workdir }), { argv: ['x'], env: {} }),
    ).toContain('filesystem: full');
    expect(
      noetherCannotExpress(policyFromTrust({ ...trust, network: 'scoped' }, { workdir }), { argv: ['x'], env: {} }),
    ).toContain('network: scoped');
    expect(
      noetherCannotExpress(policyFromTrust(trust, { workdir }), {
        argv: ['x'],
        env: {},
        files: [{ path: '/tmp/a', content: '' }],
      }),
    ).toContain('files');
    expect(noetherCannotExpress(policyFromTrust(trust, { workdir }), { argv: ['x'], env: {} })).toBeUndefined();
  });

  it('network: scoped falls back to bwrap, which refuses it: never widened, never ignored', () => {
    const lines: string[] = [];
    const backend = createNoetherBackend({
      noetherPath: '/nonexistent/noether-sandbox',
      fallback: () => createBwrapBackend({ bwrapPath: '/usr/bin/bwrap' }),
      log: (l) => lines.push(l),
    });
    const policy = policyFromTrust(
      { ...trust, network: 'scoped' },
      { workdir: makeTempDir(), allowedHosts: ['example.com'] },
    );
    let error: unknown;
    try {
      backend.prepare(policy, { argv: ['/bin/true'], env: {} });
    } catch (e) {
      error = e;
    }
    expect((error as IsolationError).code).toBe('SANDBOX_UNSUPPORTED');
    expect(lines).toEqual([
      'isolation: noether-sandbox cannot express network: scoped (host allow-lists); falling back to the bwrap backend',
    ]);
  });
});
