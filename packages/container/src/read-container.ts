import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { type ContainerIndex, INDEX_ENTRY, type IndexEntry, parseIndex, SIGNATURE_ENTRY } from './container-index.js';
import { checkSignatureFile, type Envelope } from './envelope.js';
import { ContainerError, ContainerErrorCode } from './errors.js';
import { TarReader } from './tar-reader.js';

/** Largest `manifest.json` accepted (bounds memory before the signature is checked). */
export const MAX_INDEX_BYTES = 8 * 1024 * 1024;
/** Largest `signature.sig` accepted. */
export const MAX_SIGNATURE_BYTES = 256 * 1024;

/** What the signature check found. */
export type SignatureStatus =
  /** A signature verified under one of the trusted keys. */
  | { state: 'verified'; keyIds: string[]; verifiedBy: string[] }
  /** Signed, but no trusted keys were given to check against. */
  | { state: 'unverified'; keyIds: string[] }
  /** The envelope holds no signature. */
  | { state: 'unsigned'; keyIds: [] };

/** Options of a verifying walk over a container. */
export interface WalkOptions {
  /** Trusted Ed25519 public keys (hex); when non-empty a valid signature by one of them is required. */
  publicKeys?: string[];
  /** Require a signature even without public keys (fails with CONTAINER_UNSIGNED / SIGNATURE_INVALID). */
  requireSignature?: boolean;
  /**
   * Called for each indexed entry before its content is read; a returned sink receives the content
   * in chunks (valid only during the call). Content is only trustworthy once the walk resolves.
   */
  sink?: (entry: IndexEntry) => ((chunk: Buffer) => void | Promise<void>) | undefined;
}

/** The result of a complete, verified walk. */
export interface WalkResult {
  index: ContainerIndex;
  indexBytes: Buffer;
  envelope: Envelope;
  /** The exact bytes of `signature.sig`. */
  envelopeBytes: Buffer;
  signature: SignatureStatus;
  fileSize: number;
}

/**
 * Reads a container strictly in order and verifies everything: the index and its DSSE envelope
 * come first and are checked before the index is parsed; then every entry's name, order and size
 * must match the index before its content is read, and its sha256 after; then the end marker and EOF.
 */
