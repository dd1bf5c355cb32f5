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
  /** Terminates the idle workers. */
  close(): Promise<void>;
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
 * Creates the pool. Jobs run in worker threads with a capped heap, young generation and stack,
 * and a deadline: a hostile upload that would take the process's memory (1 MiB of `[` once
 * crashed the server with three concurrent pushes) or time kills only its own worker and is
 * answered 400 `REGISTRY_TOO_COMPLEX`.
 */
export function createIdentifyPool(workerUrl: URL, limits: ParseLimits = {}): IdentifyPool {
  const concurrency = Math.max(1, limits.concurrency ?? 2);
  const maxQueued = Math.max(0, limits.maxQueued ?? 16);
  const heapMib = limits.heapMib ?? 128;
  const timeoutMs = limits.timeoutMs ?? 30_000;
  let running = 0;
  const waiting: Array<() => void> = [];

  const tooComplex = (why: string) =>
    new RegistryError(
      'REGISTRY_TOO_COMPLEX',
      `checking the upload ${why}; nothing was stored — an agent manifest, container or tool definition never needs that`,
      { details: { heapMib, timeoutMs } },
    );

  // Idle workers are kept (one per slot) so a push does not pay a worker's start-up; one that
  // failed, timed out or ran out of memory is terminated, never reused.
  const idle: Worker[] = [];
  const uses = new WeakMap<Worker, number>();

  function spawnWorker(): Worker {
    const worker = new Worker(workerUrl, {
      resourceLimits: { maxOldGenerationSizeMb: heapMib, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
      // Not the parent's flags (`-e`, `--max-old-space-size`): the worker has its own bounds.
      execArgv: [],
    });
    worker.unref();
    return worker;
  }

  function runInWorker(job: IdentifyJob): Promise<ArtifactIdentity> {
    return new Promise((resolve, reject) => {
      const worker = idle.pop() ?? spawnWorker();
      let settled = false;
      const finish = (reusable: boolean, fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        const used = (uses.get(worker) ?? 0) + 1;
        uses.set(worker, used);
        if (reusable && used < 100 && idle.length < concurrency) idle.push(worker);
        else void worker.terminate();
        fn();
      };
      const timer = setTimeout(
        () => finish(false, () => reject(tooComplex(`took longer than ${timeoutMs} ms`))),
        timeoutMs,
      );
      const onMessage = (reply: IdentifyReply) =>
        finish(true, () => {
          if (reply.ok) resolve(reply.identity);
          else if (reply.code)
            reject(new RegistryError(reply.code, reply.message, { details: reply.details ?? undefined }));
          else reject(new Error(reply.message));
        });
      const onError = (error: Error & { code?: string }) =>
        finish(false, () =>
          reject(
            error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? tooComplex(`needed more than ${heapMib} MiB of memory`) : error,
          ),
        );
      const onExit = (code: number) =>
        finish(false, () => reject(new Error(`the parsing worker exited with code ${code} before answering`)));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(job);
    });
  }

  return {
    async run(job) {
      if (running >= concurrency) {
        if (waiting.length >= maxQueued) {
          throw new RegistryError(
            'REGISTRY_BUSY',
            `the registry is checking ${running} uploads and ${waiting.length} more are waiting; retry in a few seconds`,
            { details: { running, waiting: waiting.length } },
          );
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
    async close() {
      await Promise.all(idle.splice(0).map((worker) => worker.terminate()));
    },
  };
}
