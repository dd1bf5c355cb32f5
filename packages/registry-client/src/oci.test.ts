import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { demoAgent, ed25519Hex, makeTempDir } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCI_ARTIFACT_TYPE, pullOci, pushOci } from './oci.js';
import { makeContainer } from './test-support.js';

const REGISTRY_BIN = '/usr/bin/docker-registry';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts Debian's docker-registry (distribution v2) on loopback with filesystem storage in a temp dir. */
async function startDistribution(dir: string): Promise<{ host: string; root: string; child: ChildProcess }> {
  if (!existsSync(REGISTRY_BIN))
    throw new Error(`${REGISTRY_BIN} is missing: apt-get install docker-registry (scripts/setup.sh installs it)`);
  const port = await freePort();
  const root = join(dir, 'oci-storage');
  const config = join(dir, 'registry.yml');
  await writeFile(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${root}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      if (res.status === 200) return { host: `127.0.0.1:${port}`, root, child };
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not start on 127.0.0.1:${port}: ${stderr}`);
}

function skopeo(args: string[]): string {
  return execFileSync('skopeo', args, { encoding: 'utf8', timeout: 60_000 });
}

describe('OCI distribution against a real docker-registry, checked with skopeo', () => {
  let dir: string;
  let oci: { host: string; root: string; child: ChildProcess };

  beforeAll(async () => {
    dir = makeTempDir('agentlang-oci-');
    oci = await startDistribution(dir);
  });
  afterAll(() => {
    oci?.child.kill('SIGTERM');
  });

  it('pushes a signed container as an artifact with one titled layer per entry, which skopeo inspects and copies', async () => {
    const key = ed25519Hex();
    const c = await makeContainer(dir, { name: 'demo', version: '0.1.0', contextBytes: 300_000, signingKey: key.seed });
    const pushed = await pushOci(c.path, `oci://${oci.host}/agents/demo:0.1.0`);
    expect(pushed).toMatchObject({ name: 'demo', version: '0.1.0', kind: 'container', digest: c.digest });

    const inspected = JSON.parse(
      skopeo(['inspect', '--tls-verify=false', `docker://${oci.host}/agents/demo:0.1.0`]),
    ) as { Digest: string; Labels: Record<string, string>; Layers: string[] };
    expect(inspected.Digest).toBe(pushed.manifestDigest);
    expect(inspected.Labels).toMatchObject({
      'dev.agentlang.name': 'demo',
      'dev.agentlang.version': '0.1.0',
      'dev.agentlang.digest': c.digest,
    });
    const raw = JSON.parse(
      skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${oci.host}/agents/demo:0.1.0`]),
    ) as {
      artifactType: string;
      layers: Array<{ mediaType: string; annotations: Record<string, string> }>;
      annotations: Record<string, string>;
    };
    expect(raw.artifactType).toBe(OCI_ARTIFACT_TYPE);
    expect(raw.layers.map((l) => l.annotations['org.opencontainers.image.title'])).toEqual([
      'manifest.json',
      'signature.sig',
      'agent.yaml',
      'agent.lock',
      'context/data/blob.bin',
      'context/notes.md',
    ]);
    expect(raw.layers[0]!.mediaType).toBe('application/vnd.agentlang.container.index.v1+json');
    expect(raw.annotations['dev.agentlang.container.sha256']).toBe(`sha256:${c.sha256}`);

    const layout = join(dir, 'layout');
    skopeo(['copy', '--src-tls-verify=false', `docker://${oci.host}/agents/demo:0.1.0`, `oci:${layout}:demo`]);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string }>;
    };
    expect(index.manifests[0]!.digest).toBe(pushed.manifestDigest);
    expect((await readdir(join(layout, 'blobs/sha256'))).length).toBe(raw.layers.length + 2);

    const pulled = await pullOci(`oci://${oci.host}/agents/demo:0.1.0`, {
      cwd: dir,
      out: 'pulled.agent',
      publicKeys: [key.publicKey],
    });
    expect(pulled).toMatchObject({
      name: 'demo',
      version: '0.1.0',
      kind: 'container',
      digest: c.digest,
      manifestDigest: pushed.manifestDigest,
    });
    expect((await readFile(join(dir, 'pulled.agent'))).equals(c.bytes)).toBe(true);
    await pullOci(`oci://${oci.host}/agents/demo@${pushed.manifestDigest}`, { cwd: dir, out: 'by-digest.agent' });
    expect((await readFile(join(dir, 'by-digest.agent'))).equals(c.bytes)).toBe(true);
  });

  it('pushes a YAML manifest as a one-layer artifact and pulls it back', async () => {
    await writeFile(join(dir, 'demo.agent'), demoAgent({ name: 'yaml-demo', version: '1.2.3' }));
    const pushed = await pushOci(join(dir, 'demo.agent'), `oci://${oci.host}/agents/yaml-demo:1.2.3`);
    expect(pushed).toMatchObject({ kind: 'manifest', layers: 1 });
    const pulled = await pullOci(`oci://${oci.host}/agents/yaml-demo:1.2.3`, { cwd: dir, out: 'yaml-pulled.agent' });
    expect(pulled.digest).toBe(pushed.digest);
    expect(await readFile(join(dir, 'yaml-pulled.agent'), 'utf8')).toBe(
      demoAgent({ name: 'yaml-demo', version: '1.2.3' }),
    );
  });

  it('refuses a pull whose layer was tampered with inside the registry, writing nothing', async () => {
    const c = await makeContainer(dir, { name: 'victim', version: '0.1.0', contextBytes: 1000 });
    await pushOci(c.path, `oci://${oci.host}/agents/victim:0.1.0`);
    const raw = JSON.parse(
      skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${oci.host}/agents/victim:0.1.0`]),
    ) as { layers: Array<{ digest: string; annotations: Record<string, string> }> };
    const target = raw.layers.find((l) => l.annotations['org.opencontainers.image.title'] === 'agent.yaml')!;
    const hex = target.digest.slice(7);
    const blobFile = join(oci.root, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const original = await readFile(blobFile, 'utf8');
    await writeFile(blobFile, original.replace('demo-agent', 'evil-agent'));
    const out = join(dir, 'victim.agent');
    await expect(pullOci(`oci://${oci.host}/agents/victim:0.1.0`, { cwd: dir, out })).rejects.toMatchObject({
      code: 'REGISTRY_DIGEST_MISMATCH',
    });
    expect(existsSync(out)).toBe(false);
    expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});

