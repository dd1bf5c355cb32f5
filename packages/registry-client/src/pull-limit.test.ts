// Issue 9 item 12: a hostile server must not fill the disk through `pull`. Real HTTP servers on
// 127.0.0.1 that stream past what they declare (or declare nothing, or too much), bounded to a few
// MiB by a lowered limit; the pull must stop early and leave nothing in the output directory.
import { readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTempDir, rejectedWith } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from './client.js';
import { RegistryClientError } from './errors.js';
import { OCI_ANNOTATIONS, OCI_ARTIFACT_TYPE, OCI_MANIFEST_MEDIA_TYPE, pullOci } from './oci.js';

const MIB = 1 << 20;
const SHA = 'a'.repeat(64);

/** Streams `a` bytes in 64 KiB chunks until `limit` or until the client hangs up; counts what it sent. */
function flood(res: ServerResponse, limit: number, sent: { bytes: number }): void {
  const chunk = Buffer.alloc(64 << 10, 'a');
  const next = () => {
    while (sent.bytes < limit && !res.destroyed) {
      sent.bytes += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', next);
    }
    if (!res.destroyed) res.end();
  };
  next();
}

describe('pull against a hostile server', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const sent = { bytes: 0 };

  beforeAll(async () => {
    dir = makeTempDir('agentlang-pull-limit-');
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? '';
      if (path === '/v1/agents/alice/chunked/1.0.0') {
        // No Content-Length at all: a body without end (16 MiB here, 5.6 GB in the wild).
        res.writeHead(200, { 'x-content-sha256': SHA, 'content-type': 'application/octet-stream' });
        return flood(res, 16 * MIB, sent);
      }
      if (path === '/v1/agents/alice/huge/1.0.0') {
        res.writeHead(200, { 'x-content-sha256': SHA, 'content-length': 8 * 1024 * MIB });
        return flood(res, 4 * MIB, sent);
      }
      const manifest = (size: number) =>
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST_MEDIA_TYPE,
          artifactType: OCI_ARTIFACT_TYPE,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${SHA}`, size: 2 },
          layers: [{ mediaType: 'application/vnd.agentlang.manifest.v1+yaml', digest: `sha256:${SHA}`, size }],
          annotations: {
            [OCI_ANNOTATIONS.name]: 'demo',
            [OCI_ANNOTATIONS.agentVersion]: '1.0.0',
            [OCI_ANNOTATIONS.digest]: `ag1:${SHA}`,
            [OCI_ANNOTATIONS.kind]: 'manifest',
          },
        });
      if (path === '/v2/agents/liar/manifests/1.0.0') {
        // The descriptor says 100 bytes; the blob streams on.
        res.writeHead(200, { 'content-type': OCI_MANIFEST_MEDIA_TYPE });
        return void res.end(manifest(100));
      }
      if (path === '/v2/agents/giant/manifests/1.0.0') {
        res.writeHead(200, { 'content-type': OCI_MANIFEST_MEDIA_TYPE });
        return void res.end(manifest(8 * 1024 * MIB));
      }
      if (path.startsWith('/v2/agents/') && path.includes('/blobs/')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return flood(res, 4 * MIB, sent);
      }
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const client = () => new RegistryClient({ url: base, retry: { retries: 0 } });

  it('cuts off a body that declares no size at the pull limit, and leaves no .partial behind', async () => {
    sent.bytes = 0;
    const error = await rejectedWith(
      RegistryClientError,
      client().pull('alice/chunked@1.0.0', { cwd: dir, maxBytes: MIB }),
    );
    expect(error.code).toBe('REGISTRY_TOO_LARGE');
    expect(error.message).toContain('more than the pull limit of 1048576 bytes');
    expect(await readdir(dir)).toEqual([]);
    // The client hung up early: the server could not push all it meant to (socket buffers aside).
    expect(sent.bytes).toBeLessThan(16 * MIB);
  });

  it('refuses a declared size over the limit before writing anything', async () => {
    sent.bytes = 0;
    const error = await rejectedWith(
      RegistryClientError,
      client().pull('alice/huge@1.0.0', { cwd: dir, maxBytes: MIB }),
    );
    expect(error.code).toBe('REGISTRY_TOO_LARGE');
    expect(error.message).toContain(`declares ${8 * 1024 * MIB} bytes`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('OCI: cuts off a layer that streams past its descriptor, and refuses descriptors over the limit', async () => {
    sent.bytes = 0;
    const liar = await rejectedWith(
      RegistryClientError,
      pullOci(`oci://${base.slice(7)}/agents/liar:1.0.0`, { cwd: dir, maxBytes: MIB, retry: { retries: 0 } }),
    );
    expect(liar.code).toBe('REGISTRY_TOO_LARGE');
    expect(liar.message).toContain("streams more than its descriptor's 100 bytes");
    const giant = await rejectedWith(
      RegistryClientError,
      pullOci(`oci://${base.slice(7)}/agents/giant:1.0.0`, { cwd: dir, maxBytes: MIB, retry: { retries: 0 } }),
    );
    expect(giant.code).toBe('REGISTRY_TOO_LARGE');
    expect(await readdir(dir)).toEqual([]);
  });
});
