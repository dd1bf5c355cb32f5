import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, test } from 'vitest';
import { ManifestError } from './errors.js';
import { sniffBytes, sniffInput } from './sniff.js';

describe('sniffing content, never the extension', () => {
  test('a ustar header is a container whatever the name; YAML text is yaml', async () => {
    const dir = makeTempDir();
    const tar = new Uint8Array(1024);
    tar.set(new TextEncoder().encode('ustar'), 257);
    writeFileSync(join(dir, 'agent.yaml'), tar);
    writeFileSync(join(dir, 'demo.agent'), 'apiVersion: agent/v1\nname: demo\n');
    expect(await sniffInput(join(dir, 'agent.yaml'))).toBe('container');
    expect(await sniffInput(join(dir, 'demo.agent'))).toBe('yaml');
    expect(await sniffInput(dir)).toBe('directory');
    expect(sniffBytes(new Uint8Array(10))).toBe('yaml');
  });

  test('a missing path is MANIFEST_NOT_FOUND', async () => {
    await expect(sniffInput('/nonexistent/agent')).rejects.toMatchObject({ code: 'MANIFEST_NOT_FOUND' });
    await expect(sniffInput('/nonexistent/agent')).rejects.toBeInstanceOf(ManifestError);
  });
});
