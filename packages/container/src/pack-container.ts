import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openAtomicFile } from '@agentlang/utils';
import {
  type ContainerIndex,
  CONTEXT_DIR,
  CREATED_BY,
  ENCRYPTED_PROMPT_ENTRY,
  INDEX_ENTRY,
  INDEX_FORMAT,
  type IndexEntry,
  LOCK_ENTRY,
  PROMPT_FILE,
  SIGNATURE_ENTRY,
  serializeIndex,
} from './container-index.js';
import { signatureFileBytes } from './envelope.js';
import { assertSafeEntryName, NameSet } from './entry-name.js';
import { ContainerError, ContainerErrorCode } from './errors.js';
import { CHUNK_SIZE, type EncryptTo, encryptPrompt, recipientsForIndex } from './prompt-crypto.js';
import { BLOCK, encodeHeader, paddingFor } from './tar-header.js';

/** Progress of a build, reported while context files stream into the archive. */
export interface BuildProgress {
  phase: 'context';
  bytesDone: number;
  bytesTotal: number;
  file: string;
}

/** Everything the packer needs, already resolved: no YAML, no lock logic here. */
export interface PackInput {
  agent: { name: string; version: string; digest: string; dialect: string };
  /** Path of the manifest file among `sources` (`agent.yaml`, `demo.agent`). */
  entry: string;
  /** Source files (relative `/` paths) other than the prompt, the lock and `context/`. */
  sources: Array<{ path: string; bytes: Uint8Array }>;
  /** The plaintext prompt (`prompt.yaml`), encrypted into `prompt.yaml.enc`. */
  prompt?: Uint8Array;
  /** The exact lock bytes (`agent.lock`). */
  lock: Uint8Array;
  /** Directory whose files are bundled under `context/`, streamed. */
  contextDir?: string;
  /** Ed25519 signing keys (hex seeds); none gives an unsigned container. */
  signingKeys?: string[];
  /** Recipients and/or passphrase for the prompt. */
  encryptTo?: EncryptTo;
  /** Output file path. */
  out: string;
  onProgress?: (progress: BuildProgress) => void;
  /** fsync the file before renaming it into place (default false). */
  fsync?: boolean;
}

const COPY_CHUNK = 1 << 20;
const PLACEHOLDER = `sha256:${'0'.repeat(64)}`;

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A regular file found under `context/`, with the identity it had when listed. */
export interface ContextFile {
  path: string;
  file: string;
  size: number;
  /** Device and inode at listing time: the file opened later must be this one (no swap for a link). */
  dev: number;
  ino: number;
}

/**
 * Lists the regular files under `dir` as `context/…` names, sorted bytewise; refuses links (the
 * directory itself included: an agent can plant `context -> /` in its own workdir) and specials.
 */
export async function listContextFiles(dir: string): Promise<ContextFile[]> {
  const found: ContextFile[] = [];
  const top = await lstat(dir);
  if (top.isSymbolicLink()) {
    throw new ContainerError(
      ContainerErrorCode.SourceLink,
      `${dir} is a symbolic link; build never follows a link into a container — make context/ a real directory holding the files`,
      { details: { file: dir } },
    );
  }
  const walk = async (abs: string, rel: string): Promise<void> => {
    const names = await readdir(abs);
    for (const name of names) {
      const file = join(abs, name);
      const path = `${rel}${name}`;
      const st = await lstat(file);
      if (st.isSymbolicLink()) {
        throw new ContainerError(
          ContainerErrorCode.SourceLink,
          `${file} is a symbolic link; a container bundles regular files only — copy the target into context/ instead`,
          { details: { file } },
        );
      }
      if (st.isDirectory()) await walk(file, `${path}/`);
      else if (st.isFile()) found.push({ path, file, size: st.size, dev: st.dev, ino: st.ino });
      else
        throw new ContainerError(
          ContainerErrorCode.SourceInvalid,
          `${file} is not a regular file (device, fifo or socket); remove it from context/`,
          { details: { file } },
        );
    }
  };
  await walk(dir, CONTEXT_DIR);
  found.sort((a, b) => compareBytes(a.path, b.path));
  return found;
}

