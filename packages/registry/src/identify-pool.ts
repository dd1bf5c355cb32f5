import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { RegistryError, type RegistryErrorCode } from './errors.js';
import type { ArtifactIdentity } from './identify.js';
import type { EntryNamespace } from './storage.js';

/** One upload to identify, as sent to the worker. */
export interface IdentifyJob {
  namespace: EntryNamespace;
  /** The staged upload. */
  path: string;
  /** Its first bytes (for sniffing). */
  head: Uint8Array;
  /** Publisher keys the tenant requires (hex), or none. */
  signers: string[];
}

/** The worker's answer. */
export type IdentifyReply =
  | { ok: true; identity: ArtifactIdentity }
  | { ok: false; code: RegistryErrorCode | null; message: string; details: Record<string, unknown> | null };

/** Bounds on parsing uploads (see {@link createIdentifyPool}). */
export interface ParseLimits {
  /** Uploads parsed at the same time (default 2). */
  concurrency?: number;
  /** Uploads waiting for a parsing slot before a push is answered 503 `REGISTRY_BUSY` (default 16). */
  maxQueued?: number;
  /** Heap of each parsing worker, in MiB (default 128). */
  heapMib?: number;
  /** Longest parse, in ms (default 30 s). */
  timeoutMs?: number;
}

/** Runs identification jobs in bounded worker threads, a bounded number at a time. */
export interface IdentifyPool {
  run(job: IdentifyJob): Promise<ArtifactIdentity>;
}

/** Finds the built worker beside this module (dist/), beside the CLI bundle, or from src/ in tests. */
export function findIdentifyWorker(): URL | undefined {
  for (const rel of ['./identify-worker.js', './identify-worker.mjs', '../dist/identify-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(url)) return url;
  }
  return undefined;
}

/**
 * Creates the pool. Each job gets a fresh worker thread with a capped heap, young generation and
 * stack, and a deadline: a hostile upload that would take the process's memory (1 MiB of `[`
 * once crashed the server with three concurrent pushes) or time kills only its own worker and is
 * answered 400 `REGISTRY_TOO_COMPLEX`. A worker per job keeps one job's garbage out of the next.
 */
export function createIdentifyPool(workerUrl: URL, limits: ParseLimits = {}): IdentifyPool {
  const concurrency = Math.max(1, limits.concurrency ?? 2);
  const maxQueued = Math.max(0, limits.maxQueued ?? 16);
  const heapMib = limits.heapMib ?? 128;
  const timeoutMs = limits.timeoutMs ?? 30_000;
  let running = 0;
  const waiting: Array<() => void> = [];

  const tooComplex = (why: string) =>
    new RegistryError('REGISTRY_TOO_COMPLEX', `checking the upload ${why}; nothing was stored — an agent manifest, container or tool definition never needs that`, { heapMib, timeoutMs });

  function runInWorker(job: IdentifyJob): Promise<ArtifactIdentity> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(workerUrl, {
        resourceLimits: { maxOldGenerationSizeMb: heapMib, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
        // Not the parent's flags (`-e`, `--max-old-space-size`): the worker has its own bounds.
        execArgv: [],
      });
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
        void worker.terminate();
      };
      const timer = setTimeout(() => finish(() => reject(tooComplex(`took longer than ${timeoutMs} ms`))), timeoutMs);
      worker.once('message', (reply: IdentifyReply) =>
        finish(() => {
          if (reply.ok) resolve(reply.identity);
          else if (reply.code) reject(new RegistryError(reply.code, reply.message, reply.details ?? undefined));
          else reject(new Error(reply.message));
        }),
      );
      worker.once('error', (error: Error & { code?: string }) =>
        finish(() => reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? tooComplex(`needed more than ${heapMib} MiB of memory`) : error)),
      );
      worker.once('exit', (code) => finish(() => reject(new Error(`the parsing worker exited with code ${code} before answering`))));
      worker.postMessage(job);
    });
  }

  return {
    async run(job) {
      if (running >= concurrency) {
        if (waiting.length >= maxQueued) {
          throw new RegistryError('REGISTRY_BUSY', `the registry is checking ${running} uploads and ${waiting.length} more are waiting; retry in a few seconds`, { running, waiting: waiting.length });
        }
        // The slot is handed over by the job that finishes (running is not decremented then).
        await new Promise<void>((wake) => waiting.push(wake));
      } else running++;
      try {
        return await runInWorker(job);
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running--;
      }
    },
  };
}
