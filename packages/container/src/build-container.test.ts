import { cpSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { buildContainer } from './build-container.js';
import { generateX25519Identity } from './keys.js';
import { loadContainerAgent } from './open-container.js';
import { makeSigningKey, splitTar } from './test-support.js';

const examples = join(__dirname, '../../../examples');
const resolve = { probeMcp: false, env: { PATH: process.env.PATH ?? '' } };

describe('buildContainer', () => {
  it('builds an example agent with a lock, encrypted prompt and context, and loads it back with the same digest', async () => {
    const dir = makeTempDir();
    const agentDir = join(dir, 'research-assistant');
    cpSync(join(examples, 'research-assistant'), agentDir, { recursive: true });
    mkdirSync(join(agentDir, 'context/templates'), { recursive: true });
    writeFileSync(join(agentDir, 'context/templates/report.md'), '# {{title}}\n');
    const key = makeSigningKey();
    const id = generateX25519Identity();
    const built = await buildContainer(agentDir, {
      cwd: dir,
      signingKeys: [key.seed],
      recipients: [id.recipient],
      resolve,
      env: {},
    });
    expect(built.path).toBe(join(dir, 'research-assistant@1.0.0.agent'));
    expect(existsSync(join(agentDir, 'agent.lock'))).toBe(true);
    const names = splitTar(readFileSync(built.path)).map((e) => e.name);
    expect(names.slice(0, 5)).toEqual([
      'manifest.json',
      'signature.sig',
      'agent.yaml',
      'prompt.yaml.enc',
      'agent.lock',
    ]);
    expect(names).toContain('ux.yaml');
    expect(names).toContain('skills/test-helper/SKILL.md');
    expect(names).toContain('specialists/academic-researcher.yaml');
    expect(names).not.toContain('prompt.yaml');
    expect(names.at(-1)).toBe('context/templates/report.md');
    expect(Buffer.from(readFileSync(built.path)).includes(readFileSync(join(agentDir, 'prompt.yaml')))).toBe(false);

    const loaded = await loadContainerAgent(built.path, { publicKeys: [key.pub], identity: id.identity });
    expect(loaded.agent.digest).toBe(built.agent.digest);
    expect(loaded.agent.manifest.name).toBe('research-assistant');
    expect(loaded.prompt).toBe(readFileSync(join(agentDir, 'prompt.yaml'), 'utf8'));
    expect(Buffer.from(loaded.files['agent.lock']!).equals(readFileSync(join(agentDir, 'agent.lock')))).toBe(true);

    // Rebuild: the lock is unchanged, every unencrypted entry is byte-identical.
    const again = await buildContainer(agentDir, {
      out: join(dir, 'again.agent'),
      signingKeys: [key.seed],
      recipients: [id.recipient],
      resolve,
      env: {},
      frozen: true,
    });
    expect(again.lockWritten).toBe(false);
    const a = splitTar(readFileSync(built.path));
    const b = splitTar(readFileSync(again.path));
    for (const [i, e] of a.entries()) {
      if (!['manifest.json', 'signature.sig', 'prompt.yaml.enc'].includes(e.name))
        expect(e.data.equals(b[i]!.data), e.name).toBe(true);
    }
  });

  it('builds a YAML-file agent under its own name, and --frozen refuses to create a missing lock', async () => {
    const dir = makeTempDir();
    cpSync(join(examples, 'demo.agent'), join(dir, 'demo.agent'));
    await expect(
      buildContainer(join(dir, 'demo.agent'), { cwd: dir, frozen: true, resolve, env: {} }),
    ).rejects.toMatchObject({ code: 'CONTAINER_FROZEN' });
    await expect(
      buildContainer(join(dir, 'demo.agent'), { cwd: dir, resolve, env: { CI: 'true' } }),
    ).rejects.toMatchObject({ code: 'CONTAINER_FROZEN', message: expect.stringContaining('--frozen') });
    const built = await buildContainer(join(dir, 'demo.agent'), { cwd: dir, resolve, env: {} });
    expect(built.index.entry).toBe('demo.agent');
    expect(built.index.encryption).toBeNull();
    expect(existsSync(join(dir, 'demo.agent.lock'))).toBe(true);
    const loaded = await loadContainerAgent(built.path);
    expect(loaded.signature.state).toBe('unsigned');
    expect(loaded.agent.digest).toBe(built.agent.digest);
  });
});
