import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockAgent } from '@agentlang/agent-input';
import { runAgent } from '@agentlang/runner';
import { ed25519Hex, makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

const env = { PATH: process.env.PATH };
const demo = join(import.meta.dirname, '../../../examples/demo.agent');

async function lockedDemo(signWith?: string) {
  const dir = makeTempDir('runner-lock-');
  const file = join(dir, 'demo.agent');
  cpSync(demo, file);
  await lockAgent(file, {
    frozen: false,
    resolve: { probeMcp: false, env },
    ...(signWith ? { signingKeys: [{ privateKey: signWith }] } : {}),
  });
  return { dir, file, bytes: new Uint8Array(readFileSync(`${file}.lock`)) };
}

describe('runAgent takes the lock as bytes', () => {
  it('checks the plan against lock bytes and records which signature covered them (the container that carried it)', async () => {
    const { dir, file, bytes } = await lockedDemo();
    const keyId = 'a'.repeat(64);
    const result = await runAgent(file, {
      cwd: dir,
      env,
      lock: { bytes, label: 'x.agent:agent.lock', verified: { by: 'container', keyIds: [keyId] } },
    });
    expect(result.exitCode).toBe(0);
    expect(result.record?.lock).toMatchObject({
      signed: true,
      verified: true,
      signature: 'container',
      key_ids: [keyId],
    });
  });

  it('verifies a signed lock given as bytes under publicKeys, and records signature "lock"', async () => {
    const key = ed25519Hex();
    const { dir, file, bytes } = await lockedDemo(key.seed);
    const result = await runAgent(file, {
      cwd: dir,
      env,
      lock: { bytes },
      publicKeys: [key.publicKey],
      requireSigned: true,
    });
    expect(result.record?.lock).toMatchObject({
      signed: true,
      verified: true,
      signature: 'lock',
      key_ids: [expect.stringMatching(/^[0-9a-f]{64}$/)],
    });
    // Unsigned bytes under requireSigned fail closed, before anything spawns.
    const plain = await lockedDemo();
    await expect(
      runAgent(plain.file, {
        cwd: plain.dir,
        env,
        lock: { bytes: plain.bytes },
        publicKeys: [key.publicKey],
        requireSigned: true,
      }),
    ).rejects.toMatchObject({ code: 'LOCK_UNSIGNED' });
  });

  it('refuses lock bytes made for another manifest with LOCK_DRIFT', async () => {
    const { dir, bytes } = await lockedDemo();
    const other = join(dir, 'other.agent');
    cpSync(demo, other);
    writeFileSync(other, readFileSync(other, 'utf8').replace('name: demo', 'name: other'));
    await expect(runAgent(other, { cwd: dir, env, lock: { bytes } })).rejects.toMatchObject({ code: 'LOCK_DRIFT' });
  });
});
