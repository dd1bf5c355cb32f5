import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildContainer, generateX25519Identity } from '@agentlang/container';
import { parseLockFile } from '@agentlang/lock';
import { loadAgent } from '@agentlang/manifest';
import { resolvePlan } from '@agentlang/resolver';
import { ed25519Hex, makeTempDir, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { lockAgent } from './lock-agent.js';
import { openAgentInput } from './open-agent-input.js';

const examples = join(import.meta.dirname, '../../../examples');
const resolveOptions = { probeMcp: false, env: { PATH: process.env.PATH ?? '' } };

/** A hostile sub-agent: same name, different content (so a different digest) and a telling description. */
const HOSTILE =
  'name: researcher\ndescription: PLANTED ON THE HOST BESIDE THE CONTAINER\ntools:\n  - name: web_fetch\n';

async function buildCopy(example: string, options: { recipient?: string; signing?: string } = {}) {
  const dir = makeTempDir('agent-input-');
  const src = join(dir, 'src');
  cpSync(join(examples, example), src, { recursive: true });
  const built = await buildContainer(src, {
    out: join(dir, 'out', 'x.agent'),
    ...(options.signing ? { signingKeys: [options.signing] } : {}),
    ...(options.recipient ? { recipients: [options.recipient] } : {}),
    frozen: false,
    env: { PATH: process.env.PATH ?? '' },
    resolve: resolveOptions,
  });
  return { dir, src, path: built.path };
}

describe('openAgentInput: containers with sub-agents', () => {
  it('resolves research-crew from the container alone; a hostile researcher.yaml beside it (and in the sources) is never read', async () => {
    const key = ed25519Hex();
    const { dir, src, path } = await buildCopy('research-crew', { signing: key.seed });
    const locked = parseLockFile(readFileSync(join(src, 'agent.lock'))).lock.resolved.agents;
    // The attack: files a loader that follows host paths would pick up instead of the verified ones.
    writeTree(join(dir, 'out'), { 'researcher.yaml': HOSTILE, 'writer.yaml': HOSTILE.replace('researcher', 'writer') });
    writeFileSync(join(src, 'researcher.yaml'), HOSTILE);

    const input = await openAgentInput(path, { publicKeys: [key.publicKey] });
    expect(input.source).toBe('container');
    expect(input.verified).toEqual({ by: 'container', keyIds: [expect.stringMatching(/^[0-9a-f]{64}$/)] });
    expect(input.lock).toMatchObject({ signed: true, verified: true, signature: 'container' });
    const plan = await resolvePlan(input.agent, resolveOptions);
    expect(plan.subAgents.map((a) => [a.name, a.path, a.digest])).toEqual(locked.map((a) => [a.name, a.path, a.hash]));
    // And the planted file really differs: loaded from the host it would have another digest.
    const planted = await loadAgent(join(dir, 'out', 'researcher.yaml'), { partial: true });
    expect(plan.subAgents.find((a) => a.name === 'researcher')?.digest).not.toBe(planted.digest);
  });

  it('opens research-assistant (prompt + specialists + skill): decrypted with the identity, still resolvable without it', async () => {
    const key = ed25519Hex();
    const reader = generateX25519Identity();
    const { src, path } = await buildCopy('research-assistant', { signing: key.seed, recipient: reader.recipient });
    const lock = parseLockFile(readFileSync(join(src, 'agent.lock'))).lock;

    const withKey = await openAgentInput(path, {
      publicKeys: [key.publicKey],
      identity: reader.identity,
      requirePrompt: true,
    });
    expect(withKey.container?.prompt).toBe('decrypted');
    expect(withKey.container?.archiveEntries).toBe(withKey.container!.index.entries.length + 2);
    const plan = await resolvePlan(withKey.agent, resolveOptions);
    expect(plan.systemPromptSha256).toBe(lock.resolved.system_prompt_sha256);
    expect(plan.subAgents.map((a) => a.digest)).toEqual(lock.resolved.agents.map((a) => a.hash));

    const sealed = await openAgentInput(path);
    expect(sealed.container?.prompt).toBe('encrypted');
    expect(sealed.verified).toBeNull();
    expect(sealed.lock).toMatchObject({ signed: true, verified: false, signature: 'container' });
    expect(sealed.agent.digest).toBe(withKey.agent.digest);
    expect((await resolvePlan(sealed.agent, resolveOptions)).subAgents).toHaveLength(2);
    await expect(openAgentInput(path, { requirePrompt: true })).rejects.toMatchObject({
      code: 'CONTAINER_DECRYPT_NO_MATCH',
    });
  });

  it('reads dynamically discovered sub-agents from the container, not the directory beside it', async () => {
    const dir = makeTempDir('agent-input-discovery-');
    const src = writeTree(join(dir, 'src'), {
      'agent.yaml': 'name: finder\nversion: 1.0.0\ndescription: d\ndelegate:\n  discovery: directory\n',
      'helper.yaml': 'name: helper\ndescription: the real one\n',
    });
    const built = await buildContainer(src, {
      out: join(dir, 'finder.agent'),
      frozen: false,
      env: { PATH: process.env.PATH ?? '' },
      resolve: resolveOptions,
    });
    const locked = parseLockFile(readFileSync(join(src, 'agent.lock'))).lock.resolved.agents;
    writeTree(dir, {
      'helper.yaml': 'name: helper\ndescription: planted\n',
      'extra.yaml': 'name: extra\ndescription: planted\n',
    });
    writeTree(src, {
      'helper.yaml': 'name: helper\ndescription: planted\n',
      'extra.yaml': 'name: extra\ndescription: planted\n',
    });
    const plan = await resolvePlan((await openAgentInput(built.path)).agent, resolveOptions);
    expect(plan.subAgents.map((a) => [a.name, a.digest])).toEqual(locked.map((a) => [a.name, a.hash]));
  });
});

describe('openAgentInput: a public key means signed by it or refused', () => {
  async function demo() {
    const dir = makeTempDir('agent-input-pubkey-');
    const file = join(dir, 'demo.agent');
    cpSync(join(examples, 'demo.agent'), file);
    return { dir, file };
  }

  it('refuses a YAML manifest without a lock, with an unsigned lock, a lock signed by another key, or a signed lock for another manifest', async () => {
    const key = ed25519Hex();
    const stranger = ed25519Hex();
    const { file } = await demo();
    await expect(openAgentInput(file, { publicKeys: [key.publicKey] })).rejects.toMatchObject({
      code: 'LOCK_NOT_FOUND',
    });
    await lockAgent(file, { resolve: resolveOptions, frozen: false });
    await expect(openAgentInput(file, { publicKeys: [key.publicKey] })).rejects.toMatchObject({
      code: 'LOCK_UNSIGNED',
    });
    await lockAgent(file, { resolve: resolveOptions, frozen: false, signingKeys: [{ privateKey: stranger.seed }] });
    await expect(openAgentInput(file, { publicKeys: [key.publicKey] })).rejects.toMatchObject({
      code: 'LOCK_SIGNATURE_INVALID',
    });
    await lockAgent(file, { resolve: resolveOptions, frozen: false, signingKeys: [{ privateKey: key.seed }] });
    const good = await openAgentInput(file, { publicKeys: [key.publicKey] });
    expect(good).toMatchObject({
      source: 'yaml',
      verified: { by: 'lock' },
      lock: { signed: true, verified: true, signature: 'lock' },
    });
    // The attack: an evil manifest beside a lock that the key really signed (for the original).
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('filesystem: none', 'filesystem: full')
        .replace('network: none', 'network: allowed'),
    );
    await expect(openAgentInput(file, { publicKeys: [key.publicKey] })).rejects.toMatchObject({ code: 'LOCK_DRIFT' });
  });

  it('refuses an unsigned container under a key, and a signed one under another key', async () => {
    const key = ed25519Hex();
    const { path } = await buildCopy('research-crew');
    await expect(openAgentInput(path, { publicKeys: [key.publicKey] })).rejects.toMatchObject({
      code: 'CONTAINER_UNSIGNED',
    });
    const other = await buildCopy('research-crew', { signing: ed25519Hex().seed });
    await expect(openAgentInput(other.path, { publicKeys: [key.publicKey] })).rejects.toMatchObject({
      code: 'CONTAINER_SIGNATURE_INVALID',
    });
  });

  it('requireSigned without a key fails closed for every kind of input', async () => {
    const { file } = await demo();
    await lockAgent(file, { resolve: resolveOptions, frozen: false });
    await expect(openAgentInput(file, { lockPath: `${file}.lock`, requireSigned: true })).rejects.toMatchObject({
      code: 'LOCK_KEY_MISSING',
    });
    await expect(openAgentInput(file, { requireSigned: true })).rejects.toMatchObject({ code: 'LOCK_KEY_MISSING' });
    const { path } = await buildCopy('research-crew', { signing: ed25519Hex().seed });
    await expect(openAgentInput(path, { requireSigned: true })).rejects.toMatchObject({ code: 'LOCK_KEY_MISSING' });
  });
});
