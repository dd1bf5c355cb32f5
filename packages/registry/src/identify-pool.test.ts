import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { createIdentifyPool, findIdentifyWorker } from './identify-pool.js';

const JOB = { namespace: 'agents' as const, path: '/nonexistent', head: new Uint8Array(), signers: [] };

describe('identify pool', () => {
  it('turns a check that outgrows its heap into 400 REGISTRY_TOO_COMPLEX, and the next job still runs', async () => {
    const dir = makeTempDir('agentlang-registry-pool-');
    try {
      // A stand-in for a parser that never stops allocating (the real one needed ~1 GB for 1 MiB of `[`).
      const hog = join(dir, 'hog.mjs');
      await writeFile(
        hog,
        "import { parentPort } from 'node:worker_threads';\nparentPort.once('message', () => { const keep = []; for (;;) keep.push(new Array(1e5).fill({ x: keep.length })); });\n",
      );
      const pool = createIdentifyPool(pathToFileURL(hog), { heapMib: 16, timeoutMs: 60_000 });
      const error = await pool.run(JOB).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'REGISTRY_TOO_COMPLEX', status: 400 });
      expect((error as Error).message).toContain('needed more than 16 MiB of memory');
      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, 'name: [unclosed\n');
      const real = createIdentifyPool(findIdentifyWorker()!);
      expect(await real.run({ ...JOB, path: bad }).catch((e: { code?: string }) => e.code)).toBe(
        'REGISTRY_INVALID_ARTIFACT',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
