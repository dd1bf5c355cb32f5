// Issue 9 item 13: what the registry serves is exactly what it recorded; a refused upload leaves
// nothing in staging; a tool definition is exactly the documented shape.
import { appendFile, readdir, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStorage } from './directory-storage.js';
import { parseApiKeysEnv } from './keys.js';
import { createRegistryServer, type RegistryServer } from './server.js';
import { makeContainer, rawRequest, sha256Hex } from './test-support.js';

const ALICE = { authorization: 'Bearer alice-key' };

/** GETs over one keep-alive socket, answering status and body of each in turn. */
function keepAliveGets(
  base: string,
  paths: string[],
): Promise<Array<{ status: number; body: Buffer } | { error: string }>> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(base);
  const one = (path: string) =>
    new Promise<{ status: number; body: Buffer } | { error: string }>((resolve) => {
      const req = request({ host: url.hostname, port: url.port, path, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', (e) => resolve({ error: e.message }));
      });
      req.on('error', (e) => resolve({ error: e.message }));
      req.end();
    });
  return (async () => {
    const out = [];
    for (const path of paths) out.push(await one(path));
    agent.destroy();
    return out;
  })();
}

describe('registry hardening', () => {
  let dir: string;
  let registry: RegistryServer;
  let base: string;

  beforeAll(async () => {
    dir = makeTempDir('agentlang-registry-hard-');
    registry = createRegistryServer({
      storage: await DirectoryStorage.open(join(dir, 'data')),
      keys: parseApiKeysEnv('alice:alice-key'),
      maxUploadBytes: 4 << 20,
    });
    base = await registry.listen(0);
  });
  afterAll(async () => {
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  const put = (path: string, body: Buffer, sha = sha256Hex(body)) =>
    rawRequest(base, {
      method: 'PUT',
      path,
      headers: { ...ALICE, 'x-content-sha256': sha, 'content-length': body.length },
      body,
    });
  const blobFile = (sha: string) => join(dir, 'data/blobs/sha256', sha.slice(0, 2), sha);

  it('never serves a blob that grew on disk: the answer is 500 and the keep-alive stream stays in step', async () => {
    const small = Buffer.from('apiVersion: agent/v1\nname: grown\nversion: 1.0.0\nruntime: test-echo\n');
    expect((await put('/v1/agents/alice/grown/1.0.0', small)).status).toBe(201);
    const large = await makeContainer(dir, { name: 'big', version: '1.0.0', contextBytes: 2 << 20 });
    expect((await put('/v1/agents/alice/big/1.0.0', large.bytes)).status).toBe(201);
    await appendFile(blobFile(sha256Hex(small)), 'EXTRA BYTES THAT WERE NEVER PUSHED\n');
    await appendFile(blobFile(large.sha256), Buffer.alloc(4096, 'x'));

    const [grownSmall, health1, grownLarge, health2] = await keepAliveGets(base, [
      '/v1/agents/alice/grown/1.0.0',
      '/healthz',
      '/v1/agents/alice/big/1.0.0',
      '/healthz',
    ]);
    expect(grownSmall).toMatchObject({ status: 500 });
    expect(grownLarge).toMatchObject({ status: 500 });
    for (const health of [health1, health2]) {
      expect(health).toMatchObject({ status: 200 });
      expect(JSON.parse((health as { body: Buffer }).body.toString('utf8'))).toMatchObject({ status: 'ok' });
    }
  });

  it('leaves no staging file behind for any refused upload', async () => {
    const tmp = join(dir, 'data/tmp');
    const good = Buffer.from('apiVersion: agent/v1\nname: staged\nversion: 1.0.0\nruntime: test-echo\n');
    const refusals = [
      await put('/v1/agents/alice/staged/1.0.0', good, sha256Hex(Buffer.from('other'))), // digest mismatch
      await put('/v1/agents/alice/staged/1.0.0', Buffer.from('name: [unclosed\n')), // invalid
      await put('/v1/agents/alice/other/1.0.0', good), // name mismatch
      await put('/v1/agents/alice/deep/1.0.0', Buffer.alloc(4096, '[')), // too complex
      await put(
        '/v1/tools/alice/t/1.0.0',
        Buffer.from('{"name":"t","version":"1.0.0","description":"d","inputSchema":{},"extra":1}'),
      ), // unknown field
    ];
    expect(refusals.map((r) => r.status)).toEqual([400, 400, 403, 400, 400]);
    // Clients that give up: before the body, right after the headers, and half-way through it.
    // The server's idle timeout (30 s) must not be what cleans up after them.
    const port = new URL(base).port;
    const abandon = (name: string, act: (req: ReturnType<typeof request>) => void) =>
      new Promise<void>((resolve) => {
        const req = request({
          host: '127.0.0.1',
          port,
          method: 'PUT',
          path: `/v1/agents/alice/${name}/1.0.0`,
          headers: { ...ALICE, 'x-content-sha256': '0'.repeat(64), 'content-length': 1 << 20 },
        });
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        act(req);
      });
    await abandon('immediate', (req) => {
      req.flushHeaders();
      req.destroy();
    });
    await abandon('headers', (req) => {
      req.flushHeaders();
      setTimeout(() => req.destroy(), 50);
    });
    await abandon('half', (req) => req.write(Buffer.alloc(64 << 10, 'a'), () => setTimeout(() => req.destroy(), 50)));
    // The aborted upload is cleaned up asynchronously: wait (bounded) for the server to notice.
    for (let i = 0; i < 60 && (await readdir(tmp)).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await readdir(tmp)).toEqual([]);
  });

  it('checks a sealed prompt through the lock: consistent containers are stored, a lock that lies about the prompt is refused', async () => {
    const { generateX25519Identity, packContainer } = await import('@agentlang/container');
    const { loadAgentFromFiles, sha256Tagged } = await import('@agentlang/manifest');
    const yaml = Buffer.from(
      'apiVersion: agent/v1\nname: sealed\nversion: 1.0.0\nruntime: test-echo\nprompt: ./prompt.yaml\n',
    );
    const prompt = Buffer.from('version: 2\nrole: user\nsections:\n  - name: mindset\n    content: Answer briefly.\n');
    const loaded = await loadAgentFromFiles({ 'agent.yaml': yaml, 'prompt.yaml': prompt }, { entry: 'agent.yaml' });
    const pack = async (promptDigest: string, out: string) => {
      await packContainer({
        agent: { name: 'sealed', version: '1.0.0', digest: loaded.digest, dialect: loaded.manifest.dialect },
        entry: 'agent.yaml',
        sources: [{ path: 'agent.yaml', bytes: yaml }],
        prompt,
        encryptTo: { recipients: [generateX25519Identity().recipient] },
        lock: Buffer.from(
          JSON.stringify({
            schema: 'agentlang.lock/v1',
            files: { 'agent.yaml': sha256Tagged(yaml), 'prompt.yaml': promptDigest },
          }),
        ),
        out: join(dir, out),
      });
      return (await import('node:fs/promises')).readFile(join(dir, out));
    };
    const lying = await put('/v1/agents/alice/sealed/1.0.0', await pack(`sha256:${'0'.repeat(64)}`, 'lying.agent'));
    expect(lying.status).toBe(400);
    expect(lying.json().error?.code).toBe('REGISTRY_INVALID_ARTIFACT');
    expect(lying.json().error?.message).toContain(`the signed index says ${loaded.digest}`);
    const honest = await put('/v1/agents/alice/sealed/1.0.0', await pack(sha256Tagged(prompt), 'honest.agent'));
    expect(honest.status).toBe(201);
    expect(honest.json()).toMatchObject({ kind: 'container', digest: loaded.digest });
  });

  it('refuses tool definitions with __proto__, duplicate keys or unknown fields, at any depth', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        '{"name":"t","version":"1.0.0","description":"d","inputSchema":{},"__proto__":{"polluted":true}}',
        /key "__proto__" at \(top\) is not allowed/,
      ],
      [
        '{"name":"t","version":"1.0.0","description":"d","inputSchema":{"properties":{"__proto__":{}}}}',
        /key "__proto__" at \/inputSchema\/properties is not allowed/,
      ],
      ['{"name":"t","version":"1.0.0","description":"d","description":"again","inputSchema":{}}', /duplicate key/],
      [
        '{"name":"t","version":"1.0.0","description":"d","inputSchema":{"type":"object","type":"string"}}',
        /duplicate key/,
      ],
      ['{"name":"t","version":"1.0.0","description":"d","inputSchema":{},"runAs":"root"}', /unknown field "runAs"/],
      [
        '{"name":"t","version":"1.0.0","description":"d","inputSchema":{},"outputSchema":[]}',
        /"outputSchema" is not a JSON Schema object/,
      ],
    ];
    for (const [json, message] of cases) {
      const res = await put('/v1/tools/alice/t/1.0.0', Buffer.from(json));
      expect(res.status, json).toBe(400);
      expect(res.json().error?.code).toBe('REGISTRY_INVALID_ARTIFACT');
      expect(res.json().error?.message).toMatch(message);
    }
    const ok = await put(
      '/v1/tools/alice/t/1.0.0',
      Buffer.from('{"name":"t","version":"1.0.0","description":"d","inputSchema":{"type":"object"}}'),
    );
    expect(ok.status).toBe(201);
  });
});
