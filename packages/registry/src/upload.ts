import { createHash } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { RegistryError } from './errors.js';

/** Limits applied while an upload streams in. */
export interface UploadLimits {
  /** Largest body accepted, in bytes; exceeding it while streaming answers 413. */
  maxBytes: number;
  /** Longest silence between two chunks, in ms; exceeding it answers 408. */
  idleTimeoutMs: number;
  /** Longest whole upload, in ms; exceeding it answers 408. */
  totalTimeoutMs: number;
}

/** What was received: the sha256 (hex) and size of the bytes now fsynced at the staging path, and their first 512 bytes. */
export interface ReceivedUpload {
  sha256: string;
  size: number;
  head: Buffer;
}

/**
 * Streams a request body into `path` (created exclusively), hashing and counting as it goes,
 * enforcing size and time limits before the bytes reach the disk, then fsyncs the file.
 * On any failure the file is removed and a RegistryError (413, 408) or the socket error is thrown.
 */
export function receiveUpload(req: IncomingMessage, path: string, limits: UploadLimits): Promise<ReceivedUpload> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const headChunks: Buffer[] = [];
    let headSize = 0;
    let size = 0;
    let settled = false;
    let ended = false;
    let writing: Promise<unknown> = Promise.resolve();
    const handlePromise = open(path, 'wx', 0o644);

    const cleanup = async () => {
      clearTimeout(idle);
      clearTimeout(total);
      req.off('data', onData);
      const handle = await handlePromise.catch(() => undefined);
      await writing.catch(() => {});
      await handle?.close().catch(() => {});
      await unlink(path).catch(() => {});
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      req.pause();
      void cleanup().then(() => reject(error));
    };
    const timeout = (what: string, ms: number) => () =>
      fail(
        new RegistryError(
          'REGISTRY_TIMEOUT',
          `upload ${what} after ${ms} ms (${size} bytes received); retry on a faster link or raise the server's upload timeout`,
          { details: { receivedBytes: size, timeoutMs: ms } },
        ),
      );
    let idle = setTimeout(timeout('stalled', limits.idleTimeoutMs), limits.idleTimeoutMs);
    const total = setTimeout(timeout('took too long', limits.totalTimeoutMs), limits.totalTimeoutMs);

    const onData = (chunk: Buffer) => {
      if (settled) return;
      clearTimeout(idle);
      idle = setTimeout(timeout('stalled', limits.idleTimeoutMs), limits.idleTimeoutMs);
      size += chunk.length;
      if (size > limits.maxBytes) {
        fail(
          new RegistryError(
            'REGISTRY_TOO_LARGE',
            `upload exceeds the limit of ${limits.maxBytes} bytes (${size} bytes received so far); nothing was stored`,
            { details: { limitBytes: limits.maxBytes, receivedBytes: size } },
          ),
        );
        return;
      }
      hash.update(chunk);
      if (headSize < 512) {
        headChunks.push(chunk.subarray(0, 512 - headSize));
        headSize += Math.min(chunk.length, 512 - headSize);
      }
      req.pause();
      // Chained, so writes land in arrival order even if a chunk slips in before the pause takes.
      writing = writing
        .then(() => handlePromise)
        .then((handle) => handle.write(chunk))
        .then(() => {
          if (!settled && !ended) req.resume();
        }, fail);
    };
    req.on('data', onData);
    req.once('aborted', () => fail(new Error('client aborted the upload')));
    req.once('error', fail);
    // A client that went away before these listeners were attached (while the server checked keys
    // and versions) sends no further event: without this its staging file would wait for the idle timeout.
    const gone = () => {
      if (!req.complete) fail(new Error('client closed the connection before the upload ended'));
    };
    req.once('close', gone);
    if (req.destroyed || req.readableAborted) gone();
    req.once('end', () => {
      ended = true;
      void (async () => {
        try {
          await writing;
          const handle = await handlePromise;
          await handle.sync();
          await handle.close();
          if (settled) return;
          settled = true;
          clearTimeout(idle);
          clearTimeout(total);
          resolve({ sha256: hash.digest('hex'), size, head: Buffer.concat(headChunks) });
        } catch (error) {
          fail(error);
        }
      })();
    });
    handlePromise.catch(fail);
  });
}
