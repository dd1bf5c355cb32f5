import { readFileSync } from 'node:fs';
import { decodeBase64Strict, parseEnvelope } from '@agentlang/signing';
import { writeFileAtomicSync } from '@agentlang/utils';
import { LockError } from './errors.js';
import type { Lockfile } from './lock-schema.js';
import { parseLock } from './serialize-lock.js';
import { isEnvelopeBytes, verifyLock } from './sign-lock.js';
import { asLockError } from './signing.js';

/** Largest lock file read (a lock of thousands of tools is well under this). */
export const MAX_LOCK_BYTES = 16 * 1024 * 1024;

/** Options of {@link readLockFile}. */
export interface ReadLockFileOptions {
  /** Trusted public keys (64 hex). When given, the lock MUST be signed and verify against one of them. */
  publicKeys?: string[];
  /** Refuse a plain lock even without keys (fails with LOCK_KEY_MISSING if no key is given: fail closed). */
  requireSigned?: boolean;
}

/** A lock read from disk. */
export interface LockFileContents {
  lock: Lockfile;
  /** The file's bytes as read. */
  bytes: Uint8Array;
  /** True when the file is a signed envelope. */
  signed: boolean;
  /** True only when a signature verified against a trusted key in this read. */
  verified: boolean;
  /** Key ids that verified (empty unless `verified`). */
  keyids: string[];
}

/**
 * Reads a plain or signed lock file. With `publicKeys` the signature is verified before the payload
 * is parsed; without, a signed lock's payload is parsed unverified (`verified: false`).
 */
export function readLockFile(path: string, options: ReadLockFileOptions = {}): LockFileContents {
  return parseLockFile(readBytes(path), { ...options, label: path });
}

/**
 * {@link readLockFile} for bytes already in memory (a lock inside a container, a lock from HTTP):
 * same rules, `label` names the source in messages.
 */
export function parseLockFile(
  bytes: Uint8Array,
  options: ReadLockFileOptions & { label?: string } = {},
): LockFileContents {
  const keys = options.publicKeys ?? [];
  const label = options.label ?? 'lock';
  if (keys.length > 0) {
    const { lock, keyids } = verifyLock(bytes, { publicKeys: keys });
    return { lock, bytes, signed: true, verified: true, keyids };
  }
  if (options.requireSigned) {
    throw new LockError(
      'LOCK_KEY_MISSING',
      `a signed lock is required but no public key was given to verify ${label}; pass --pubkey <hex>`,
      {
        details: { path: label },
      },
    );
  }
  if (isEnvelopeBytes(bytes)) {
    const payload = asLockError(() => decodeBase64Strict(parseEnvelope(bytes).payload, 'envelope payload'));
    return { lock: parseLock(payload), bytes, signed: true, verified: false, keyids: [] };
  }
  return { lock: parseLock(bytes), bytes, signed: false, verified: false, keyids: [] };
}

function readBytes(path: string): Uint8Array {
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_LOCK_BYTES) {
      throw new LockError(
        'LOCK_MALFORMED',
        `${path} is ${bytes.length} bytes; a lock file is at most ${MAX_LOCK_BYTES}`,
      );
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  } catch (error) {
    if (error instanceof LockError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LockError(
        'LOCK_NOT_FOUND',
        `lock file ${path} does not exist; create it with \`agentlang lock <agent>\``,
        {
          cause: error,
          details: { path },
        },
      );
    }
    throw new LockError('LOCK_IO', `cannot read lock file ${path}: ${(error as Error).message}`, {
      cause: error,
      details: { path },
    });
  }
}

/**
 * Writes lock bytes atomically: a temporary file in the same directory, fsync, rename over the
 * target, fsync of the directory. A crash leaves either the old lock or the new one, never a torn file.
 */
export function writeLockFile(path: string, bytes: Uint8Array): void {
  try {
    writeFileAtomicSync(path, bytes);
  } catch (error) {
    throw new LockError('LOCK_IO', `cannot write lock file ${path}: ${(error as Error).message}`, {
      cause: error,
      details: { path },
    });
  }
}