/**
 * Writes a container in one streaming pass: context files go straight to their final offsets
 * while being hashed (the head's size is known in advance because every digest has a fixed
 * length), then the index, signature and small entries are written in front, then the file is
 * renamed into place. Memory stays constant whatever the size of `context/`.
 */
export async function packContainer(input: PackInput): Promise<{ path: string; index: ContainerIndex }> {
  const agentId = `${input.agent.name}@${input.agent.version}`;
  const names = new NameSet();
  names.add(INDEX_ENTRY, 'the container layout');
  names.add(SIGNATURE_ENTRY, 'the container layout');
  const head: Array<{ entry: IndexEntry; bytes: Buffer }> = [];
  const addHead = (path: string, kind: IndexEntry['kind'], bytes: Buffer): void => {
    assertSafeEntryName(path, 'the agent sources');
    names.add(path, 'the agent sources');
    head.push({ entry: { path, kind, size: bytes.length, sha256: sha256(bytes) }, bytes });
  };
  const entrySource = input.sources.find((s) => s.path === input.entry);
  if (!entrySource)
    throw new ContainerError(
      ContainerErrorCode.SourceInvalid,
      `the manifest file ${input.entry} is not among the sources`,
      { details: { entry: input.entry } },
    );
  addHead(input.entry, 'source', Buffer.from(entrySource.bytes));
  let encryption: ContainerIndex['encryption'] = null;
  if (input.prompt !== undefined) {
    const to = input.encryptTo ?? {};
    if ((to.recipients ?? []).length === 0 && to.passphrase === undefined) {
      throw new ContainerError(
        ContainerErrorCode.OptionsInvalid,
        `${agentId} has a ${PROMPT_FILE} and a container never stores it in plaintext: pass --recipient <AGENTLANG_RECIPIENT> (make one with \`agentlang keygen --x25519\`) or --passphrase-env VAR`,
        { details: { agent: agentId } },
      );
    }
    addHead(ENCRYPTED_PROMPT_ENTRY, 'prompt', encryptPrompt(input.prompt, agentId, to));
    encryption = {
      entry: ENCRYPTED_PROMPT_ENTRY,
      plaintext: PROMPT_FILE,
      scheme: 'agentlang-encrypted/v1',
      cipher: 'AES-256-GCM',
      chunkSize: CHUNK_SIZE,
      recipients: recipientsForIndex(to),
    };
  }
  addHead(LOCK_ENTRY, 'lock', Buffer.from(input.lock));
  for (const s of [...input.sources].sort((a, b) => compareBytes(a.path, b.path))) {
    if (s.path === input.entry) continue;
    if (s.path === PROMPT_FILE || s.path === LOCK_ENTRY || s.path.startsWith(CONTEXT_DIR)) continue;
    addHead(s.path, 'source', Buffer.from(s.bytes));
  }
  const context = input.contextDir ? await listContextFiles(input.contextDir) : [];
  for (const c of context) {
    assertSafeEntryName(c.path, 'context/');
    names.add(c.path, 'context/');
    encodeHeader(c.path, c.size);
  }
  const contextEntries: IndexEntry[] = context.map((c) => ({
    path: c.path,
    kind: 'context',
    size: c.size,
    sha256: PLACEHOLDER,
  }));
  const makeIndex = (): ContainerIndex => ({
    format: INDEX_FORMAT,
    agent: {
      name: input.agent.name,
      version: input.agent.version,
      digest: input.agent.digest,
      dialect: input.agent.dialect,
    },
    entry: input.entry,
    createdBy: CREATED_BY,
    entries: [...head.map((h) => h.entry), ...contextEntries],
    encryption,
  });
  const signingKeys = input.signingKeys ?? [];
  const placeholderIndex = serializeIndex(makeIndex());
  const placeholderSig = signatureFileBytes(placeholderIndex, signingKeys);
  const blocks = (size: number): number => BLOCK + size + paddingFor(size);
  let headSize = blocks(placeholderIndex.length) + blocks(placeholderSig.length);
  for (const h of head) headSize += blocks(h.bytes.length);

  const out = input.out;
  await mkdir(dirname(out), { recursive: true });
  const file = await openAtomicFile(out);
  const fh = file.handle;
  try {
    let position = headSize;
    const total = context.reduce((n, c) => n + c.size, 0);
    let done = 0;
    // Three buffers in rotation: the next chunk is read (thread pool) while this one is hashed
    // (main thread) and the previous one is written; a buffer is reused only after its write ended.
    const buffers = [Buffer.allocUnsafe(COPY_CHUNK), Buffer.allocUnsafe(COPY_CHUNK), Buffer.allocUnsafe(COPY_CHUNK)];
    for (const [i, c] of context.entries()) {
      await fh.write(encodeHeader(c.path, c.size), 0, BLOCK, position);
      position += BLOCK;
      const hash = createHash('sha256');
      // O_NOFOLLOW and the inode check: a file swapped for a link (or another file) after listing is refused.
      const src = await open(c.file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ELOOP')
            throw new ContainerError(
              ContainerErrorCode.SourceLink,
              `${c.file} became a symbolic link during the build; build never follows a link into a container`,
              { details: { file: c.file } },
            );
          throw error;
        },
      );
      try {
        const opened = await src.stat();
        if (opened.ino !== c.ino || opened.dev !== c.dev) {
          throw new ContainerError(
            ContainerErrorCode.SourceInvalid,
            `${c.file} was replaced during the build; build again`,
            { details: { file: c.file } },
          );
        }
        let copied = 0;
        let pendingWrite: Promise<unknown> = Promise.resolve();
        let which = 0;
        const readAt = (buf: Buffer, offset: number) => src.read(buf, 0, Math.min(COPY_CHUNK, c.size - offset), offset);
        let pendingRead: ReturnType<typeof readAt> | null = c.size > 0 ? readAt(buffers[0]!, 0) : null;
        while (pendingRead) {
          const buf = buffers[which]!;
          const { bytesRead } = await pendingRead;
          pendingRead = null;
          if (bytesRead === 0) break;
          const next = copied + bytesRead;
          if (next < c.size) {
            pendingRead = readAt(buffers[(which + 1) % 3]!, next);
            pendingRead.catch(() => undefined);
          }
          hash.update(buf.subarray(0, bytesRead));
          await pendingWrite;
          pendingWrite = fh.write(buf, 0, bytesRead, position);
          pendingWrite.catch(() => undefined);
          position += bytesRead;
          copied = next;
          done += bytesRead;
          which = (which + 1) % 3;
          input.onProgress?.({ phase: 'context', bytesDone: done, bytesTotal: total, file: c.path });
        }
        await pendingWrite;
        const after = await src.stat();
        if (copied !== c.size || after.size !== c.size) {
          throw new ContainerError(
            ContainerErrorCode.SourceInvalid,
            `${c.file} changed size while the container was being built (${c.size} → ${after.size} bytes); build again`,
            { details: { file: c.file } },
          );
        }
      } finally {
        await src.close();
      }
      const pad = paddingFor(c.size);
      if (pad > 0) await fh.write(Buffer.alloc(pad), 0, pad, position);
      position += pad;
      contextEntries[i]!.sha256 = `sha256:${hash.digest('hex')}`;
    }
    await fh.write(Buffer.alloc(2 * BLOCK), 0, 2 * BLOCK, position);
    const index = makeIndex();
    const indexBytes = serializeIndex(index);
    const sigBytes = signatureFileBytes(indexBytes, signingKeys);
    if (indexBytes.length !== placeholderIndex.length || sigBytes.length !== placeholderSig.length) {
      throw new Error('internal: index size changed between layout and write');
    }
    const headParts: Buffer[] = [];
    const push = (path: string, bytes: Buffer): void => {
      headParts.push(encodeHeader(path, bytes.length), bytes, Buffer.alloc(paddingFor(bytes.length)));
    };
    push(INDEX_ENTRY, indexBytes);
    push(SIGNATURE_ENTRY, sigBytes);
    for (const h of head) push(h.entry.path, h.bytes);
    const headBuffer = Buffer.concat(headParts);
    await fh.write(headBuffer, 0, headBuffer.length, 0);
    // Not fsynced: a build is reproducible, and a file torn by a crash fails verification on read.
    await file.commit({ fsync: input.fsync === true, syncDirectory: input.fsync === true });
    return { path: out, index };
  } catch (error) {
    await file.discard();
    throw error;
  }
}
