import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError } from './errors.js';
import {
  type CreateEntryResult,
  type EntryNamespace,
  type EntryRecord,
  namespaceOf,
  type RegistryStorage,
} from './storage.js';

const HEX64 = /^[0-9a-f]{64}$/;

function keyOf(namespace: EntryNamespace, tenant: string, name: string, version: string): string {
  return `${namespace}:${tenant}/${name}@${version}`;
}

/** fsyncs a directory so a rename or link inside it survives a crash. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes bytes to `path` and fsyncs the file (not the directory). */
async function writeSynced(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function storageError(operation: string, path: string, cause: unknown): RegistryError {
  return new RegistryError('REGISTRY_STORAGE', `storage failed to ${operation} ${path}: ${(cause as Error).message}`, {
    details: { operation, path },
    cause,
  });
}

/**
 * The embedded storage: a directory laid out as `blobs/sha256/<2 hex>/<64 hex>`,
 * `entries/<tenant>/<name>/<version>.json` (agents), `tools/<tenant>/<name>/<version>.json` and `tmp/` (staging, emptied on open). Every write is
 * temp file → fsync → rename/link → directory fsync, so a crash leaves only complete files.
 */
export class DirectoryStorage implements RegistryStorage {
  readonly root: string;
  private readonly entries = new Map<string, EntryRecord>();

  private constructor(root: string) {
    this.root = root;
  }

  /** Opens (creating if needed) a storage directory, removes stale staging files and loads the entries. */
  static async open(root: string): Promise<DirectoryStorage> {
    const storage = new DirectoryStorage(root);
    try {
      await rm(join(root, 'tmp'), { recursive: true, force: true });
      for (const dir of ['tmp', 'blobs/sha256', 'entries', 'tools']) await mkdir(join(root, dir), { recursive: true });
    } catch (cause) {
      throw storageError('prepare', root, cause);
    }
    await storage.loadEntries();
    return storage;
  }

  private async loadEntries(): Promise<void> {
    for (const namespace of ['entries', 'tools']) await this.loadNamespace(join(this.root, namespace));
  }

  private async loadNamespace(base: string): Promise<void> {
    for (const tenant of await readdir(base)) {
      for (const name of await readdir(join(base, tenant)).catch(() => [] as string[])) {
        for (const file of await readdir(join(base, tenant, name)).catch(() => [] as string[])) {
          if (!file.endsWith('.json')) continue;
          try {
            const record = JSON.parse(await readFile(join(base, tenant, name, file), 'utf8')) as EntryRecord;
            if (record.schema === 'agentlang.registry.entry/v1')
              this.entries.set(keyOf(namespaceOf(record.kind), record.tenant, record.name, record.version), record);
          } catch {
            // Entries are created by link() of a complete, fsynced file, so an unreadable one is
            // foreign to this layout: skip it rather than refuse to start.
          }
        }
      }
    }
  }

  /** A unique path in `tmp/`, on the same filesystem as the blobs so rename is atomic. */
  stagingPath(): string {
    return join(this.root, 'tmp', `upload-${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  private blobPath(sha256: string): string {
    if (!HEX64.test(sha256)) throw new RegistryError('REGISTRY_BAD_REQUEST', `not a sha256: '${sha256.slice(0, 80)}'`);
    return join(this.root, 'blobs/sha256', sha256.slice(0, 2), sha256);
  }

  async putBlob(sha256: string, stagedPath: string): Promise<void> {
    const target = this.blobPath(sha256);
    const dir = join(target, '..');
    try {
      await mkdir(dir, { recursive: true });
      // Same name means same content: renaming over an existing blob is harmless and atomic.
      await rename(stagedPath, target);
      await syncDirectory(dir);
    } catch (cause) {
      await unlink(stagedPath).catch(() => {});
      throw storageError('store blob', target, cause);
    }
  }

  async openBlob(sha256: string, options: { highWaterMark?: number; length?: number } = {}) {
    const path = this.blobPath(sha256);
    try {
      const info = await stat(path);
      const bounded = options.length !== undefined ? { start: 0, end: options.length - 1 } : {};
      return {
        stream: createReadStream(path, { highWaterMark: options.highWaterMark ?? 1 << 20, ...bounded }),
        size: info.size,
      };
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw storageError('open blob', path, cause);
    }
  }

  async readBlob(sha256: string): Promise<Buffer | undefined> {
    const path = this.blobPath(sha256);
    try {
      return await readFile(path);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw storageError('read blob', path, cause);
    }
  }

  private entryPath(
    tenant: string,
    name: string,
    version: string,
    namespace: EntryNamespace,
  ): { dir: string; file: string } {
    const dir = join(this.root, namespace === 'tools' ? 'tools' : 'entries', tenant, name);
    return { dir, file: join(dir, `${version}.json`) };
  }

  async createEntry(record: EntryRecord): Promise<CreateEntryResult> {
    const namespace = namespaceOf(record.kind);
    const top = join(this.root, namespace === 'tools' ? 'tools' : 'entries');
    const { dir, file } = this.entryPath(record.tenant, record.name, record.version, namespace);
    const temp = this.stagingPath();
    try {
      await mkdir(dir, { recursive: true });
      await writeSynced(temp, `${JSON.stringify(record, null, 2)}\n`);
      try {
        // link() fails with EEXIST when the version exists: the atomic "create if absent" that
        // makes exactly one of N concurrent pushers win, and the entry appears complete or not at all.
        await link(temp, file);
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw cause;
        const existing = await this.getEntry(record.tenant, record.name, record.version, namespace);
        if (!existing) throw cause;
        return { created: false, record: existing };
      }
      await syncDirectory(dir);
      await syncDirectory(join(top, record.tenant));
      await syncDirectory(top);
    } catch (cause) {
      if (cause instanceof RegistryError) throw cause;
      throw storageError('create entry', file, cause);
    } finally {
      await unlink(temp).catch(() => {});
    }
    this.entries.set(keyOf(namespace, record.tenant, record.name, record.version), record);
    return { created: true, record };
  }

  async getEntry(
    tenant: string,
    name: string,
    version: string,
    namespace: EntryNamespace = 'agents',
  ): Promise<EntryRecord | undefined> {
    const key = keyOf(namespace, tenant, name, version);
    const cached = this.entries.get(key);
    if (cached) return cached;
    try {
      const record = JSON.parse(
        await readFile(this.entryPath(tenant, name, version, namespace).file, 'utf8'),
      ) as EntryRecord;
      this.entries.set(key, record);
      return record;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT' || (cause as NodeJS.ErrnoException).code === 'ENOTDIR')
        return undefined;
      throw storageError('read entry', key, cause);
    }
  }

  async listEntries(): Promise<EntryRecord[]> {
    return [...this.entries.values()];
  }
}
