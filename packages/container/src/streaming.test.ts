import { openSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { generateX25519Identity } from './keys.js';
import { packContainer } from './pack-container.js';
import { walkContainer } from './read-container.js';
import { makeSigningKey, sampleAgent } from './test-support.js';

const MiB = 1024 * 1024;

function writeBigFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < bytes / MiB; i++) {
    block.fill(i & 0xff);
    writeSync(fd, block);
  }
  closeSync(fd);
}

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Builds and verifies a container with `size` bytes of context; returns the peak memory growth seen. */
async function peakFor(size: number): Promise<{ build: number; verify: number }> {
  const dir = makeTempDir();
  const key = makeSigningKey();
  const input = sampleAgent(join(dir, 'agent'), { contextFiles: { 'context/small.md': 'x' } });
  mkdirSync(join(dir, 'agent/context/data'), { recursive: true });
  writeBigFile(join(dir, 'agent/context/data/big.bin'), size);
  global.gc?.();
  const base = used();
  let build = 0;
  const out = join(dir, 'big.agent');
  await packContainer({
    ...input,
    out,
    signingKeys: [key.seed],
    encryptTo: { recipients: [generateX25519Identity().recipient] },
    onProgress: () => {
      build = Math.max(build, used() - base);
    },
  });
  let verify = 0;
  let seen = 0;
  await walkContainer(out, {
    publicKeys: [key.pub],
    sink: () => (chunk) => {
      seen += chunk.length;
      verify = Math.max(verify, used() - base);
    },
  });
  expect(seen).toBeGreaterThanOrEqual(size);
  return { build, verify };
}

describe('streaming', () => {
  it('builds and verifies 64 MiB of context with memory that does not grow with its size', async () => {
    const small = await peakFor(4 * MiB);
    const large = await peakFor(64 * MiB);
    // 16× the data; the working set is a few 1 MiB buffers either way. A whole-file design would add ≥ 60 MiB.
    expect(large.build - small.build).toBeLessThan(16 * MiB);
    expect(large.verify - small.verify).toBeLessThan(16 * MiB);
    expect(large.build).toBeLessThan(32 * MiB);
  }, 120_000);
});
