import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startRegistry, type StartedRegistry } from '@agentlang/registry';
import { demoAgent, ed25519Hex, makeTempDir, rejectedWith } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from './client.js';
import { RegistryClientError } from './errors.js';
import { makeContainer } from './test-support.js';

async function expectCode(promise: Promise<unknown>, code: string): Promise<RegistryClientError> {
  const error = await rejectedWith(RegistryClientError, promise);
  expect(error.code).toBe(code);
  return error;
}

describe('RegistryClient against a real registry', () => {
  let dir: string;
  let registry: StartedRegistry;
  let alice: RegistryClient;
  let anonymous: RegistryClient;

  beforeAll(async () => {
    dir = makeTempDir('agentlang-client-');
    registry = await startRegistry({
      bind: '127.0.0.1:0',
      dataDir: join(dir, 'data'),
      apiKeys: 'alice:alice-key,bob:bob-key',
    });
    alice = new RegistryClient({ url: registry.url, apiKey: 'alice-key' });
    anonymous = new RegistryClient({ url: registry.url });
  });
  afterAll(() => registry.close());

  it("pushes a YAML manifest under the key's tenant and pulls the same bytes anonymously", async () => {
    await writeFile(join(dir, 'demo.agent'), demoAgent());
    const pushed = await alice.push(join(dir, 'demo.agent'));
    expect(pushed).toMatchObject({ tenant: 'alice', name: 'demo', version: '0.1.0', kind: 'manifest', created: true });
    const pulled = await anonymous.pull('alice/demo@0.1.0', { cwd: dir, out: 'pulled.agent' });
    expect(pulled).toMatchObject({
      name: 'demo',
      version: '0.1.0',
      kind: 'manifest',
      path: join(dir, 'pulled.agent'),
      digest: pushed.digest,
    });
    expect(await readFile(join(dir, 'pulled.agent'), 'utf8')).toBe(demoAgent());
    expect((await alice.push(join(dir, 'demo.agent'))).created).toBe(false);
  });

  it("relays the server's reason for every non-2xx answer", async () => {
    await writeFile(join(dir, 'demo-changed.agent'), demoAgent({ description: 'changed' }));
    const clash = await expectCode(alice.push(join(dir, 'demo-changed.agent')), 'REGISTRY_VERSION_EXISTS');
    expect(clash.message).toMatch(/HTTP 409.*immutable/);
    const bob = new RegistryClient({ url: registry.url, apiKey: 'bob-key' });
    const cross = await expectCode(bob.push(join(dir, 'demo.agent'), { tenant: 'alice' }), 'REGISTRY_UNAUTHORIZED');
    expect(cross.message).toContain("tenant 'bob' cannot write to tenant 'alice'");
    await expectCode(anonymous.pull('alice/missing@1.0.0', { cwd: dir }), 'REGISTRY_NOT_FOUND');
    await expectCode(
      new RegistryClient({ url: registry.url, apiKey: 'nope' }).push(join(dir, 'demo.agent')),
      'REGISTRY_UNAUTHORIZED',
    );
  });

  it('pushes a signed container and verifies its signature on pull when keys are given', async () => {
    const key = ed25519Hex();
    const c = await makeContainer(dir, { name: 'signed', version: '1.0.0', signingKey: key.seed });
    expect((await alice.push(c.path)).kind).toBe('container');
    const pulled = await anonymous.pull('alice/signed@1.0.0', {
      cwd: dir,
      out: 'signed.agent',
      publicKeys: [key.publicKey],
    });
    expect(pulled.sha256).toBe(c.sha256);
    expect((await readFile(join(dir, 'signed.agent'))).equals(c.bytes)).toBe(true);
    await expectCode(
      anonymous.pull('alice/signed@1.0.0', { cwd: dir, out: 'other.agent', publicKeys: [ed25519Hex().publicKey] }),
      'REGISTRY_DIGEST_MISMATCH',
    );
    expect(existsSync(join(dir, 'other.agent'))).toBe(false);
  });

  it('honours a sha256 pinned in the reference', async () => {
    const meta = await anonymous.meta('alice/signed@1.0.0');
    await anonymous.pull(`alice/signed@1.0.0#sha256:${meta.sha256}`, { cwd: dir, out: 'pinned.agent' });
    await expectCode(
      anonymous.pull(`alice/signed@1.0.0#sha256:${'0'.repeat(64)}`, { cwd: dir, out: 'pinned2.agent' }),
      'REGISTRY_DIGEST_MISMATCH',
    );
  });

  it('searches by description text', async () => {
    const result = await anonymous.search('pipeline walkthrough');
    expect(result.entries.map((e) => `${e.tenant}/${e.name}@${e.version}`)).toContain('alice/demo@0.1.0');
  });

  it('reports progress for a large pull', async () => {
    const c = await makeContainer(dir, { name: 'large', version: '1.0.0', contextBytes: 12 << 20 });
    await alice.push(c.path);
    const seen: number[] = [];
    const client = new RegistryClient({ url: registry.url, onProgress: (p) => seen.push(p.bytes) });
    await client.pull('alice/large@1.0.0', { cwd: dir, out: 'large.agent' });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(c.bytes.length);
  });
});

