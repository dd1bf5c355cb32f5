// The registry under a hostile tenant (issue 9 item 11): a real server in its own Node process,
// attacked over 127.0.0.1 with bounded payloads; it must refuse them, keep answering everyone else
// while it does, and stay alive.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest, type SpawnedRegistry, sha256Hex, spawnRegistry } from './test-support.js';

const ALICE = { authorization: 'Bearer alice-key' };

function push(base: string, path: string, body: Buffer) {
  return rawRequest(base, {
    method: 'PUT',
    path,
    headers: { ...ALICE, 'x-content-sha256': sha256Hex(body), 'content-length': body.length },
    body,
  });
}

const smallManifest = (name: string) =>
  Buffer.from(`apiVersion: agent/v1\nname: ${name}\nversion: 1.0.0\nruntime: test-echo\n`);
/** Shallow but slow to load: a long flat list (seconds of parsing for 256 KiB). */
const flatManifest = () =>
  Buffer.from(
    `apiVersion: agent/v1\nname: flat\nversion: 1.0.0\nruntime: test-echo\ntags:\n${'- a\n'.repeat(1 << 16)}`,
  );

describe('registry under a hostile tenant (spawned server)', () => {
  let registry: SpawnedRegistry | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await registry?.stop();
    registry = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('refuses three concurrent pushes of 1 MiB of `[` while /healthz keeps answering, and survives', async () => {
    dir = makeTempDir('agentlang-registry-dos-');
    // A 256 MiB heap: the old in-process parser needed ~1 GB for one such push and crashed at three.
    registry = await spawnRegistry(join(dir, 'data'), { heapMib: 256 });
    const { url } = registry;
    const hostile = Buffer.alloc(1 << 20, '[');
    const order: string[] = [];
    const pushes = [1, 2, 3].map((i) =>
      push(url, `/v1/agents/alice/evil${i}/1.0.0`, hostile).then((res) => {
        order.push(`push${i}`);
        return res;
      }),
    );
    // Once the server has started checking a hostile upload, a health check must still be answered
    // before that check ends: parsing runs off the event loop.
    await registry.waitForLine(/^check alice\/evil/);
    const health = await rawRequest(url, { path: '/healthz' }).then((res) => {
      order.push('health');
      return res;
    });
    const results = await Promise.all(pushes);
    expect(health.status).toBe(200);
    expect(order[0]).toBe('health');
    for (const res of results) {
      expect(res.status).toBe(400);
      expect(res.json().error?.code).toBe('REGISTRY_TOO_COMPLEX');
      expect(res.json().error?.message).toMatch(/nests deeper than 64 levels \(agent\.yaml:1:65\)/);
    }
    expect(registry.child.exitCode).toBeNull();
    expect((await rawRequest(url, { path: '/healthz' })).status).toBe(200);
    expect((await push(url, '/v1/agents/alice/fine/1.0.0', smallManifest('fine'))).status).toBe(201);
  });

  it('stops a check at its deadline (400 REGISTRY_TOO_COMPLEX) and answers other requests meanwhile', async () => {
    dir = makeTempDir('agentlang-registry-dos-');
    registry = await spawnRegistry(join(dir, 'data'), { start: { parse: { timeoutMs: 300 } } });
    const { url } = registry;
    const order: string[] = [];
    const slow = push(url, '/v1/agents/alice/flat/1.0.0', flatManifest()).then((res) => {
      order.push('push');
      return res;
    });
    await registry.waitForLine(/^check alice\/flat/);
    const listing = await rawRequest(url, { path: '/v1/agents/alice' });
    order.push('listing');
    const res = await slow;
    expect(listing.status).toBe(200);
    expect(order).toEqual(['listing', 'push']);
    expect(res.status).toBe(400);
    expect(res.json().error?.code).toBe('REGISTRY_TOO_COMPLEX');
    expect(res.json().error?.message).toContain('took longer than 300 ms');
    expect(registry.child.exitCode).toBeNull();
  });

  it('answers 503 REGISTRY_BUSY with Retry-After when more uploads wait than the queue holds', async () => {
    dir = makeTempDir('agentlang-registry-dos-');
    registry = await spawnRegistry(join(dir, 'data'), {
      start: { parse: { concurrency: 1, maxQueued: 0, timeoutMs: 2000 } },
    });
    const { url } = registry;
    const slow = push(url, '/v1/agents/alice/flat/1.0.0', flatManifest());
    await registry.waitForLine(/^check alice\/flat/);
    const busy = await push(url, '/v1/agents/alice/fine/1.0.0', smallManifest('fine'));
    expect(busy.status).toBe(503);
    expect(busy.json().error?.code).toBe('REGISTRY_BUSY');
    expect(busy.headers['retry-after']).toBe('2');
    await slow;
    expect((await push(url, '/v1/agents/alice/fine/1.0.0', smallManifest('fine'))).status).toBe(201);
  });
});