describe('OCI token authentication (WWW-Authenticate: Bearer realm=…) and blob redirects', () => {
  let dir: string;
  let oci: { host: string; root: string; child: ChildProcess };
  let proxy: import('node:http').Server;
  let proxyHost: string;
  const tokenRequests: Array<{ scope: string | null; basic: string | undefined }> = [];
  const cdnRequests: Array<{ path: string; authorization: string | undefined }> = [];
  let cdn: import('node:http').Server;
  let cdnHost: string;

  beforeAll(async () => {
    dir = makeTempDir('agentlang-oci-auth-');
    oci = await startDistribution(dir);
    const { createServer: createHttpServer, request } = await import('node:http');
    // Object storage / CDN that blob GETs are redirected to (as GHCR and ECR do): serves the
    // distribution's stored blob by digest and records whether credentials leaked to it.
    cdn = createHttpServer(async (req, res) => {
      cdnRequests.push({ path: req.url ?? '', authorization: req.headers.authorization });
      const hex = /^\/cdn\/([0-9a-f]{64})\?sig=ok$/.exec(req.url ?? '')?.[1];
      if (!hex) {
        res.writeHead(403);
        res.end();
        return;
      }
      const bytes = await readFile(join(oci.root, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data'));
      res.writeHead(200, { 'content-length': bytes.length });
      res.end(bytes);
    });
    await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', resolve));
    cdnHost = `127.0.0.1:${(cdn.address() as { port: number }).port}`;
    // A token-auth front like GHCR's: /token trades Basic credentials for a bearer token; every
    // /v2 request without a valid token gets a 401 challenge naming the realm.
    proxy = createHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', `http://${proxyHost}`);
      if (url.pathname === '/token') {
        tokenRequests.push({ scope: url.searchParams.get('scope'), basic: req.headers.authorization });
        if (req.headers.authorization !== `Basic ${Buffer.from('ci-bot:s3cret').toString('base64')}`) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: 'granted-token' }));
        return;
      }
      if (req.headers.authorization !== 'Bearer granted-token') {
        const repo = /^\/v2\/(.+?)\/(?:blobs|manifests)\//.exec(url.pathname)?.[1] ?? '';
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="http://${proxyHost}/token",service="test",scope="repository:${repo}:pull,push"`,
          'content-type': 'application/json',
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
      const blobGet = req.method === 'GET' ? /^\/v2\/.+\/blobs\/sha256:([0-9a-f]{64})$/.exec(url.pathname) : null;
      if (blobGet) {
        res.writeHead(307, { location: `http://${cdnHost}/cdn/${blobGet[1]}?sig=ok` });
        res.end();
        return;
      }
      const headers = { ...req.headers, host: oci.host };
      delete headers.authorization;
      const upstream = request(
        { host: '127.0.0.1', port: Number(oci.host.split(':')[1]), method: req.method, path: req.url, headers },
        (up) => {
          const out = { ...up.headers };
          if (typeof out.location === 'string')
            out.location = out.location.replace(`http://${oci.host}`, `http://${proxyHost}`);
          res.writeHead(up.statusCode ?? 502, out);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyHost = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    oci?.child.kill('SIGTERM');
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await new Promise<void>((resolve) => cdn.close(() => resolve()));
  });

  it('trades credentials for a bearer token, then pushes and pulls', async () => {
    const c = await makeContainer(dir, { name: 'private-agent', version: '1.0.0' });
    const pushed = await pushOci(c.path, `oci://${proxyHost}/acme/private-agent:1.0.0`, {
      username: 'ci-bot',
      password: 's3cret',
    });
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests[0]).toEqual({
      scope: 'repository:acme/private-agent:pull,push',
      basic: `Basic ${Buffer.from('ci-bot:s3cret').toString('base64')}`,
    });
    const pulled = await pullOci(`oci://${proxyHost}/acme/private-agent:1.0.0`, {
      cwd: dir,
      out: 'private.agent',
      username: 'ci-bot',
      password: 's3cret',
    });
    expect(pulled.manifestDigest).toBe(pushed.manifestDigest);
    expect((await readFile(join(dir, 'private.agent'))).equals(c.bytes)).toBe(true);
    await pullOci(`oci://${proxyHost}/acme/private-agent:1.0.0`, {
      cwd: dir,
      out: 'with-token.agent',
      token: 'granted-token',
    });
  });

  it('follows blob redirects to another origin without sending it the credentials', () => {
    expect(cdnRequests.length).toBeGreaterThan(0);
    expect(cdnRequests.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('fails with the way to pass credentials when the token service refuses', async () => {
    const error = await pullOci(`oci://${proxyHost}/acme/private-agent:1.0.0`, { cwd: dir, out: 'nope.agent' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'REGISTRY_OCI' });
    expect((error as Error).message).toContain('AGENTLANG_OCI_USERNAME');
    expect(existsSync(join(dir, 'nope.agent'))).toBe(false);
  });
});
