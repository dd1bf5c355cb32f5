import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, type StartedRegistry } from '@agentlang/registry';
import { digestJson, resolveTool } from '@agentlang/resolver';
import { makeTempDir } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from './client.js';
import { createRegistryToolSource } from './tool-source.js';

const tool = (version: string, description = `web search ${version}`) => ({
  name: 'web_search',
  version,
  description,
  inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
});

describe('a registry as a tool source for the resolver', () => {
  let dir: string;
  let registry: StartedRegistry;

  beforeAll(async () => {
    dir = makeTempDir('agentlang-tools-');
    registry = await startRegistry({
      bind: '127.0.0.1:0',
      dataDir: join(dir, 'data'),
      apiKeys: 'acme:acme-key,bob:bob-key',
    });
    const client = new RegistryClient({ url: registry.url, apiKey: 'acme-key' });
    for (const version of ['1.2.0', '1.4.1', '1.10.0', '2.0.0']) {
      const file = join(dir, `web_search@${version}.json`);
      await writeFile(file, JSON.stringify(tool(version), null, 2));
      const pushed = await client.push(file);
      expect(pushed).toMatchObject({
        tenant: 'acme',
        name: 'web_search',
        version,
        kind: 'tool',
        digest: digestJson(tool(version)),
      });
    }
  });
  afterAll(() => registry.close());

  it('resolves tools published there by semver, highest satisfying, with the catalog integrity', async () => {
    const source = createRegistryToolSource({ url: registry.url, tenant: 'acme' });
    expect(source.id).toBe(`registry:${registry.url}/acme`);
    const resolved = await resolveTool({ name: 'web_search', version: '^1.2.0' }, [source]);
    expect(resolved.tool).toEqual({
      name: 'web_search',
      constraint: '^1.2.0',
      version: '1.10.0',
      source: source.id,
      integrity: digestJson(tool('1.10.0')),
    });
    expect((await resolveTool({ name: 'web_search', version: '~1.4.0' }, [source])).tool.version).toBe('1.4.1');
    expect((await resolveTool({ name: 'web_search' }, [source])).tool.version).toBe('2.0.0');
    await expect(resolveTool({ name: 'web_search', version: '^3.0.0' }, [source])).rejects.toMatchObject({
      code: 'RESOLVE_TOOL_UNSATISFIABLE',
    });
    await expect(resolveTool({ name: 'no_such_tool' }, [source])).rejects.toMatchObject({
      code: 'RESOLVE_TOOL_UNKNOWN',
    });
  });

  it('keeps tool versions immutable and tenants separate', async () => {
    const file = join(dir, 'changed.json');
    await writeFile(file, JSON.stringify(tool('1.2.0', 'changed')));
    await expect(new RegistryClient({ url: registry.url, apiKey: 'acme-key' }).push(file)).rejects.toMatchObject({
      code: 'REGISTRY_VERSION_EXISTS',
    });
    await expect(
      new RegistryClient({ url: registry.url, apiKey: 'bob-key' }).push(file, { tenant: 'acme' }),
    ).rejects.toMatchObject({ code: 'REGISTRY_UNAUTHORIZED' });
    expect(await createRegistryToolSource({ url: registry.url, tenant: 'bob' }).listVersions('web_search')).toEqual([]);
  });

  it('refuses a definition whose name disagrees with the path', async () => {
    const file = join(dir, 'liar.json');
    await writeFile(file, JSON.stringify({ ...tool('1.0.0'), name: 'other_tool' }));
    const client = new RegistryClient({ url: registry.url, apiKey: 'acme-key' });
    const artifact = await (await import('./artifact.js')).readPushable(file);
    await expect(client.pushArtifact({ ...artifact, name: 'web_search' }, 'acme')).rejects.toMatchObject({
      code: 'REGISTRY_NAME_MISMATCH',
    });
  });
});
