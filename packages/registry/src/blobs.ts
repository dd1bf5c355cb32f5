import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { RegistryError } from './errors.js';
import { corruptBlob } from './reply.js';
import type { EntryRecord, RegistryStorage } from './storage.js';

const SMALL_BLOB_BYTES = 1 << 20;
const CACHE_BUDGET_BYTES = 64 << 20;

/** Serves an entry's blob (GET/HEAD, with ETag), small ones from a verified in-memory cache. */
export type ServeBlob = (req: IncomingMessage, res: ServerResponse, record: EntryRecord) => Promise<void>;

/** Creates the blob server of one registry, with its own cache of small blobs. */
export function createBlobServer(storage: RegistryStorage): ServeBlob {
  const cache = new Map<string, Buffer>();
  let cacheBytes = 0;

  async function smallBlob(sha256: string, size: number): Promise<Buffer | undefined> {
    const hit = cache.get(sha256);
    if (hit) return hit;
    if (size > SMALL_BLOB_BYTES) return undefined;
    const bytes = await storage.readBlob(sha256);
    if (!bytes) return undefined;
    // Only the bytes the entry recorded are ever served: a blob changed on disk is refused, not sent.
    if (bytes.length !== size || createHash('sha256').update(bytes).digest('hex') !== sha256)
      throw corruptBlob(sha256, size, bytes.length);
    while (cacheBytes + bytes.length > CACHE_BUDGET_BYTES && cache.size > 0) {
      const oldest = cache.keys().next().value as string;
      cacheBytes -= cache.get(oldest)!.length;
      cache.delete(oldest);
    }
    cache.set(sha256, bytes);
    cacheBytes += bytes.length;
    return bytes;
  }

  return async function serveBlob(req, res, record) {
    const etag = `"sha256:${record.sha256}"`;
    const headers = {
      'content-type': record.mediaType,
      'content-length': record.size,
      etag,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-sha256': record.sha256,
      'x-agentlang-digest': record.digest,
      'x-agentlang-kind': record.kind,
      'x-agentlang-name': record.name,
      'x-agentlang-version': record.version,
      'x-agentlang-tenant': record.tenant,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    const small = await smallBlob(record.sha256, record.size);
    if (small) {
      res.writeHead(200, headers);
      res.end(small);
      return;
    }
    await streamBlob(storage, res, record, headers);
  };
}

/** Streams a large blob: exactly its recorded size, or a reset. */
async function streamBlob(
  storage: RegistryStorage,
  res: ServerResponse,
  record: EntryRecord,
  headers: Record<string, string | number>,
): Promise<void> {
  const blob = await storage.openBlob(record.sha256, { length: record.size });
  if (!blob)
    throw new RegistryError(
      'REGISTRY_STORAGE',
      `blob sha256:${record.sha256} of ${record.tenant}/${record.name}@${record.version} is missing from storage`,
    );
  if (blob.size !== record.size) {
    blob.stream.destroy();
    throw corruptBlob(record.sha256, record.size, blob.size);
  }
  res.writeHead(200, headers);
  // Exactly Content-Length bytes (the stream is cut at the recorded size), or a reset: a response
  // longer than its header would be read as the start of the next one on a keep-alive connection.
  let sent = 0;
  blob.stream.on('data', (chunk: Buffer) => {
    sent += chunk.length;
  });
  await pipeline(blob.stream, res).catch(() => res.destroy());
  if (sent !== record.size) res.destroy();
}
