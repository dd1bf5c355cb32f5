import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { progressLogger, progressStream } from './progress.js';

const MIB = 1 << 20;

it('writes one line per 10% of a large task and nothing for a small one', () => {
  const lines: string[] = [];
  const report = progressLogger((l) => lines.push(l), 8 * MIB);
  report({ verb: 'pulling', label: 'alice/tiny@1.0.0', bytes: MIB, total: MIB });
  for (let done = 0; done <= 20 * MIB; done += MIB)
    report({ verb: 'pulling', label: 'alice/demo@1.0.0', bytes: done, total: 20 * MIB });
  expect(lines).toHaveLength(11);
  expect(lines[0]).toBe('pulling alice/demo@1.0.0  0.0/20.0 MiB (0%)');
  expect(lines.at(-1)).toBe('pulling alice/demo@1.0.0  20.0/20.0 MiB (100%)');
  report({ verb: 'packing', label: 'context', bytes: 32 * MIB });
  expect(lines.at(-1)).toBe('packing context  32.0 MiB');
});

it('progressStream passes bytes through and reports at each step and at the end', async () => {
  const seen: number[] = [];
  const chunks: Buffer[] = [];
  await pipeline(
    Readable.from([Buffer.alloc(3), Buffer.alloc(3), Buffer.alloc(3)]),
    progressStream((bytes) => seen.push(bytes), 5),
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
  );
  expect(Buffer.concat(chunks).length).toBe(9);
  expect(seen).toEqual([6, 9]);
});
