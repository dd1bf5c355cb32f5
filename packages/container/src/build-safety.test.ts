import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { lockPlan, readLockFile, verifyLock } from '@agentlang/lock';
import { loadAgent } from '@agentlang/manifest';
import { resolvePlan } from '@agentlang/resolver';
import { DEMO_AGENT, demoAgentDir, makeTempDir, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { buildContainer } from './build-container.js';
import { generateX25519Identity } from './keys.js';
import { makeSigningKey } from './test-support.js';

const examples = join(__dirname, '../../../examples');
const resolve = { probeMcp: false, env: { PATH: process.env.PATH ?? '' } };

/** Every file under `dir` (links as their target text) with its bytes: a snapshot to compare byte for byte. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string): void => {
    for (const name of readdirSync(abs).sort()) {
      const file = join(abs, name);
      const st = lstatSync(file);
      const rel = relative(dir, file);
      if (st.isSymbolicLink()) out[rel] = 'link';
      else if (st.isDirectory()) walk(file);
      else out[rel] = readFileSync(file).toString('base64');
    }
  };
  walk(dir);
  return out;
}

/** A copy of examples/research-assistant in a fresh directory, plus a "host" directory outside it holding a secret. */
function researchCopy(): { work: string; agent: string; secretDir: string } {
  const work = makeTempDir();
  const agent = join(work, 'agent');
  cpSync(join(examples, 'research-assistant'), agent, { recursive: true });
  const secretDir = join(work, 'host-secrets');
  writeTree(secretDir, { id_ed25519: 'HOST-PRIVATE-KEY-5f1e\n' });
  return { work, agent, secretDir };
}

describe('buildContainer refuses symbolic links (an agent can plant them in its own workdir)', () => {
  const id = generateX25519Identity();
  const build = (agent: string, work: string) =>
    buildContainer(agent, { cwd: work, out: join(work, 'out.agent'), recipients: [id.recipient], resolve, env: {} });

  it('a context/ directory that is a link to host files: refused, nothing packed, no lock written', async () => {
    const { work, agent, secretDir } = researchCopy();
    symlinkSync(secretDir, join(agent, 'context'));
    const before = snapshot(work);
    await expect(build(agent, work)).rejects.toMatchObject({
      code: 'CONTAINER_SOURCE_LINK',
      message: expect.stringContaining('context'),
    });
    expect(snapshot(work)).toEqual(before);
    expect(existsSync(join(work, 'out.agent'))).toBe(false);
  });

  it('a link inside context/, a linked skill directory, a linked sub-agent and a linked prompt: each refused', async () => {
    const plant: Array<[string, (agent: string, secretDir: string) => void]> = [
      [
        'context file',
        (agent, secretDir) => {
          mkdirSync(join(agent, 'context'));
          symlinkSync(join(secretDir, 'id_ed25519'), join(agent, 'context/notes.md'));
        },
      ],
      [
        'skill',
        (agent) => {
          renameSync(join(agent, 'skills/test-helper'), join(agent, 'real-skill'));
          symlinkSync(join(agent, 'real-skill'), join(agent, 'skills/test-helper'));
        },
      ],
      [
        'sub-agent',
        (agent) => {
          renameSync(join(agent, 'specialists/market-analyst.yaml'), join(agent, 'elsewhere.yaml'));
          symlinkSync(join(agent, 'elsewhere.yaml'), join(agent, 'specialists/market-analyst.yaml'));
        },
      ],
      [
        'prompt',
        (agent) => {
          renameSync(join(agent, 'prompt.yaml'), join(agent, 'real-prompt.yaml'));
          symlinkSync('real-prompt.yaml', join(agent, 'prompt.yaml'));
        },
      ],
    ];
    for (const [what, setUp] of plant) {
      const { work, agent, secretDir } = researchCopy();
      setUp(agent, secretDir);
      const before = snapshot(work);
      await expect(build(agent, work), what).rejects.toMatchObject({ code: 'CONTAINER_SOURCE_LINK' });
      expect(snapshot(work), what).toEqual(before);
    }
  });
});

describe('buildContainer writes nothing unless it succeeds, and keeps a signed lock signed', () => {
  it('a build that fails after the lock stage (a prompt and no recipient) leaves the directory byte-identical', async () => {
    const work = makeTempDir();
    const agent = join(work, 'agent');
    cpSync(join(examples, 'research-assistant'), agent, { recursive: true });
    const before = snapshot(work);
    await expect(buildContainer(agent, { cwd: work, resolve, env: {} })).rejects.toMatchObject({
      code: 'CONTAINER_OPTIONS_INVALID',
    });
    expect(snapshot(work)).toEqual(before);
    expect(existsSync(join(agent, 'agent.lock'))).toBe(false);
  });

  it('keeps a signed lock byte for byte (even resolved for another runtime), refuses to unsign one that must change, and re-signs with the key given', async () => {
    const dir = demoAgentDir();
    const agent = join(dir, 'demo.agent');
    const lockPath = join(dir, 'demo.agent.lock');
    const key = makeSigningKey();
    const plan = await resolvePlan(await loadAgent(agent), { ...resolve, runtime: 'test-echo' });
    lockPlan(plan, { lockPath, manifestPath: 'demo.agent', env: {}, signingKeys: [{ privateKey: key.seed }] });
    const signed = readFileSync(lockPath);

    // A build that resolves another runtime (claude-code here) and gets no key: the lock is kept, still signed.
    const built = await buildContainer(agent, { cwd: dir, resolve: { ...resolve, runtime: 'claude-code' }, env: {} });
    expect(built.lockWritten).toBe(false);
    expect(readFileSync(lockPath).equals(signed)).toBe(true);
    expect(verifyLock(readFileSync(lockPath), { publicKeys: [key.pub] }).lock.resolved.runtime).toBe('test-echo');

    // The agent changes: the signed lock must change, and without a key the build refuses and writes nothing.
    writeFileSync(agent, DEMO_AGENT.replace('End-to-end', 'Edited'));
    const before = snapshot(dir);
    await expect(
      buildContainer(agent, { cwd: dir, out: join(dir, 'x.agent'), resolve, env: {} }),
    ).rejects.toMatchObject({
      code: 'LOCK_KEY_MISSING',
      message: expect.stringMatching(
        /demo\.agent\.lock is signed and must change \(manifest hash .*\), but no signing key was given/,
      ),
    });
    expect(snapshot(dir)).toEqual(before);

    // With the key, the lock is signed again (the container is signed with it too).
    const again = await buildContainer(agent, {
      cwd: dir,
      out: join(dir, 'x.agent'),
      signingKeys: [key.seed],
      resolve,
      env: {},
    });
    expect(again.lockWritten).toBe(true);
    const resigned = verifyLock(readFileSync(lockPath), { publicKeys: [key.pub] });
    expect(resigned.lock.manifest.hash).toBe(again.agent.digest);
    expect(readLockFile(lockPath).signed).toBe(true);
  });
});