describe('RegistryClient against a registry with a small upload limit', () => {
  it("reports the server's 413 even though it answers before the upload ends", async () => {
    const dir = makeTempDir('agentlang-client-limit-');
    const registry = await startRegistry({
      bind: '127.0.0.1:0',
      dataDir: join(dir, 'data'),
      apiKeys: 'alice:alice-key',
      maxUploadBytes: 1 << 20,
    });
    try {
      const c = await makeContainer(dir, { name: 'huge', version: '1.0.0', contextBytes: 4 << 20 });
      const error = await expectCode(
        new RegistryClient({ url: registry.url, apiKey: 'alice-key' }).push(c.path),
        'REGISTRY_TOO_LARGE',
      );
      expect(error.message).toContain('HTTP 413');
    } finally {
      await registry.close();
    }
  });
});

describe('RegistryClient against a hostile or flaky server', () => {
  let server: Server;
  let base: string;
  let handler: (path: string, res: import('node:http').ServerResponse, hit: number) => void = () => {};
  let hits = 0;

  beforeAll(async () => {
    server = createServer((req, res) => handler(req.url ?? '', res, ++hits));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const serve =
    (body: Buffer, headers: Record<string, string>) => (_path: string, res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'content-length': body.length, ...headers });
      res.end(body);
    };
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('refuses bytes that do not match the promised sha256 and leaves nothing behind', async () => {
    const dir = makeTempDir('agentlang-hostile-');
    const real = Buffer.from(demoAgent());
    handler = serve(Buffer.from(demoAgent({ description: 'evil twin' })), { 'x-content-sha256': sha(real) });
    await expectCode(
      new RegistryClient({ url: base }).pull('alice/demo@0.1.0', { cwd: dir, out: 'pulled.agent' }),
      'REGISTRY_DIGEST_MISMATCH',
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a self-consistent artifact whose ag1 digest is not the promised one, or that is another agent', async () => {
    const dir = makeTempDir('agentlang-hostile-');
    const evil = Buffer.from(demoAgent({ description: 'tampered' }));
    handler = serve(evil, { 'x-content-sha256': sha(evil), 'x-agentlang-digest': `ag1:${'1'.repeat(64)}` });
    await expectCode(
      new RegistryClient({ url: base }).pull('alice/demo@0.1.0', { cwd: dir, out: 'pulled.agent' }),
      'REGISTRY_DIGEST_MISMATCH',
    );
    const other = Buffer.from(demoAgent({ name: 'other' }));
    handler = serve(other, { 'x-content-sha256': sha(other) });
    const error = await expectCode(
      new RegistryClient({ url: base }).pull('alice/demo@0.1.0', { cwd: dir, out: 'pulled.agent' }),
      'REGISTRY_DIGEST_MISMATCH',
    );
    expect(error.message).toContain('received other@0.1.0');
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes only --out whatever names the server sends', async () => {
    const root = makeTempDir('agentlang-hostile-');
    const dir = join(root, 'work');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    const body = Buffer.from(demoAgent());
    handler = serve(body, {
      'x-content-sha256': sha(body),
      'content-disposition': 'attachment; filename="../../escaped.agent"',
      'x-agentlang-name': '../../escaped',
      location: '/etc/passwd',
    });
    const result = await new RegistryClient({ url: base }).pull('alice/demo@0.1.0', { cwd: dir });
    expect(result.path).toBe(join(dir, 'demo@0.1.0.agent'));
    expect(await readdir(root)).toEqual(['work']);
    expect(await readdir(dir)).toEqual(['demo@0.1.0.agent']);
  });

  it('retries idempotent requests with backoff, then succeeds', async () => {
    const dir = makeTempDir('agentlang-flaky-');
    const body = Buffer.from(demoAgent());
    hits = 0;
    handler = (path, res, hit) => {
      if (hit <= 2) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('busy');
        return;
      }
      serve(body, { 'x-content-sha256': sha(body) })(path, res);
    };
    const retried: number[] = [];
    const client = new RegistryClient({ url: base, retry: { backoffMs: 10, onRetry: (n) => retried.push(n) } });
    await client.pull('alice/demo@0.1.0', { cwd: dir, out: 'pulled.agent' });
    expect(retried).toEqual([1, 2]);
    expect(hits).toBe(3);
  });

  it('turns a non-registry error page into REGISTRY_HTTP with the status', async () => {
    handler = (_path, res) => {
      res.writeHead(418, { 'content-type': 'text/html' });
      res.end('<h1>I am a teapot</h1>');
    };
    const error = await expectCode(new RegistryClient({ url: base }).search('x'), 'REGISTRY_HTTP');
    expect(error.message).toContain('HTTP 418');
  });

  it('gives up on an unreachable registry with REGISTRY_NETWORK', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await expectCode(
      new RegistryClient({ url: `http://127.0.0.1:${port}`, retry: { retries: 2, backoffMs: 5 } }).search(''),
      'REGISTRY_NETWORK',
    );
    expect(error.message).toContain('after 3 attempts');
  });
});
