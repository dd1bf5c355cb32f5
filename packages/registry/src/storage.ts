import type { Readable } from 'node:stream';

/** What kind of artifact a registry entry holds. */
export type ArtifactKind = 'manifest' | 'container' | 'tool';

/** The media type of each artifact kind, as served in `Content-Type`. */
export const ARTIFACT_MEDIA_TYPES: Record<ArtifactKind, string> = {
  manifest: 'application/vnd.agentlang.manifest.v1+yaml',
  container: 'application/vnd.agentlang.container.v1+tar',
  tool: 'application/vnd.agentlang.tool.v1+json',
};

/** Agents (manifests, containers) and tool definitions live in separate namespaces. */
export type EntryNamespace = 'agents' | 'tools';

/** The namespace an artifact kind belongs to. */
export function namespaceOf(kind: ArtifactKind): EntryNamespace {
  return kind === 'tool' ? 'tools' : 'agents';
}

/** One immutable version: `<tenant>/<name>@<version>` (format `agentlang.registry.entry/v1`). */
export interface EntryRecord {
  schema: 'agentlang.registry.entry/v1';
  tenant: string;
  name: string;
  version: string;
  kind: ArtifactKind;
  mediaType: string;
  /** Lower-case hex sha256 of the stored bytes (the blob's address). */
  sha256: string;
  size: number;
  /** The agent's `ag1:` content digest; for a tool, `sha256:` of its RFC 8785 canonical JSON (the resolver's integrity). */
  digest: string;
  description?: string;
  /** ISO-8601 time of the first successful push. */
  pushedAt: string;
}

/** Outcome of {@link RegistryStorage.createEntry}: created, or the record that already held the version. */
export type CreateEntryResult = { created: true; record: EntryRecord } | { created: false; record: EntryRecord };

/**
 * Where a registry keeps its blobs and entries. The embedded default is a directory
 * ({@link DirectoryStorage}); a deployment can provide another implementation.
 * Implementations must make `createEntry` atomic (exactly one of N concurrent creators wins)
 * and must never expose a partially written blob or entry.
 */
export interface RegistryStorage {
  /** A fresh local path on which the server may spool an upload before {@link putBlob}. */
  stagingPath(): string;
  /** Moves a fully written, fsynced staged file into the blob store under its sha256 (hex). */
  putBlob(sha256: string, stagedPath: string): Promise<void>;
  /**
   * Opens a blob for reading, or undefined when absent. `size` is its current size in storage;
   * with `length`, the stream ends after at most that many bytes (whatever the blob holds now).
   */
  openBlob(
    sha256: string,
    options?: { highWaterMark?: number; length?: number },
  ): Promise<{ stream: Readable; size: number } | undefined>;
  /** Reads a whole blob into memory (small blobs), or undefined when absent. */
  readBlob(sha256: string): Promise<Buffer | undefined>;
  /** Atomically creates an entry (in the namespace of its kind) unless the version exists; then returns the existing record. */
  createEntry(record: EntryRecord): Promise<CreateEntryResult>;
  /** The entry of one version in a namespace (default `agents`), or undefined. */
  getEntry(tenant: string, name: string, version: string, namespace?: EntryNamespace): Promise<EntryRecord | undefined>;
  /** Every entry (for listing and search). */
  listEntries(): Promise<EntryRecord[]>;
}
