import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Diagnostic, loadAgent, ManifestError } from '@agentlang/manifest';
import { startRegistry, type StartedRegistry } from '@agentlang/registry';
import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryBaseResolver } from './base-resolver.js';
import { RegistryClient } from './client.js';

// Issue 14 §2: `base: tenant/name@version[#sha256:…]`, fetched through the registry and verified.
const BASE =
  'apiVersion: agent/v1\nname: secure-base\nversion: 1.0.0\ndescription: "a locked-down base"\nruntime: test-echo\nmodel:\n  preferred:\n    - test-echo/base\nbehavior:\n  persona: careful\ntrust:\n  filesystem: read-only\n  network: none\n  exec: sandboxed\n';

async function diagnosticsOf(work: Promise<unknown>): Promise<Diagnostic[]> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ManifestError) return (error.details.diagnostics ?? []) as Diagnostic[];
    throw error;
  }
  throw new Error('expected a ManifestError');
}

describe('base: by registry reference, against a real registry on 127.0.0.1', () => {
  let dir: string;
  let registry: StartedRegistry;
  let sha256: string;

  beforeAll(async () => {
    dir = makeTempDir('agentlang-base-ref-');
    registry = await startRegistry({ bind: '127.0.0.1:0', dataDir: join(dir, 'data'), apiKeys: 'alice:alice-key' });
    writeFileSync(join(dir, 'base.agent'), BASE);
    sha256 = createHash('sha256').update(BASE).digest('hex');
    await new RegistryClient({ url: registry.url, apiKey: 'alice-key' }).push(join(dir, 'base.agent'));
  });
  const children: string[] = [];
  afterAll(async () => {
    await registry.close();
    for (const d of [dir, ...children]) rmSync(d, { recursive: true, force: true });
  });

  const child = (base: string, trust = 'trust:\n  exec: none\n') => {
    const d = makeTempDir('agentlang-base-child-');
    children.push(d);
    return writeTree(d, {
      'child.agent': `apiVersion: agent/v1\nbase: ${base}\nname: child\nversion: 0.1.0\n${trust}`,
    });
  };

  it('fetches, verifies and merges the base; trust still only narrows', async () => {
    const resolveBase = createRegistryBaseResolver({ url: registry.url });
    const agent = await loadAgent(join(child('alice/secure-base@1.0.0'), 'child.agent'), { resolveBase });
    expect(agent.manifest.trust).toEqual({ filesystem: 'read-only', network: 'none', exec: 'none', scope: [] });
    expect(agent.manifest.runtime).toBe('test-echo');
    expect(agent.manifest.behavior).toEqual({ persona: 'careful' });
    const pinned = await loadAgent(join(child(`alice/secure-base@1.0.0#sha256:${sha256}`), 'child.agent'), {
      resolveBase,
    });
    expect(pinned.digest).toBe(agent.digest);
    const widened = await diagnosticsOf(
      loadAgent(join(child('alice/secure-base@1.0.0', 'trust:\n  network: allowed\n'), 'child.agent'), { resolveBase }),
    );
    expect(widened).toEqual([
      expect.objectContaining({
        code: 'MANIFEST_INHERITANCE',
        file: 'child.agent',
        message: expect.stringContaining('alice/secure-base@1.0.0'),
      }),
    ]);
  });

  it('a wrong pin, an unknown entry, or no registry configured is MANIFEST_BASE_REF at the base: line', async () => {
    const resolveBase = createRegistryBaseResolver({ url: registry.url });
    const wrong = await diagnosticsOf(
      loadAgent(join(child(`alice/secure-base@1.0.0#sha256:${'0'.repeat(64)}`), 'child.agent'), { resolveBase }),
    );
    expect(wrong).toEqual([
      expect.objectContaining({
        code: 'MANIFEST_BASE_REF',
        file: 'child.agent',
        line: 2,
        message: expect.stringContaining('pins sha256:'),
      }),
    ]);
    const missing = await diagnosticsOf(loadAgent(join(child('alice/nothing@1.0.0'), 'child.agent'), { resolveBase }));
    expect(missing[0]).toMatchObject({ code: 'MANIFEST_BASE_REF', line: 2 });
    const offline = await diagnosticsOf(loadAgent(join(child('alice/secure-base@1.0.0'), 'child.agent')));
    expect(offline[0]).toMatchObject({
      code: 'MANIFEST_BASE_REF',
      message: expect.stringContaining('no registry is configured'),
    });
  });
});
