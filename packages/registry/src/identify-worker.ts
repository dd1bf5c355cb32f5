// The worker thread in which the registry parses uploads (see identify-pool.ts): a hostile
// manifest can then cost at most this thread's bounded heap and time, never the event loop that
// answers every other request.
import { parentPort } from 'node:worker_threads';
import { RegistryError } from './errors.js';
import { identifyArtifact, identifyTool } from './identify.js';
import type { IdentifyJob, IdentifyReply } from './identify-pool.js';

parentPort?.on('message', (job: IdentifyJob) => {
  const work =
    job.namespace === 'tools'
      ? identifyTool(job.path)
      : identifyArtifact(job.path, new Uint8Array(job.head), job.signers.length > 0 ? { signers: job.signers } : {});
  work.then(
    (identity) => parentPort?.postMessage({ ok: true, identity } satisfies IdentifyReply),
    (error: unknown) => {
      const reply: IdentifyReply =
        error instanceof RegistryError
          ? { ok: false, code: error.code, message: error.message, details: error.details ?? null }
          : { ok: false, code: null, message: error instanceof Error ? error.message : String(error), details: null };
      parentPort?.postMessage(reply);
    },
  );
});
