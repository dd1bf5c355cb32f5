import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { makeContainer, serve } from './registry-support.js';

// kill -9 of a real `agentlang registry serve` process while pushes are in flight, at several
// moments, then a restart on the same data directory: only complete entries may be visible.

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Streams `bytes` as a push in small slices with pauses, so the kill lands mid-upload. */
function slowPush(
  url: string,
  tenantPath: string,
  bytes: Buffer,
  sliceBytes: number,
  pauseMs: number,
): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: 'PUT',
        path: tenantPath,
        agent: false,
        headers: {
          authorization: 'Bearer alice-key',
          'x-content-sha256': sha256(bytes),
          'content-length': bytes.length,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(-1));
      },
    );
    req.on('error', () => resolve(-1));
    let offset = 0;
    const next = () => {
      if (offset >= bytes.length) return void req.end();
      const ok = req.write(bytes.subarray(offset, offset + sliceBytes));
      offset += sliceBytes;
      if (req.destroyed) return;
      if (ok) setTimeout(next, pauseMs);
      else req.once('drain', () => setTimeout(next, pauseMs));
    };
    next();
  });
}

function get(url: string, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(new URL(path, url), { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('kill -9 during pushes', () => {
  it('leaves only complete entries, whatever the moment of the kill', async () => {
    const dir = makeTempDir('agentlang-crash-');
    const data = join(dir, 'data');
    const agents = await Promise.all([
      makeContainer(dir, { name: 'big', version: '1.0.0', contextBytes: 6 << 20 }),
      ...Array.from({ length: 6 }, (_, i) =>
        makeContainer(dir, { name: `small${i}`, version: '1.0.0', contextBytes: 64 << 10 }),
      ),
    ]);
    const killAfterMs = [30, 120, 300, 1500];
    const accepted = new Set<string>();
    const interrupted: number[] = [];
    for (const delay of killAfterMs) {
      const server = await serve(dir, ['--data', data]);
      const pushes = agents.map((a, i) =>
        slowPush(
          server.url,
          `/v1/agents/alice/${i === 0 ? 'big' : `small${i - 1}`}/1.0.0`,
          a.bytes,
          i === 0 ? 256 << 10 : 16 << 10,
          5,
        ).then((status) => {
          if (status === 201 || status === 200) accepted.add(`${i}`);
          return status;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
      server.child.kill('SIGKILL');
      interrupted.push((await Promise.all(pushes)).filter((status) => status === -1).length);
      await server.stop();
    }

    // The early kills cut uploads off mid-stream; the late ones let pushes complete first.
    expect(interrupted[0]).toBeGreaterThan(0);
    expect(accepted.size).toBeGreaterThan(0);
    const server = await serve(dir, ['--data', data]);
    try {
      const listing = JSON.parse((await get(server.url, '/v1/search?q=')).body.toString()) as {
        entries: Array<{ name: string; version: string; sha256: string; size: number }>;
      };
      for (const entry of listing.entries) {
        const index = entry.name === 'big' ? 0 : Number(entry.name.slice(5)) + 1;
        const pulled = await get(server.url, `/v1/agents/alice/${entry.name}/${entry.version}`);
        expect(pulled.status).toBe(200);
        expect(sha256(pulled.body)).toBe(entry.sha256);
        expect(pulled.body.equals(agents[index]!.bytes)).toBe(true);
      }
      // Every push the server acknowledged survived the later kills.
      for (const i of accepted)
        expect(listing.entries.some((e) => e.name === (i === '0' ? 'big' : `small${Number(i) - 1}`))).toBe(true);
      // On disk: every entry file parses, every blob is named by its own hash, staging was emptied.
      for (const tenantDir of readdirSync(join(data, 'entries'))) {
        for (const name of readdirSync(join(data, 'entries', tenantDir))) {
          for (const file of readdirSync(join(data, 'entries', tenantDir, name))) {
            expect(() => JSON.parse(readFileSync(join(data, 'entries', tenantDir, name, file), 'utf8'))).not.toThrow();
          }
        }
      }
      for (const prefix of readdirSync(join(data, 'blobs/sha256'))) {
        for (const blob of readdirSync(join(data, 'blobs/sha256', prefix)))
          expect(sha256(readFileSync(join(data, 'blobs/sha256', prefix, blob)))).toBe(blob);
      }
      expect(readdirSync(join(data, 'tmp'))).toEqual([]);
      // A version whose push was killed can be pushed again now.
      const statuses = await Promise.all(
        agents.map((a, i) =>
          slowPush(server.url, `/v1/agents/alice/${i === 0 ? 'big' : `small${i - 1}`}/1.0.0`, a.bytes, 1 << 20, 0),
        ),
      );
      expect(statuses.every((s) => s === 201 || s === 200)).toBe(true);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