export async function walkContainer(file: string, options: WalkOptions = {}): Promise<WalkResult> {
  const handle = await open(file, 'r').catch((cause: NodeJS.ErrnoException) => {
    const what =
      cause.code === 'ENOENT'
        ? `${file} does not exist`
        : `cannot open container ${file}: ${cause.code ?? cause.message}`;
    throw new ContainerError(
      ContainerErrorCode.NotAContainer,
      `${what}; pass a .agent container made by \`agentlang build\``,
      { details: { file }, cause },
    );
  });
  try {
    const stats = await handle.stat();
    const fileSize = stats.size;
    if (stats.isDirectory()) {
      throw new ContainerError(
        ContainerErrorCode.NotAContainer,
        `${file} is a directory, not a container; if it holds an agent, \`agentlang build ${file}\` packs it into one and \`agentlang validate ${file}\` checks it`,
        { details: { file, found: 'directory' } },
      );
    }
    await assertTarMagic(handle, file, fileSize);
    const reader = new TarReader(handle, fileSize);
    const first = await reader.next();
    if (first === null || first.name !== INDEX_ENTRY) {
      throw new ContainerError(
        ContainerErrorCode.NotAContainer,
        `${file} is a tar archive but not an agentlang container: its first entry is ${first ? JSON.stringify(first.name) : 'missing'}, expected ${INDEX_ENTRY}`,
        { details: { file } },
      );
    }
    const indexBytes = await reader.readSmall(first, MAX_INDEX_BYTES);
    const second = await reader.next();
    if (second === null || second.name !== SIGNATURE_ENTRY) {
      throw new ContainerError(
        ContainerErrorCode.EntryMismatch,
        `the second entry of ${file} is ${second ? JSON.stringify(second.name) : 'missing'}, expected ${SIGNATURE_ENTRY}`,
        { details: { file } },
      );
    }
    const envelopeBytes = await reader.readSmall(second, MAX_SIGNATURE_BYTES);
    const publicKeys = options.publicKeys ?? [];
    const check = checkSignatureFile(envelopeBytes, indexBytes, publicKeys);
    const envelope = check.envelope;
    let signature: SignatureStatus;
    if (check.keyIds.length === 0) {
      if (publicKeys.length > 0 || options.requireSignature) {
        throw new ContainerError(
          ContainerErrorCode.Unsigned,
          `${file} is not signed, but a signature was required; build it with --sign-key-env VAR`,
          { details: { file } },
        );
      }
      signature = { state: 'unsigned', keyIds: [] };
    } else if (publicKeys.length > 0) {
      if (check.verifiedBy.length === 0) {
        throw new ContainerError(
          ContainerErrorCode.SignatureInvalid,
          `no signature on ${file} verifies under the trusted key${publicKeys.length > 1 ? 's' : ''} (signed by key id ${check.keyIds.join(', ')}); either the container was altered or it was signed by a key you do not trust`,
          { details: { file, keyIds: check.keyIds } },
        );
      }
      signature = { state: 'verified', keyIds: check.keyIds, verifiedBy: check.verifiedBy };
    } else {
      if (options.requireSignature) {
        throw new ContainerError(
          ContainerErrorCode.SignatureInvalid,
          `a verified signature is required for ${file} but no trusted public key was given; pass --pubkey HEX`,
          { details: { file } },
        );
      }
      signature = { state: 'unverified', keyIds: check.keyIds };
    }
    const index = parseIndex(indexBytes);
    for (const [i, expected] of index.entries.entries()) {
      const entry = await reader.next();
      if (entry === null) {
        throw new ContainerError(
          ContainerErrorCode.Truncated,
          `${file} ends after ${i} of ${index.entries.length} indexed entries; ${expected.path} is missing`,
          { details: { file, missing: expected.path } },
        );
      }
      if (entry.name !== expected.path || entry.size !== expected.size) {
        throw new ContainerError(
          ContainerErrorCode.EntryMismatch,
          `entry ${i + 3} of ${file} is ${JSON.stringify(entry.name)} (${entry.size} bytes) but the signed index lists ${JSON.stringify(expected.path)} (${expected.size} bytes) there`,
          {
            details: {
              file,
              found: { name: entry.name, size: entry.size },
              expected: { name: expected.path, size: expected.size },
            },
          },
        );
      }
      const hash = createHash('sha256');
      const sink = options.sink?.(expected);
      await reader.readContent(entry, async (chunk) => {
        hash.update(chunk);
        if (sink) await sink(chunk);
      });
      const digest = `sha256:${hash.digest('hex')}`;
      if (digest !== expected.sha256) {
        throw new ContainerError(
          ContainerErrorCode.DigestMismatch,
          `entry ${JSON.stringify(expected.path)} of ${file} has digest ${digest}, but the signed index says ${expected.sha256}; the entry was altered or swapped`,
          { details: { file, path: expected.path, found: digest, expected: expected.sha256 } },
        );
      }
    }
    const extra = await reader.next();
    if (extra !== null) {
      throw new ContainerError(
        ContainerErrorCode.EntryUnlisted,
        `${file} holds entry ${JSON.stringify(extra.name)} that the signed index does not list; the container was altered`,
        { details: { file, name: extra.name } },
      );
    }
    return { index, indexBytes, envelope, envelopeBytes, signature, fileSize };
  } finally {
    await handle.close();
  }
}

/** POSIX tar (ustar) magic at offset 257; anything else is not a container, whatever its extension. */
async function assertTarMagic(
  handle: import('node:fs/promises').FileHandle,
  file: string,
  fileSize: number,
): Promise<void> {
  const head = Buffer.alloc(512);
  const { bytesRead } = await handle.read(head, 0, 512, 0);
  if (bytesRead >= 262 && head.toString('latin1', 257, 262) === 'ustar') return;
  const text = head.subarray(0, bytesRead);
  // Printable UTF-8 text is most likely a YAML manifest (seed 000 names those `.agent` too).
  const looksLikeText = bytesRead > 0 && !text.includes(0) && !text.toString('utf8').includes('\uFFFD');
  // A short binary prefix may be a truncated container: the tar reader says so precisely.
  if (!looksLikeText && bytesRead < 262) return;
  throw new ContainerError(
    ContainerErrorCode.NotAContainer,
    looksLikeText
      ? `${file} is a text file (a YAML manifest?), not a container (${fileSize} bytes, no tar header); \`agentlang validate ${file}\` checks a manifest, \`agentlang build ${file}\` packs it into a container`
      : `${file} is not a container: it has no POSIX tar (ustar) header; pass a .agent container made by \`agentlang build\``,
    { details: { file, found: looksLikeText ? 'text' : 'binary' } },
  );
}
