import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ResolvedPlan } from '@agentlang/resolver';
import { decodeBase64Strict, parseEnvelope } from '@agentlang/signing';
import { checkLockBeforeProbes } from './check-before-probes.js';
import {
  type LockDrift,
  type RuntimeVersionChange,
  checkLock,
  driftError,
  runtimeVersionChange,
} from './check-lock.js';
import { createLock } from './create-lock.js';
import { LockError } from './errors.js';
import { type LockFileContents, parseLockFile, readLockFile, writeLockFile } from './lock-file-io.js';
import { LOCK_SCHEMA, type Lockfile } from './lock-schema.js';
import { serializeLock } from './serialize-lock.js';
import { isEnvelopeBytes, signLock } from './sign-lock.js';
import { asLockError } from './signing.js';

/** Options of {@link lockPlan}. */
export interface LockPlanOptions {
  /** Where the lock goes. */
  lockPath: string;
  /** The manifest file relative to the lock's directory, recorded as `manifest.path`. */
  manifestPath: string;
  /** The agent as the user named it, for the re-lock hint in drift messages (default `manifestPath`). */
  agentPath?: string;
  /** Never write: fail with LOCK_DRIFT when the lock on disk differs (default: `env.CI === 'true'`). */
  frozen?: boolean;
  /** Environment consulted for the `CI` default of `frozen` (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Sign with these keys (hex seeds); the file becomes a DSSE envelope. */
  signingKeys?: Array<{ privateKey: string }>;
  /**
   * Keep the lock on disk, byte for byte, while its portable part still matches the plan (what
   * `build` does: the host part is resolved again where the agent runs, and a signed lock stays
   * signed). When it must change and it is signed, `signingKeys` re-sign it; without keys
   * LOCK_KEY_MISSING says why instead of silently writing it unsigned. A plain lock stays plain.
   */
  keepMatching?: boolean;
  /** Write the file (default true). False: decide and return the bytes; the caller writes them when `changed`. */
  write?: boolean;
}

/** What {@link lockPlan} did. */
export interface LockResult {
  lockPath: string;
  /** The lock in effect: the new one, or the one kept on disk. */
  lock: Lockfile;
  /** The file bytes (plain lock or signed envelope). */
  bytes: Uint8Array;
  signed: boolean;
  /** True when the file was (re)written. */
  written: boolean;
  /** True when the new bytes differ from the file that was there (or there was none). */
  changed: boolean;
  /** What was on disk before. */
  previous: 'none' | 'plain' | 'signed';
  frozen: boolean;
  /** Differences between the previous lock and the plan (empty when there was none or it matched). */
  drifts: LockDrift[];
  /** The previous lock was made with another version of the same built-in runtime (not a drift; see runtimeVersionChange). */
  runtimeVersion?: RuntimeVersionChange;
}

function readExisting(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LockError('LOCK_IO', `cannot read lock file ${path}: ${(error as Error).message}`, {
      cause: error,
      details: { path },
    });
  }
}

/** The lock on disk, parsed, with its exact payload bytes. */
interface Existing {
  bytes: Uint8Array;
  lock: Lockfile;
  payload: Buffer;
  signed: boolean;
}

/**
 * Pins a plan to a lock file: builds the lock (signed when keys are given), compares it with the
 * file on disk, and writes it atomically, or, when frozen, refuses any change with LOCK_DRIFT
 * (LOCK_NOT_FOUND when there is no lock yet). Drift is the portable part (see {@link checkLock});
 * a frozen or `keepMatching` lock whose portable part matches is up to date whatever host made it.
 */
