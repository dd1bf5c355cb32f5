import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, serve } from './registry-support.js';

// Issue 14 §2: `base: tenant/name@version[#sha256:…]` through `agentlang registry serve` on 127.0.0.1.
const BASE =
  'apiVersion: agent/v1\nname: secure-base\nversion: 1.0.0\ndescription: "a locked-down base"\nruntime: test-echo\nmodel:\n  preferred:\n    - test-echo/base\ntrust:\n  filesystem: none\n  network: none\n  exec: full\n';

describe('agentlang with a registry base', () => {
  let dir: string;
  let registry: ServeProcess;
  beforeAll(async () => {
    dir = makeTempDir('agentlang-cli-base-');
    registry = await serve(dir, ['--data', 'data']);
    writeTree(dir, { 'base.agent': BASE });
    const pushed = runCli(['push', 'base.agent', '--registry', registry.url, '--api-key', 'alice-key'], { cwd: dir });
    expect(pushed.status).toBe(0);
  });
  afterAll(async () => {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validate, resolve and run fetch the pinned base from AGENTLANG_REGISTRY; without a registry it is MANIFEST_BASE_REF', () => {
    const sha = createHash('sha256').update(BASE).digest('hex');
    const cwd = writeTree(makeTempDir('agentlang-cli-child-'), {
      'child.agent': `apiVersion: agent/v1\nbase: alice/secure-base@1.0.0#sha256:${sha}\nname: child\nversion: 0.1.0\ntrust:\n  exec: sandboxed\n`,
    });
    try {
      const env = { AGENTLANG_REGISTRY: registry.url };
      const valid = runCli(['validate', 'child.agent'], { cwd, env });
      expect(valid.status).toBe(0);
      expect(valid.stdout).toMatch(/^Valid: child@0\.1\.0 \(ag1:[0-9a-f]{64}\)/);
      const plan = JSON.parse(runCli(['resolve', 'child.agent', '--json'], { cwd, env }).stdout);
      expect([plan.runtime.name, plan.trust]).toEqual([
        'test-echo',
        { filesystem: 'none', network: 'none', exec: 'sandboxed', scope: [] },
      ]);
      const ran = runCli(['run', 'child.agent'], { cwd, env });
      expect(ran.status).toBe(0);
      expect(ran.stdout).toContain('[test-echo] child@0.1.0');
      const offline = runCli(['validate', 'child.agent', '--json'], { cwd });
      expect(offline.status).not.toBe(0);
      expect(JSON.parse(offline.stdout).error.details.diagnostics[0]).toMatchObject({
        code: 'MANIFEST_BASE_REF',
        file: 'child.agent',
        line: 2,
      });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
