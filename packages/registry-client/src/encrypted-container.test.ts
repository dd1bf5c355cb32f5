// Issue 10 item 3: the embedded registry must take containers whose prompt is encrypted, without
// ever decrypting them (it has no identity): structure, signed index and entry digests only.
import { cpSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildContainer, generateX25519Identity, loadContainerAgent } from '@agentlang/container';
import { startRegistry, type StartedRegistry } from '@agentlang/registry';
import { ed25519Hex, makeTempDir } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from './client.js';

const examples = join(import.meta.dirname, '../../../examples');

describe('a container with an encrypted prompt and sub-agents, through a real registry', () => {
  let dir: string;
  let registry: StartedRegistry;
  const key = ed25519Hex();

  beforeAll(async () => {
    dir = makeTempDir('agentlang-client-sealed-');
    // alice accepts only containers signed by her key: the signature check and the prompt that
    // stays sealed are exercised together.
    registry = await startRegistry({
      bind: '127.0.0.1:0',
      dataDir: join(dir, 'data'),
      apiKeys: 'alice:alice-key',
      signers: [`alice:${key.publicKey}`],
    });
  });
  afterAll(async () => {
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is pushed without decryption, pulled back byte for byte, and still opens with the identity', async () => {
    const agentDir = join(dir, 'research-assistant');
    cpSync(join(examples, 'research-assistant'), agentDir, { recursive: true });
    const id = generateX25519Identity();
    const built = await buildContainer(agentDir, {
      cwd: dir,
      signingKeys: [key.seed],
      recipients: [id.recipient],
      resolve: { probeMcp: false, env: { PATH: process.env.PATH ?? '' } },
      env: {},
    });
    expect(built.index.encryption).not.toBeNull();
    expect(built.index.entries.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        'prompt.yaml.enc',
        'specialists/academic-researcher.yaml',
        'specialists/market-analyst.yaml',
      ]),
    );

    const alice = new RegistryClient({ url: registry.url, apiKey: 'alice-key' });
    const pushed = await alice.push(built.path);
    expect(pushed).toMatchObject({
      tenant: 'alice',
      name: 'research-assistant',
      version: '1.0.0',
      kind: 'container',
      created: true,
      digest: built.agent.digest,
    });

    const pulled = await new RegistryClient({ url: registry.url }).pull('alice/research-assistant@1.0.0', {
      cwd: dir,
      out: 'pulled.agent',
      publicKeys: [key.publicKey],
    });
    expect((await readFile(pulled.path)).equals(await readFile(built.path))).toBe(true);
    const opened = await loadContainerAgent(pulled.path, { publicKeys: [key.publicKey], identity: id.identity });
    expect(opened.prompt).toBe(await readFile(join(agentDir, 'prompt.yaml'), 'utf8'));
    expect(opened.agent.subAgentPaths.map((s) => s.path).sort()).toEqual([
      'specialists/academic-researcher.yaml',
      'specialists/market-analyst.yaml',
    ]);
    expect(await readdir(join(dir, 'data/tmp'))).toEqual([]);
  });
});
