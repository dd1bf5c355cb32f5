import { ManifestError } from './errors.js';
import type { LoadedAgent, LoadFromFilesOptions, LoadOptions, SafeLoadResult } from './load-types.js';

/** Loads an agent from a directory holding agent.yaml or a YAML manifest file of either dialect; throws ManifestError. */
export async function loadAgent(path: string, options: LoadOptions = {}): Promise<LoadedAgent> {
  void path;
  void options;
  throw new ManifestError('MANIFEST_IO', 'not implemented');
}

/** Like {@link loadAgent} but returns `{ ok, agent }` or `{ ok: false, error }` instead of throwing ManifestError. */
export async function safeLoadAgent(path: string, options: LoadOptions = {}): Promise<SafeLoadResult> {
  try {
    return { ok: true, agent: await loadAgent(path, options) };
  } catch (error) {
    if (error instanceof ManifestError) return { ok: false, error };
    throw error;
  }
}

/** Loads an agent from in-memory files keyed by relative path (e.g. an unpacked container). */
export async function loadAgentFromFiles(files: Record<string, Uint8Array>, options: LoadFromFilesOptions = {}): Promise<LoadedAgent> {
  void files;
  void options;
  throw new ManifestError('MANIFEST_IO', 'not implemented');
}
