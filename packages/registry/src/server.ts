import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBlobServer } from './blobs.js';
import { RegistryError } from './errors.js';
import { type IdentifyArtifact, identifyTool } from './identify.js';
import { createIdentifyPool, findIdentifyWorker, type IdentifyPool, type ParseLimits } from './identify-pool.js';
import type { KeyStore } from './keys.js';
import { sendError } from './reply.js';
import { type RouteContext, route } from './routes.js';
import type { RegistryStorage } from './storage.js';

export { REGISTRY_API_VERSION } from './routes.js';

/** Options of {@link createRegistryServer}. */
export interface RegistryServerOptions {
  storage: RegistryStorage;
  keys: KeyStore;
  /** Largest upload in bytes (default 512 MiB). */
  maxUploadBytes?: number;
  /** Longest silence between upload chunks in ms (default 30 s). */
  uploadIdleTimeoutMs?: number;
  /** Longest whole upload in ms (default 10 min). */
  uploadTimeoutMs?: number;
  /**
   * Parses uploads in-process instead of the default: {@link identifyArtifact} in a bounded worker
   * thread (see `parse`). A custom identifier runs on the event loop, under the same concurrency bound.
   */
  identify?: IdentifyArtifact;
  /** Bounds on parsing uploads: concurrency, queue, worker heap and deadline. */
  parse?: ParseLimits;
  /** Receives a line when an upload's check starts, one per push and one per server error (with the full reason, which clients never see). */
  log?: (line: string) => void;
}

/** A running registry: the `node:http` server and its address. */
export interface RegistryServer {
  server: Server;
  /** Starts listening; resolves with the base URL (`http://127.0.0.1:8765`). */
  listen(port: number, host?: string): Promise<string>;
  /** Stops accepting connections and closes idle ones. */
  close(): Promise<void>;
}

/** Creates the registry HTTP server (see the package README for the API). */
export function createRegistryServer(options: RegistryServerOptions): RegistryServer {
  const { storage, keys } = options;
  const pool = createPool(options);
  const log = options.log ?? (() => {});
  const context: RouteContext = {
    storage,
    keys,
    pool,
    limits: {
      maxBytes: options.maxUploadBytes ?? 512 << 20,
      idleTimeoutMs: options.uploadIdleTimeoutMs ?? 30_000,
      totalTimeoutMs: options.uploadTimeoutMs ?? 600_000,
    },
    log,
    serveBlob: createBlobServer(storage),
  };

  const server = createServer((req, res) => {
    route(context, req, res).catch((error: unknown) => {
      if (error instanceof RegistryError && error.code !== 'REGISTRY_STORAGE') {
        sendError(req, res, error);
        return;
      }
      // The full reason (paths of the data directory, errno) goes to the server log only.
      log(`error ${req.method} ${req.url}: ${error instanceof Error ? error.message : String(error)}`);
      if (res.destroyed || res.writableEnded) return;
      sendError(
        req,
        res,
        new RegistryError(
          'REGISTRY_STORAGE',
          'the registry failed to read or write its storage; the server log has the details',
          { cause: error },
        ),
      );
    });
  });
  server.keepAliveTimeout = 5_000;

  return {
    server,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shown}:${address.port}`);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => void pool.close().then(() => resolve()));
        server.closeIdleConnections();
      });
    },
  };
}

/** The identifier: the worker pool by default, or the caller's own function in-process. */
function createPool(options: RegistryServerOptions): IdentifyPool {
  const custom = options.identify;
  if (custom) {
    // Same concurrency bound, on the event loop: the caller chose to parse in-process.
    let tail: Promise<unknown> = Promise.resolve();
    return {
      async close() {},
      run(job) {
        const result = tail.then(() =>
          job.namespace === 'tools'
            ? identifyTool(job.path)
            : custom(job.path, job.head, job.signers.length > 0 ? { signers: job.signers } : {}),
        );
        tail = result.catch(() => {});
        return result;
      },
    };
  }
  const worker = findIdentifyWorker();
  if (!worker) {
    throw new RegistryError(
      'REGISTRY_CONFIG',
      'the upload-parsing worker (identify-worker.js) is missing beside @agentlang/registry; build the package (`pnpm --filter @agentlang/registry build`)',
    );
  }
  return createIdentifyPool(worker, options.parse);
}
