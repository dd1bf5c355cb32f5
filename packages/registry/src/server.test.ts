import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ed25519Hex, makeTempDir } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStorage } from './directory-storage.js';
import { parseApiKeysEnv } from './keys.js';
import { createRegistryServer, type RegistryServer } from './server.js';
import { makeContainer, rawRequest, sha256Hex } from './test-support.js';

const ALICE = { authorization: 'Bearer alice-key' };
const BOB = { authorization: 'Bearer bob-key' };

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  return out;
}

describe('registry server', () => {
  let dir: string;
  let registry: RegistryServer;
  let base: string;
  let storage: DirectoryStorage;

  beforeAll(async () => {
    dir = makeTempDir('agentlang-registry-');
    storage = await DirectoryStorage.open(join(dir, 'data'));
    registry = createRegistryServer({
      storage,
      keys: parseApiKeysEnv('alice:alice-key,bob:bob-key'),
      maxUploadBytes: 2 << 20,
      uploadIdleTimeoutMs: 400,
    });
    base = await registry.listen(0);
  });
  afterAll(() => registry.close());

  const put = (path: string, body: Buffer, headers: Record<string, string | number> = ALICE, sha = sha256Hex(body)) =>
    rawRequest(base, {
      method: 'PUT',
      path,
      headers: { ...headers, 'x-content-sha256': sha, 'content-length': body.length },
      body,
    });

  it('answers /healthz', async () => {
    const res = await rawRequest(base, { path: '/healthz' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', api: 'agentlang.registry/v1', writable: true });
  });

  it('stores a container under tenant/name@version and serves the same bytes with their digests', async () => {
    const c = await makeContainer(dir, { name: 'demo', version: '0.1.0' });
    const res = await put('/v1/agents/alice/demo/0.1.0', c.bytes);
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({
      tenant: 'alice',
      name: 'demo',
      version: '0.1.0',
      kind: 'container',
      sha256: c.sha256,
      created: true,
    });
    const got = await rawRequest(base, { path: '/v1/agents/alice/demo/0.1.0' });
    expect(got.status).toBe(200);
    expect(got.body.equals(c.bytes)).toBe(true);
    expect(got.headers['x-content-sha256']).toBe(c.sha256);
    expect(got.headers['x-agentlang-digest']).toMatch(/^ag1:[0-9a-f]{64}$/);
    const meta = await rawRequest(base, { path: '/v1/agents/alice/demo/0.1.0/meta' });
    expect(meta.json()).toMatchObject({ tenant: 'alice', name: 'demo', sha256: c.sha256 });
  });

  it('treats re-pushing identical bytes as success and different bytes as 409', async () => {
    const c = await makeContainer(dir, { name: 'immut', version: '1.0.0', note: 'first' });
    expect((await put('/v1/agents/alice/immut/1.0.0', c.bytes)).status).toBe(201);
    const again = await put('/v1/agents/alice/immut/1.0.0', c.bytes);
    expect(again.status).toBe(200);
    expect(again.json().created).toBe(false);
    const other = await makeContainer(dir, { name: 'immut', version: '1.0.0', note: 'second' });
    const clash = await put('/v1/agents/alice/immut/1.0.0', other.bytes);
    expect(clash.status).toBe(409);
    expect(clash.json().error?.code).toBe('REGISTRY_VERSION_EXISTS');
    const got = await rawRequest(base, { path: '/v1/agents/alice/immut/1.0.0' });
    expect(got.body.equals(c.bytes)).toBe(true);
  });

  it('lets exactly one of N concurrent pushes of one version win', async () => {
    const variants = await Promise.all(
      Array.from({ length: 8 }, (_, i) => makeContainer(dir, { name: 'race', version: '2.0.0', note: `variant ${i}` })),
    );
    const results = await Promise.all(variants.map((v) => put('/v1/agents/alice/race/2.0.0', v.bytes)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const winner = variants[results.findIndex((r) => r.status === 201)]!;
    const got = await rawRequest(base, { path: '/v1/agents/alice/race/2.0.0' });
    expect(sha256Hex(got.body)).toBe(winner.sha256);
  });

  it('answers N concurrent pushes of identical bytes with one 201 and the rest 200', async () => {
    const c = await makeContainer(dir, { name: 'same', version: '1.0.0' });
    const results = await Promise.all(Array.from({ length: 6 }, () => put('/v1/agents/alice/same/1.0.0', c.bytes)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.json().sha256))).toEqual(new Set([c.sha256]));
  });

  it('refuses an upload whose bytes do not match the declared sha256 and stores nothing', async () => {
    const before = await listFiles(join(dir, 'data'));
    const c = await makeContainer(dir, { name: 'tamper', version: '0.1.0' });
    const res = await put('/v1/agents/alice/tamper/0.1.0', c.bytes, ALICE, sha256Hex(Buffer.from('something else')));
    expect(res.status).toBe(400);
    expect(res.json().error?.code).toBe('REGISTRY_DIGEST_MISMATCH');
    expect((await rawRequest(base, { path: '/v1/agents/alice/tamper/0.1.0' })).status).toBe(404);
    expect(await listFiles(join(dir, 'data'))).toEqual(before);
  });

  it('refuses cross-tenant writes however the tenant is spelled', async () => {
    const c = await makeContainer(dir, { name: 'demo', version: '9.0.0' });
    const spellings = [
      'alice',
      'Alice',
      'ALICE',
      'alice.',
      'alice..',
      '%61lice',
      'alice%2Fdemo',
      '..',
      '.',
      '%2e%2e',
      'alice%00',
      '%20alice',
      'alice%2e',
    ];
    for (const tenant of spellings) {
      const res = await put(`/v1/agents/${tenant}/demo/9.0.0`, c.bytes, BOB);
      expect(res.status, tenant).toBe(401);
      expect(res.json().error?.code, tenant).toBe('REGISTRY_UNAUTHORIZED');
    }
    // Paths that start under bob's own tenant but try to climb or smuggle a slash are refused too.
    for (const path of [
      '/v1/agents/bob/../alice/demo/9.0.0',
      '/v1/agents/bob/..%2Falice%2Fdemo/9.0.0',
      '/v1/agents/bob/demo%2F..%2F..%2Falice/9.0.0',
      '/v1/agents/bob/Demo/9.0.0',
      '/v1/agents/bob/demo./9.0.0',
    ]) {
      const res = await put(path, c.bytes, BOB);
      expect([400, 401, 403], path).toContain(res.status);
    }
    expect((await rawRequest(base, { path: '/v1/agents/alice/demo/9.0.0' })).status).toBe(404);
    const listing = (await rawRequest(base, { path: '/v1/search?q=' })).json() as {
      entries: Array<{ tenant: string; version: string }>;
    };
    expect(listing.entries.filter((e) => e.version === '9.0.0')).toEqual([]);
  });

  it('refuses an artifact whose own name or version disagrees with the path', async () => {
    const c = await makeContainer(dir, { name: 'demo', version: '3.0.0' });
    for (const path of ['/v1/agents/bob/other/3.0.0', '/v1/agents/bob/demo/3.0.1']) {
      const res = await put(path, c.bytes, BOB);
      expect(res.status).toBe(403);
      expect(res.json().error?.code).toBe('REGISTRY_NAME_MISMATCH');
    }
  });

  it('needs a known API key to write', async () => {
    const c = await makeContainer(dir, { name: 'keyless', version: '0.1.0' });
    expect((await put('/v1/agents/alice/keyless/0.1.0', c.bytes, {})).status).toBe(401);
    const wrong = await put('/v1/agents/alice/keyless/0.1.0', c.bytes, { authorization: 'Bearer alice-key-x' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/Bearer/);
  });

  it('enforces the size limit from Content-Length and while streaming (413), storing nothing', async () => {
    const big = Buffer.alloc(3 << 20, 1);
    const declared = await put('/v1/agents/alice/big/0.1.0', big);
    expect(declared.status).toBe(413);
    const streamed = await rawRequest(base, {
      method: 'PUT',
      path: '/v1/agents/alice/big/0.1.0',
      headers: { ...ALICE, 'x-content-sha256': sha256Hex(big), 'transfer-encoding': 'chunked' },
      body: (write, end) => {
        for (let i = 0; i < 12; i++) write(big.subarray(i * (256 << 10), (i + 1) * (256 << 10)));
        end();
      },
    });
    expect(streamed.status).toBe(413);
    expect(streamed.json().error?.code).toBe('REGISTRY_TOO_LARGE');
    expect(await readdir(join(dir, 'data/tmp'))).toEqual([]);
  });

  it('times out a stalled upload (408)', async () => {
    const res = await rawRequest(base, {
      method: 'PUT',
      path: '/v1/agents/alice/slow/0.1.0',
      headers: { ...ALICE, 'x-content-sha256': '0'.repeat(64), 'content-length': 1000 },
      body: (write) => {
        write(Buffer.alloc(100));
        // ...and never send the rest.
      },
    });
    expect(res.status).toBe(408);
    expect(res.json().error?.code).toBe('REGISTRY_TIMEOUT');
    expect(await readdir(join(dir, 'data/tmp'))).toEqual([]);
  });

  it('lists and searches by name and tenant; unknown versions are 404 with an error body', async () => {
    const c = await makeContainer(dir, { name: 'searchable-thing', version: '1.2.3' });
    expect((await put('/v1/agents/bob/searchable-thing/1.2.3', c.bytes, BOB)).status).toBe(201);
    const byName = (await rawRequest(base, { path: '/v1/search?q=SEARCHABLE' })).json() as {
      entries: Array<{ tenant: string; name: string }>;
    };
    expect(byName.entries.map((e) => `${e.tenant}/${e.name}`)).toEqual(['bob/searchable-thing']);
    const byTenant = (await rawRequest(base, { path: '/v1/agents/bob' })).json() as {
      entries: Array<{ tenant: string }>;
    };
    expect(byTenant.entries.every((e) => e.tenant === 'bob')).toBe(true);
    const missing = await rawRequest(base, { path: '/v1/agents/bob/searchable-thing/9.9.9' });
    expect(missing.status).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'REGISTRY_NOT_FOUND' });
  });

  it('stores YAML manifests too, finds them by description, and refuses invalid artifacts', async () => {
    const yaml = Buffer.from(
      'apiVersion: agent/v1\nname: described\nversion: 0.2.0\ndescription: "Summarises quarterly reports"\nruntime: test-echo\n',
    );
    const pushed = await put('/v1/agents/alice/described/0.2.0', yaml);
    expect(pushed.status).toBe(201);
    expect(pushed.json()).toMatchObject({ kind: 'manifest', digest: expect.stringMatching(/^ag1:[0-9a-f]{64}$/) });
    const found = (await rawRequest(base, { path: '/v1/search?q=quarterly' })).json() as {
      entries: Array<{ name: string }>;
    };
    expect(found.entries.map((e) => e.name)).toEqual(['described']);
    for (const body of [
      Buffer.from('name: [unclosed\n'),
      Buffer.from('apiVersion: agent/v1\nname: broken\nversion: 1.0\n'),
      Buffer.from('just text'),
    ]) {
      const res = await put('/v1/agents/alice/broken/1.0.0', body);
      expect(res.status).toBe(400);
      expect(res.json().error?.code).toBe('REGISTRY_INVALID_ARTIFACT');
    }
  });

  it('refuses a container whose signed index claims a digest its agent does not have', async () => {
    const { packContainer } = await import('@agentlang/container');
    const out = join(dir, 'lying.agent');
    const yaml = Buffer.from('apiVersion: agent/v1\nname: lying\nversion: 0.1.0\nruntime: test-echo\n');
    await packContainer({
      agent: { name: 'lying', version: '0.1.0', digest: `ag1:${'7'.repeat(64)}`, dialect: 'agentspec' },
      entry: 'agent.yaml',
      sources: [{ path: 'agent.yaml', bytes: yaml }],
      lock: Buffer.from('{}'),
      out,
    });
    const res = await put('/v1/agents/alice/lying/0.1.0', await readFile(out));
    expect(res.status).toBe(400);
    expect(res.json().error?.code).toBe('REGISTRY_INVALID_ARTIFACT');
    expect(res.json().error?.message).toContain(`the signed index says ag1:${'7'.repeat(64)}`);
    expect(res.json().error?.message).not.toContain(dir);
  });

  it('keeps every blob under the name of its own sha256', async () => {
    for (const file of await listFiles(join(dir, 'data/blobs')))
      expect(sha256Hex(await readFile(file))).toBe(file.split('/').at(-1));
  });
});

describe('registry server without keys', () => {
  it('refuses writes with a message saying how to configure keys, but serves reads', async () => {
    const dir = makeTempDir('agentlang-registry-');
    const registry = createRegistryServer({ storage: await DirectoryStorage.open(dir), keys: { tenants: new Map() } });
    const base = await registry.listen(0);
    try {
      const body = Buffer.from('x');
      const res = await rawRequest(base, {
        method: 'PUT',
        path: '/v1/agents/alice/demo/0.1.0',
        headers: { ...ALICE, 'x-content-sha256': sha256Hex(body) },
        body,
      });
      expect(res.status).toBe(403);
      expect(res.json().error?.code).toBe('REGISTRY_NO_KEYS');
      expect(res.json().error?.message).toContain('AGENTLANG_API_KEYS=');
      expect((await rawRequest(base, { path: '/v1/search' })).status).toBe(200);
    } finally {
      await registry.close();
    }
  });
});

describe('private tenants', () => {
  it('are readable only with their own key and hidden from search', async () => {
    const dir = makeTempDir('agentlang-registry-');
    const keys = parseApiKeysEnv('alice:alice-key,bob:bob-key');
    keys.tenants.get('alice')!.private = true;
    const registry = createRegistryServer({ storage: await DirectoryStorage.open(dir), keys });
    const base = await registry.listen(0);
    try {
      const c = await makeContainer(dir, { name: 'secret', version: '0.1.0' });
      const push = await rawRequest(base, {
        method: 'PUT',
        path: '/v1/agents/alice/secret/0.1.0',
        headers: { ...ALICE, 'x-content-sha256': c.sha256 },
        body: c.bytes,
      });
      expect(push.status).toBe(201);
      expect((await rawRequest(base, { path: '/v1/agents/alice/secret/0.1.0' })).status).toBe(401);
      expect((await rawRequest(base, { path: '/v1/agents/alice/secret/0.1.0', headers: BOB })).status).toBe(403);
      expect((await rawRequest(base, { path: '/v1/agents/alice/secret/0.1.0', headers: ALICE })).status).toBe(200);
      expect(((await rawRequest(base, { path: '/v1/search?q=secret' })).json() as { total: number }).total).toBe(0);
      expect(
        ((await rawRequest(base, { path: '/v1/search?q=secret', headers: ALICE })).json() as { total: number }).total,
      ).toBe(1);
    } finally {
      await registry.close();
    }
  });
});

describe('connection reuse', () => {
  it('keeps bodyless requests on keep-alive, even when answered synchronously', async () => {
    const dir = makeTempDir('agentlang-registry-');
    const registry = createRegistryServer({ storage: await DirectoryStorage.open(dir), keys: { tenants: new Map() } });
    const base = await registry.listen(0);
    try {
      for (const path of ['/healthz', '/v1/agents/alice/none/1.0.0', '/nowhere']) {
        const res = await rawRequest(base, { path, headers: { connection: 'keep-alive' } });
        expect(res.headers.connection, path).toBe('keep-alive');
      }
    } finally {
      await registry.close();
    }
  });
});

describe('tenants that accept only signed containers', () => {
  it('refuse unsigned containers, containers signed by other keys, and bare YAML', async () => {
    const dir = makeTempDir('agentlang-registry-');
    const publisher = ed25519Hex();
    const keys = parseApiKeysEnv('alice:alice-key');
    keys.tenants.get('alice')!.signers = [publisher.publicKey];
    const registry = createRegistryServer({ storage: await DirectoryStorage.open(join(dir, 'data')), keys });
    const base = await registry.listen(0);
    const push = (path: string, body: Buffer) =>
      rawRequest(base, { method: 'PUT', path, headers: { ...ALICE, 'x-content-sha256': sha256Hex(body) }, body });
    try {
      const unsigned = await makeContainer(dir, { name: 'signed-only', version: '1.0.0' });
      const stranger = await makeContainer(dir, {
        name: 'signed-only',
        version: '1.0.0',
        signingKey: ed25519Hex().seed,
      });
      const yaml = Buffer.from('apiVersion: agent/v1\nname: signed-only\nversion: 1.0.0\nruntime: test-echo\n');
      for (const body of [unsigned.bytes, stranger.bytes, yaml]) {
        const res = await push('/v1/agents/alice/signed-only/1.0.0', body);
        expect(res.status).toBe(403);
        expect(res.json().error?.code).toBe('REGISTRY_UNSIGNED');
      }
      const good = await makeContainer(dir, { name: 'signed-only', version: '1.0.0', signingKey: publisher.seed });
      expect((await push('/v1/agents/alice/signed-only/1.0.0', good.bytes)).status).toBe(201);
    } finally {
      await registry.close();
    }
  });
});
