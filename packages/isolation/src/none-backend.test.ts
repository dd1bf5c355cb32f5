import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { IsolationError } from './errors.js';
import { policyFromTrust } from './mapping.js';
import { createNoneBackend } from './none-backend.js';
import { capture, hostPids } from './test-support.js';

const backend = createNoneBackend();
const trust = { filesystem: 'none', network: 'none', exec: 'full', scope: [] } as const;

describe('the none backend (--unsafe-no-isolation)', () => {
  it('runs the command directly with the cleared environment and the secrets', async () => {
    process.env.AGENTLANG_TEST_NONE_PARENT = 'leak?';
    try {
      const workdir = makeTempDir();
      const r = await capture(backend, policyFromTrust(trust, { workdir }), {
        argv: ['/usr/bin/env'],
        env: { A: '1' },
        secrets: { S: 'x' },
      });
      expect(r.backend).toBe('none');
      expect(r.stdout).toContain('A=1\n');
      expect(r.stdout).toContain('S=x\n');
      expect(r.stdout).toContain(`HOME=${workdir}\n`);
      expect(r.stdout).not.toContain('AGENTLANG_TEST_NONE_PARENT');
    } finally {
      delete process.env.AGENTLANG_TEST_NONE_PARENT;
    }
  });

  it('still enforces the timeout on the whole process group', async () => {
    const tag = `${800 + Math.floor(Math.random() * 99)}.${Date.now() % 100000}`;
    const isSleep = (argv: string[]) => argv[0] === 'sleep' && argv[1] === tag;
    const p = policyFromTrust(trust, { workdir: makeTempDir(), timeoutMs: 1500 });
    const r = await capture(backend, p, { argv: ['/bin/sh', '-c', `(sleep ${tag} &); sleep ${tag}`] });
    expect(r.timedOut).toBe(true);
    for (let i = 0; i < 40 && hostPids(isSleep).length > 0; i++) await new Promise((done) => setTimeout(done, 50));
    expect(hostPids(isSleep)).toEqual([]);
  });

  it('refuses in-sandbox files (there is no sandbox to put them in)', () => {
    const p = policyFromTrust(trust, { workdir: makeTempDir() });
    expect(() =>
      backend.prepare(p, { argv: ['/bin/true'], env: {}, files: [{ path: '/tmp/x', content: '' }] }),
    ).toThrow(IsolationError);
  });
});
