import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ResolvedPlan, ResolveOptions } from '@agentlang/resolver';
import { checkLockBeforeProbes } from './check-before-probes.js';
import { type LockDrift, checkLock, driftError } from './check-lock.js';
import { decodeBase64Strict } from './base64.js';
import { createLock } from './create-lock.js';
import { parseEnvelope } from './envelope.js';
import { LockError } from './errors.js';
import { type LockFileContents, parseLockFile, readLockFile, writeLockFile } from './lock-file.js';
import { lockPathFor } from './lock-path.js';
import type { Lockfile } from './lockfile.js';
import { serializeLock } from './serialize-lock.js';
import { isEnvelopeBytes, signLock } from './sign-lock.js';

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
}

/** What {@link lockPlan} / {@link lockAgent} did. */
export interface LockResult {
  lockPath: string;
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
}

function readExisting(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LockError('LOCK_IO', `cannot read lock file ${path}: ${(error as Error).message}`, { cause: error, details: { path } });
  }
}

/**
 * Pins a plan to a lock file: builds the lock (signed when keys are given), compares it with the
 * file on disk, and writes it atomically, or, when frozen, refuses any change with LOCK_DRIFT
 * (LOCK_NOT_FOUND when there is no lock yet).
 */
export function lockPlan(plan: ResolvedPlan, options: LockPlanOptions): LockResult {
  const frozen = options.frozen ?? (options.env ?? process.env).CI === 'true';
  const agentPath = options.agentPath ?? options.manifestPath;
  const lock = createLock(plan, { manifestPath: options.manifestPath });
  const payload = serializeLock(lock);
  const signingKeys = options.signingKeys ?? [];
  const signed = signingKeys.length > 0;
  const bytes = signed ? signLock(payload, signingKeys) : payload;
  const existing = readExisting(options.lockPath);
  const previous = existing === undefined ? 'none' : isEnvelopeBytes(existing) ? 'signed' : 'plain';
  const changed = existing === undefined || !Buffer.from(existing).equals(Buffer.from(bytes));
  let drifts: LockDrift[] = [];
  let samePayload = false;
  if (existing !== undefined) {
    try {
      const old = parseLockFile(existing, { label: options.lockPath });
      drifts = checkLock(old.lock, plan);
      const oldPayload = old.signed ? decodeBase64Strict(parseEnvelope(existing).payload, 'envelope payload') : Buffer.from(existing);
      samePayload = oldPayload.equals(Buffer.from(payload));
    } catch (error) {
      // An unreadable old lock is simply replaced, unless frozen forbids replacing it.
      if (frozen) throw error;
    }
  }
  const result = { lockPath: options.lockPath, lock, bytes, signed, previous, frozen, drifts, changed } as const;
  if (!frozen) {
    writeLockFile(options.lockPath, bytes);
    return { ...result, written: true };
  }
  // Frozen: the lock on disk must already say exactly this. Without keys, a signed lock whose
  // payload is identical counts as up to date (CI checks drift without holding the signing key).
  if (existing === undefined) {
    throw new LockError(
      'LOCK_NOT_FOUND',
      `${options.lockPath} does not exist and --frozen (the default when CI=true) forbids creating it; run \`agentlang lock ${agentPath}\` and commit the lock`,
      { details: { lockPath: options.lockPath } },
    );
  }
  if (drifts.length > 0) throw driftError(drifts, { agentPath, lockPath: options.lockPath });
  if (!samePayload || (signed && changed)) {
    const why = !samePayload
      ? 'it pins the same plan but its bytes are not the canonical serialisation'
      : `it is ${previous === 'signed' ? 'signed with other keys' : 'not signed'}, and signing was requested`;
    throw new LockError(
      'LOCK_DRIFT',
      `${options.lockPath} would change (${why}), and --frozen (the default when CI=true) forbids rewriting it\n` +
        `  Re-run \`agentlang lock ${agentPath}${signed ? ' --sign-key-env VAR' : ''}\` without --frozen if the change is intentional.`,
      { details: { lockPath: options.lockPath, drifts: [], previous } },
    );
  }
  return { ...result, written: false, bytes: existing };
}

/** Options of {@link lockAgent}. */
export interface LockAgentOptions extends Omit<LockPlanOptions, 'lockPath' | 'manifestPath'> {
  /** Where the lock goes (default {@link lockPathFor} the agent path). */
  lockPath?: string;
  /** Passed to @agentlang/resolver's resolvePlan (MCP servers are probed unless `probeMcp: false`). */
  resolve?: ResolveOptions;
}

/** {@link LockResult} plus the plan that was locked. */
export interface LockAgentResult extends LockResult {
  plan: ResolvedPlan;
}

/**
 * Loads an agent (directory or YAML file), resolves it against this host, and locks the plan
 * (see {@link lockPlan}). What `agentlang lock` does, as a library call.
 */
export async function lockAgent(agentPath: string, options: LockAgentOptions = {}): Promise<LockAgentResult> {
  const [{ loadAgent }, { resolvePlan }] = await Promise.all([import('@agentlang/manifest'), import('@agentlang/resolver')]);
  const agent = await loadAgent(agentPath);
  const lockPath = options.lockPath ?? lockPathFor(agentPath);
  const frozen = options.frozen ?? (options.env ?? process.env).CI === 'true';
  const label = options.agentPath ?? agentPath;
  // Frozen: the lock must already hold. A missing lock, or drift in anything that needs no
  // process, is refused before the resolver's executor starts a dependency check or MCP server.
  const beforeProbe = frozen
    ? (draft: ResolvedPlan) => {
        const existing = readExisting(lockPath);
        if (existing === undefined) {
          throw new LockError(
            'LOCK_NOT_FOUND',
            `${lockPath} does not exist and --frozen (the default when CI=true) forbids creating it; run \`agentlang lock ${label}\` and commit the lock`,
            { details: { lockPath } },
          );
        }
        const drifts = checkLockBeforeProbes(parseLockFile(existing, { label: lockPath }).lock, draft);
        if (drifts.length > 0) throw driftError(drifts, { agentPath: label, lockPath });
        return options.resolve?.beforeProbe?.(draft);
      }
    : options.resolve?.beforeProbe;
  const plan = await resolvePlan(agent, { ...(options.env && { env: options.env }), ...options.resolve, ...(beforeProbe && { beforeProbe }) });
  const manifestFile = agent.source.kind === 'memory' ? agent.source.entry : join(agent.source.root, agent.source.entry);
  const manifestPath = relative(dirname(resolve(lockPath)), resolve(manifestFile)).split(sep).join('/');
  const result = lockPlan(plan, { ...options, lockPath, manifestPath, agentPath: options.agentPath ?? agentPath });
  return { ...result, plan };
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
    throw driftError(drifts, { agentPath: options.agentPath ?? contents.lock.manifest.path, lockPath: options.lockPath });
  }
  return contents;
}
