import { readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { generateX25519Identity } from './keys.js';
import { inspectContainer } from './inspect-container.js';
import { openContainer } from './open-container.js';
import { packContainer } from './pack-container.js';
import { makeSigningKey, sampleAgent, splitTar } from './test-support.js';
import { unpackContainer } from './unpack-container.js';
import { verifyContainer } from './verify-container.js';

const fastScrypt = { N: 1024, r: 8, p: 1 };

describe('packContainer', () => {
  it('writes the spec tree in order, signed, with the prompt encrypted, and opens it back', async () => {
    const dir = makeTempDir();
    const key = makeSigningKey();
    const id = generateX25519Identity();
    const longName = `context/${'deep/'.repeat(25)}file.txt`;
    const input = sampleAgent(join(dir, 'agent'), {
      contextFiles: { 'context/templates/report.md': '# Report\n', 'context/empty.txt': '', [longName]: 'long' },
    });
    const out = join(dir, 'demo@1.0.0.agent');
    const { index } = await packContainer({
      ...input,
      out,
      signingKeys: [key.seed],
      encryptTo: { recipients: [id.recipient], passphrase: 'hunter2', scrypt: fastScrypt },
    });
    const raw = readFileSync(out);
    expect(raw.subarray(257, 262).toString()).toBe('ustar');
    expect(splitTar(raw).map((e) => e.name)).toEqual([
      'manifest.json',
      'signature.sig',
      'agent.yaml',
      'prompt.yaml.enc',
      'agent.lock',
      'ux.yaml',
      longName,
      'context/empty.txt',
      'context/templates/report.md',
    ]);
    expect(raw.includes(Buffer.from('careful researcher'))).toBe(false);
    expect(index.encryption?.recipients).toEqual([
      { type: 'x25519', keyId: id.keyId },
      { type: 'scrypt', ...fastScrypt },
    ]);

    const verified = await verifyContainer(out, { publicKeys: [key.pub] });
    expect(verified.index.agent.name).toBe('demo');

    const info = await inspectContainer(out);
    expect(info.signature.state).toBe('unverified');
    expect(info.encryption?.recipients[0]).toEqual({ type: 'x25519', keyId: id.keyId });
    expect(info.entries.find((e) => e.path === 'agent.yaml')?.sha256).toMatch(/^sha256:[0-9a-f]{64}$/);

    const opened = await openContainer(out, { publicKeys: [key.pub], identity: id.identity });
    expect(opened.prompt).toContain('careful researcher');
    expect(Buffer.from(opened.files['agent.yaml']!).toString()).toContain('name: demo');
    expect(opened.files['prompt.yaml.enc']).toBeUndefined();
    const byPass = await openContainer(out, { publicKeys: [key.pub], passphrase: 'hunter2' });
    expect(byPass.prompt).toBe(opened.prompt);

    const target = join(dir, 'unpacked');
    await unpackContainer(out, target, { publicKeys: [key.pub], identity: id.identity });
    expect(readFileSync(join(target, 'context/templates/report.md'), 'utf8')).toBe('# Report\n');
    expect(readFileSync(join(target, longName), 'utf8')).toBe('long');
    expect(readFileSync(join(target, 'context/empty.txt'), 'utf8')).toBe('');
    expect(readFileSync(join(target, 'prompt.yaml'), 'utf8')).toContain('careful researcher');
    expect(readdirSync(target).sort()).toEqual([
      'agent.lock',
      'agent.yaml',
      'context',
      'manifest.json',
      'prompt.yaml',
      'prompt.yaml.enc',
      'signature.sig',
      'ux.yaml',
    ]);
  });

  it('is deterministic: every unencrypted entry byte-identical, the index equal apart from the ciphertext digest', async () => {
    const dir = makeTempDir();
    const key = makeSigningKey();
    const id = generateX25519Identity();
    const input = sampleAgent(join(dir, 'agent'));
    const a = join(dir, 'a.agent');
    const b = join(dir, 'b.agent');
    await packContainer({ ...input, out: a, signingKeys: [key.seed], encryptTo: { recipients: [id.recipient] } });
    await packContainer({ ...input, out: b, signingKeys: [key.seed], encryptTo: { recipients: [id.recipient] } });
    const ea = splitTar(readFileSync(a));
    const eb = splitTar(readFileSync(b));
    expect(ea.map((e) => e.name)).toEqual(eb.map((e) => e.name));
    for (const [i, e] of ea.entries()) {
      if (['prompt.yaml.enc', 'manifest.json', 'signature.sig'].includes(e.name)) continue;
      expect(e.data.equals(eb[i]!.data), e.name).toBe(true);
    }
    const ia = JSON.parse(ea[0]!.data.toString());
    const ib = JSON.parse(eb[0]!.data.toString());
    const blank = (ix: { entries: Array<{ path: string; sha256: string }> }) => ({
      ...ix,
      entries: ix.entries.map((e) => (e.path === 'prompt.yaml.enc' ? { ...e, sha256: '' } : e)),
    });
    expect(blank(ia)).toEqual(blank(ib));
    expect(ia.entries.find((e: { path: string }) => e.path === 'prompt.yaml.enc').sha256).not.toBe(
      ib.entries.find((e: { path: string }) => e.path === 'prompt.yaml.enc').sha256,
    );
    expect(readFileSync(a).length).toBe(readFileSync(b).length);
  });

  it.each([
    ['case folding', { 'context/README.md': 'a', 'context/readme.md': 'b' }],
    ['Unicode normalisation', { 'context/caf\u00e9.md': 'a', 'context/cafe\u0301.md': 'b' }],
  ])('refuses context names that collide under %s at build time', async (_what, files) => {
    const dir = makeTempDir();
    const input = sampleAgent(join(dir, 'agent'), { contextFiles: files });
    await expect(
      packContainer({
        ...input,
        out: join(dir, 'x.agent'),
        encryptTo: { recipients: [generateX25519Identity().recipient] },
      }),
    ).rejects.toMatchObject({ code: 'CONTAINER_ENTRY_DUPLICATE' });
    expect(readdirSync(dir)).toEqual(['agent']);
  });

  it('refuses a symbolic link in context/ instead of following it', async () => {
    const dir = makeTempDir();
    const input = sampleAgent(join(dir, 'agent'));
    symlinkSync('/etc/passwd', join(dir, 'agent/context/passwd'));
    await expect(
      packContainer({
        ...input,
        out: join(dir, 'x.agent'),
        encryptTo: { recipients: [generateX25519Identity().recipient] },
      }),
    ).rejects.toMatchObject({
      code: 'CONTAINER_SOURCE_LINK',
      message: expect.stringContaining('symbolic link'),
    });
  });

  it('refuses to store a prompt without a recipient or passphrase', async () => {
    const dir = makeTempDir();
    const input = sampleAgent(join(dir, 'agent'));
    await expect(packContainer({ ...input, out: join(dir, 'x.agent') })).rejects.toMatchObject({
      code: 'CONTAINER_OPTIONS_INVALID',
    });
    expect(readdirSync(dir)).toEqual(['agent']);
  });
});
