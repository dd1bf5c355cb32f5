// Test helpers for this package's tests (not exported from index.ts).
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packContainer } from '@agentlang/container';
import { loadAgentFromFiles } from '@agentlang/manifest';
import { demoAgent, writeTree } from '@agentlang/test-helpers';

/** A real container built by @agentlang/container around a real manifest. */
export async function makeContainer(
  dir: string,
  agent: { name?: string; version?: string; description?: string; contextBytes?: number; signingKey?: string } = {},
): Promise<{ path: string; bytes: Buffer; sha256: string; digest: string }> {
  const yaml = demoAgent({ name: agent.name, version: agent.version, description: agent.description });
  const loaded = await loadAgentFromFiles({ 'agent.yaml': Buffer.from(yaml) }, { entry: 'agent.yaml' });
  let contextDir: string | undefined;
  if (agent.contextBytes) {
    contextDir = join(dir, `ctx-${randomBytes(4).toString('hex')}`);
    writeTree(contextDir, { 'notes.md': '# notes\n', 'data/blob.bin': randomBytes(agent.contextBytes) });
  }
  const out = join(dir, `c-${randomBytes(4).toString('hex')}.agent`);
  await packContainer({
    agent: {
      name: loaded.manifest.name,
      version: loaded.manifest.version!,
      digest: loaded.digest,
      dialect: loaded.manifest.dialect,
    },
    entry: 'agent.yaml',
    sources: [{ path: 'agent.yaml', bytes: Buffer.from(yaml) }],
    lock: Buffer.from('{"schema":"agentlang.lock/v1"}\n'),
    ...(contextDir ? { contextDir } : {}),
    ...(agent.signingKey ? { signingKeys: [agent.signingKey] } : {}),
    out,
  });
  const bytes = await readFile(out);
  return { path: out, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), digest: loaded.digest };
}
