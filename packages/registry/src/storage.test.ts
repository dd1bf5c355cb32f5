import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { parseApiKeysEnv } from './keys.js';
import { createRegistryServer } from './server.js';
import { type CreateEntryResult, type EntryRecord, namespaceOf, type RegistryStorage } from './storage.js';
import { makeContainer, rawRequest } from './test-support.js';

/** A deployment-style storage kept in memory: proves the server needs nothing beyond the interface. */
class MemoryStorage implements RegistryStorage {
  readonly blobs = new Map<string, Buffer>();
  readonly entries = new Map<string, EntryRecord>();
  constructor(private readonly staging: string) {}
  stagingPath(): string {
    return join(this.staging, `up-${Math.random().toString(16).slice(2)}`);
  }
  async putBlob(sha256: string, stagedPath: string): Promise<void> {
    this.blobs.set(sha256, await readFile(stagedPath));
    await rm(stagedPath);
  }
  async openBlob(sha256: string) {
    const bytes = this.blobs.get(sha256);
    return bytes ? { stream: Readable.from([bytes]), size: bytes.length } : undefined;
  }
  async readBlob(sha256: string) {
    return this.blobs.get(sha256);
  }
  async createEntry(record: EntryRecord): Promise<CreateEntryResult> {
    const key = `${namespaceOf(record.kind)}:${record.tenant}/${record.name}@${record.version}`;
    const existing = this.entries.get(key);
    if (existing) return { created: false, record: existing };
    this.entries.set(key, record);
    return { created: true, record };
  }
  async getEntry(tenant: string, name: string, version: string, namespace = 'agents') {
    return this.entries.get(`${namespace}:${tenant}/${name}@${version}`);
  }
  async listEntries() {
    return [...this.entries.values()];
  }
}

describe('RegistryStorage is swappable', () => {
  it('serves pushes and pulls from a custom storage', async () => {
    const dir = makeTempDir('agentlang-memstore-');
    const storage = new MemoryStorage(dir);
    const registry = createRegistryServer({ storage, keys: parseApiKeysEnv('alice:alice-key') });
    const base = await registry.listen(0);
    try {
      const c = await makeContainer(dir, { name: 'mem', version: '1.0.0', contextBytes: 2 << 20 });
      const push = await rawRequest(base, {
        method: 'PUT',
        path: '/v1/agents/alice/mem/1.0.0',
        headers: { authorization: 'Bearer alice-key', 'x-content-sha256': c.sha256 },
        body: c.bytes,
      });
      expect(push.status).toBe(201);
      expect(storage.blobs.get(c.sha256)?.equals(c.bytes)).toBe(true);
      const pull = await rawRequest(base, { path: '/v1/agents/alice/mem/1.0.0' });
      expect(pull.body.equals(c.bytes)).toBe(true);
    } finally {
      await registry.close();
    }
  });
});

describe('storage failures', () => {
  it('answer 500 REGISTRY_STORAGE without leaking the reason, which goes to the server log', async () => {
    const dir = makeTempDir('agentlang-failstore-');
    const storage = new MemoryStorage(dir);
    storage.putBlob = async () => {
      throw new Error('ENOSPC: no space left on device, rename /srv/secret-data/tmp/x');
    };
    const lines: string[] = [];
    const registry = createRegistryServer({
      storage,
      keys: parseApiKeysEnv('alice:alice-key'),
      log: (line) => lines.push(line),
    });
    const base = await registry.listen(0);
    try {
      const c = await makeContainer(dir, { name: 'full', version: '1.0.0' });
      const res = await rawRequest(base, {
        method: 'PUT',
        path: '/v1/agents/alice/full/1.0.0',
        headers: { authorization: 'Bearer alice-key', 'x-content-sha256': c.sha256 },
        body: c.bytes,
      });
      expect(res.status).toBe(500);
      expect(res.json().error?.code).toBe('REGISTRY_STORAGE');
      expect(res.body.toString()).not.toContain('secret-data');
      expect(lines.join('\n')).toContain('ENOSPC');
      expect((await rawRequest(base, { path: '/v1/agents/alice/full/1.0.0' })).status).toBe(404);
    } finally {
      await registry.close();
    }
  });
});
