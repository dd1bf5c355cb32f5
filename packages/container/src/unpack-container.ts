import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import {
  type ContainerIndex,
  ENCRYPTED_PROMPT_ENTRY,
  INDEX_ENTRY,
  PROMPT_FILE,
  SIGNATURE_ENTRY,
} from './container-index.js';
import { ContainerError, ContainerErrorCode } from './errors.js';
import { decryptPrompt } from './prompt-crypto.js';
import { walkContainer } from './read-container.js';

/** Options of `unpackContainer`. */
export interface UnpackOptions {
  publicKeys?: string[];
  requireSignature?: boolean;
  /** When given (identity or passphrase), `prompt.yaml` is written decrypted beside `prompt.yaml.enc`. */
  identity?: string;
  passphrase?: string;
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * Extracts a container into `dir` (which must be missing or empty): the whole container is verified
 * first, then extracted into a staging directory beside `dir` while every digest is checked again,
 * and only then renamed into place. Paths come from the signed index, each checked to stay inside.
 */
export async function unpackContainer(
  file: string,
  dir: string,
  options: UnpackOptions = {},
): Promise<{ dir: string; index: ContainerIndex }> {
  const target = resolve(dir);
  if (!(await isEmptyOrMissing(target))) {
    throw new ContainerError(
      ContainerErrorCode.UnpackTarget,
      `cannot unpack into ${target}: the directory is not empty; choose a new directory`,
      { details: { dir: target } },
    );
  }
  const walk = {
    publicKeys: options.publicKeys ?? [],
    requireSignature: options.requireSignature ?? (options.publicKeys ?? []).length > 0,
  };
  await walkContainer(file, walk);
  const staging = join(dirname(target), `.${basename(target)}.unpack-${randomBytes(6).toString('hex')}`);
  await mkdir(staging, { recursive: false, mode: 0o755 });
  const open_: FileHandle[] = [];
  try {
    let current: FileHandle | undefined;
    let sealed: Buffer[] = [];
    const result = await walkContainer(file, {
      ...walk,
      sink: (entry) => {
        const path = resolve(staging, ...entry.path.split('/'));
        if (!path.startsWith(staging + sep)) throw new Error(`internal: ${entry.path} escapes the staging directory`);
        let pending: Promise<FileHandle> | undefined;
        return async (chunk) => {
          if (entry.path === ENCRYPTED_PROMPT_ENTRY) sealed.push(Buffer.from(chunk));
          if (!pending) {
            pending = (async () => {
              await current?.close();
              await mkdir(dirname(path), { recursive: true });
              current = await open(path, 'wx', 0o644);
              open_.push(current);
              return current;
            })();
          }
          const fh = await pending;
          await fh.write(chunk);
        };
      },
    });
    await current?.close();
    // Entries with no content got no chunk: create them empty.
    for (const entry of result.index.entries) {
      if (entry.size !== 0) continue;
      const path = resolve(staging, ...entry.path.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, new Uint8Array(0), { flag: 'wx', mode: 0o644 });
    }
    await writeFile(join(staging, INDEX_ENTRY), result.indexBytes, { flag: 'wx', mode: 0o644 });
    await writeFile(join(staging, SIGNATURE_ENTRY), result.envelopeBytes, { flag: 'wx', mode: 0o644 });
    if (result.index.encryption && (options.identity !== undefined || options.passphrase !== undefined)) {
      const plain = decryptPrompt(
        Buffer.concat(sealed),
        `${result.index.agent.name}@${result.index.agent.version}`,
        options,
      );
      await writeFile(join(staging, PROMPT_FILE), plain, { flag: 'wx', mode: 0o600 });
    }
    sealed = [];
    await rmdir(target).catch(() => undefined);
    await rename(staging, target);
    return { dir: target, index: result.index };
  } catch (error) {
    for (const fh of open_) await fh.close().catch(() => undefined);
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
