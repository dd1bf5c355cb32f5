// Test helpers for this package's tests (not exported from index.ts).
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packContainer } from '@agentlang/container';
import { loadAgentFromFiles } from '@agentlang/manifest';
import { writeTree } from '@agentlang/test-helpers';


/** The seed-000 manifest (AgentSpec dialect) with a chosen name, version and description. */
export function demoYaml(name = 'demo', version = '0.1.0', description = 'End-to-end pipeline walkthrough'): string {
  return `apiVersion: agent/v1\nname: ${name}\nversion: ${version}\ndescription: "${description}"\n\nruntime: test-echo\nmodel:\n  preferred:\n    - test-echo/demo\n\nbehavior:\n  persona: demo-agent\n\ntrust:\n  filesystem: none\n  network: none\n  exec: full\n`;
}

/** A fresh Ed25519 key pair as hex (32-byte seed, 32-byte public key). */
export function ed25519Hex(): { seed: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = (privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).subarray(-32).toString('hex');
  const pub = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32).toString('hex');
  return { seed, publicKey: pub };
}

/** A real container built by @agentlang/container around a real manifest. */
export async function makeContainer(
  dir: string,
  agent: { name?: string; version?: string; description?: string; contextBytes?: number; signingKey?: string } = {},
): Promise<{ path: string; bytes: Buffer; sha256: string; digest: string }> {
  const yaml = demoYaml(agent.name, agent.version, agent.description);
  const loaded = await loadAgentFromFiles({ 'agent.yaml': Buffer.from(yaml) }, { entry: 'agent.yaml' });
  let contextDir: string | undefined;
  if (agent.contextBytes) {
    contextDir = join(dir, `ctx-${randomBytes(4).toString('hex')}`);
    writeTree(contextDir, { 'notes.md': '# notes\n', 'data/blob.bin': randomBytes(agent.contextBytes) });
  }
  const out = join(dir, `c-${randomBytes(4).toString('hex')}.agent`);
  await packContainer({
    agent: { name: loaded.manifest.name, version: loaded.manifest.version!, digest: loaded.digest, dialect: loaded.manifest.dialect },
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