export function lockPlan(plan: ResolvedPlan, options: LockPlanOptions): LockResult {
  const frozen = options.frozen ?? (options.env ?? process.env).CI === 'true';
  const agentPath = options.agentPath ?? options.manifestPath;
  const lockDir = dirname(resolve(options.lockPath));
  const fresh = createLock(plan, { manifestPath: options.manifestPath, lockDir });
  const payload = serializeLock(fresh);
  const signingKeys = options.signingKeys ?? [];
  const raw = readExisting(options.lockPath);
  const previous = raw === undefined ? 'none' : isEnvelopeBytes(raw) ? 'signed' : 'plain';
  let existing: Existing | undefined;
  let drifts: LockDrift[] = [];
  let runtimeVersion: RuntimeVersionChange | undefined;
  if (raw !== undefined) {
    try {
      const old = parseLockFile(raw, { label: options.lockPath });
      const oldPayload = old.signed
        ? asLockError(() => decodeBase64Strict(parseEnvelope(raw).payload, 'envelope payload'))
        : Buffer.from(raw);
      existing = { bytes: raw, lock: old.lock, payload: oldPayload, signed: old.signed };
      drifts = checkLock(old.lock, plan);
      runtimeVersion = runtimeVersionChange(old.lock, plan);
    } catch (error) {
      // An unreadable old lock is simply replaced, unless frozen forbids replacing it.
      if (frozen) throw error;
    }
  }
  // The existing lock still holds where it counts: same portable part, current format, canonical bytes.
  const holds =
    existing !== undefined &&
    drifts.length === 0 &&
    existing.lock.schema === LOCK_SCHEMA &&
    Buffer.from(serializeLock(existing.lock)).equals(existing.payload);
  const keep = (): LockResult => ({
    lockPath: options.lockPath,
    lock: existing!.lock,
    bytes: existing!.bytes,
    signed: existing!.signed,
    written: false,
    changed: false,
    previous,
    frozen,
    drifts,
    ...(runtimeVersion && { runtimeVersion }),
  });

  if (frozen) {
    // Frozen: the lock on disk must already say this. Without keys, a signed lock counts as up to
    // date (CI checks drift without holding the signing key); with keys it must be signed by them.
    if (raw === undefined) {
      throw new LockError(
        'LOCK_NOT_FOUND',
        `${options.lockPath} does not exist and --frozen (the default when CI=true) forbids creating it; run \`agentlang lock ${agentPath}\` and commit the lock`,
        { details: { lockPath: options.lockPath } },
      );
    }
    if (drifts.length > 0) throw driftError(drifts, { agentPath, lockPath: options.lockPath });
    // keepMatching: keys only re-sign a lock that must change, and a frozen one never does.
    const mustBeSignedByKeys = signingKeys.length > 0 && !options.keepMatching;
    const signedByKeys =
      existing !== undefined &&
      mustBeSignedByKeys &&
      Buffer.from(signLock(existing.payload, signingKeys)).equals(Buffer.from(raw));
    if (!holds || (mustBeSignedByKeys && !signedByKeys)) {
      const why =
        existing !== undefined && existing.lock.schema !== LOCK_SCHEMA
          ? `it is ${existing.lock.schema}; this agentlang writes ${LOCK_SCHEMA}`
          : !holds
            ? 'it pins the same plan but its bytes are not the canonical serialisation'
            : `it is ${previous === 'signed' ? 'signed with other keys' : 'not signed'}, and signing was requested`;
      throw new LockError(
        'LOCK_DRIFT',
        `${options.lockPath} would change (${why}), and --frozen (the default when CI=true) forbids rewriting it\n` +
          `  Re-run \`agentlang lock ${agentPath}${mustBeSignedByKeys ? ' --sign-key-env VAR' : ''}\` without --frozen if the change is intentional.`,
        { details: { lockPath: options.lockPath, drifts: [], previous } },
      );
    }
    return keep();
  }

  if (options.keepMatching && holds) return keep();
  if (options.keepMatching && previous === 'signed' && signingKeys.length === 0) {
    const why =
      drifts.length > 0
        ? drifts[0]!.message
        : existing === undefined
          ? 'it cannot be read'
          : `it is ${existing.lock.schema}, and this agentlang writes ${LOCK_SCHEMA}`;
    throw new LockError(
      'LOCK_KEY_MISSING',
      `${options.lockPath} is signed and must change (${why}), but no signing key was given to sign it again; ` +
        `pass --sign-key-env VAR with the lock's signing key, or re-lock first: \`agentlang lock ${agentPath} --sign-key-env VAR\``,
      { details: { lockPath: options.lockPath, drifts, previous } },
    );
  }
  const sign = options.keepMatching ? previous === 'signed' : signingKeys.length > 0;
  const bytes = sign ? signLock(payload, signingKeys) : payload;
  const changed = raw === undefined || !Buffer.from(raw).equals(Buffer.from(bytes));
  const write = options.write ?? true;
  if (write) writeLockFile(options.lockPath, bytes);
  return {
    lockPath: options.lockPath,
    lock: fresh,
    bytes,
    signed: sign,
    written: write,
    changed,
    previous,
    frozen,
    drifts,
    ...(runtimeVersion && { runtimeVersion }),
  };
}

/** Options of {@link checkLockFileBeforeProbes}. */
export interface BeforeProbesOptions {
  /** The lock file that must already hold. */
  lockPath: string;
  /** The agent as the user named it, for the re-lock hint. */
  agentPath: string;
}

/**
 * The frozen check for the resolver's `beforeProbe` hook: the lock at `lockPath` must exist
 * (LOCK_NOT_FOUND) and hold for the plan resolved so far, without running anything (LOCK_DRIFT; see
 * {@link checkLockBeforeProbes}), so no dependency check or MCP server starts for a lock that
 * would be refused anyway.
 */
export function checkLockFileBeforeProbes(draft: ResolvedPlan, options: BeforeProbesOptions): void {
  const existing = readExisting(options.lockPath);
  if (existing === undefined) {
    throw new LockError(
      'LOCK_NOT_FOUND',
      `${options.lockPath} does not exist and --frozen (the default when CI=true) forbids creating it; run \`agentlang lock ${options.agentPath}\` and commit the lock`,
      { details: { lockPath: options.lockPath } },
    );
  }
  const drifts = checkLockBeforeProbes(parseLockFile(existing, { label: options.lockPath }).lock, draft);
  if (drifts.length > 0) throw driftError(drifts, { agentPath: options.agentPath, lockPath: options.lockPath });
}

/** Options of {@link enforceLockFile}. */
export interface EnforceLockOptions {
  lockPath: string;
  /** Trusted public keys; when given the lock must be signed by one of them. */
  publicKeys?: string[];
  /** Refuse an unsigned lock (`--require-signed`); without keys this fails closed with LOCK_KEY_MISSING. */
  requireSigned?: boolean;
  /** The agent as the user named it, for the re-lock hint. */
  agentPath?: string;
}

/**
 * What a runner calls before spawning anything: reads the lock (verifying its signature first when
 * keys are given or required) and throws LOCK_DRIFT unless the freshly resolved plan matches it.
 */
export function enforceLockFile(plan: ResolvedPlan, options: EnforceLockOptions): LockFileContents {
  const contents = readLockFile(options.lockPath, {
    ...(options.publicKeys && { publicKeys: options.publicKeys }),
    ...(options.requireSigned && { requireSigned: true }),
  });
  const drifts = checkLock(contents.lock, plan);
  if (drifts.length > 0) {
    throw driftError(drifts, {
      agentPath: options.agentPath ?? contents.lock.manifest.path,
      lockPath: options.lockPath,
    });
  }
  return contents;
}
