import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Lockfile } from '@agentlang/lock';
import { type LoadedAgent, type LoadOptions, loadAgent, sniffInput } from '@agentlang/manifest';

/** What an input path held. */
export type AgentInputSource = 'directory' | 'yaml' | 'container';

/** Options of {@link openAgentInput}. */
export interface OpenAgentInputOptions {
  /** Directory relative paths resolve against (default `process.cwd()`). */
  cwd?: string;
  /**
   * Trusted Ed25519 public keys (64 hex). When given, the input is signed by one of them or it is
   * refused before anything else happens: a container by its own signature (which covers every
   * entry, its lock included); a directory or YAML manifest by a lock — `lockPath`, else the lock
   * beside it (`<dir>/agent.lock`, `<file>.lock`) — whose signature verifies under a key and whose
   * manifest hash is the agent's digest.
   */
  publicKeys?: string[];
  /** X25519 identity (`AGENTLANG-X25519-SECRET-…`) that decrypts a container's prompt. */
  identity?: string;
  /** Passphrase that decrypts a container's prompt. */
  passphrase?: string;
  /**
   * Fail unless a container's encrypted prompt is decrypted (what running needs). Default false:
   * without an identity or passphrase the prompt stays encrypted; the agent is still loaded, its
   * digest checked, with the prompt's file digest taken from the container's own lock.
   */
  requirePrompt?: boolean;
  /** A lock file to use instead of the input's own (for a container: instead of the one inside it). */
  lockPath?: string;
  /** Refuse unless the lock is signed and verifies under `publicKeys` (fails closed: LOCK_KEY_MISSING without keys). */
  requireSigned?: boolean;
  /**
   * Refuse a container unless `publicKeys` are given (so its signature is verified): what running
   * one needs. Without keys this fails with CONTAINER_KEY_MISSING before the container is read.
   */
  requireContainerKey?: boolean;
  /** Passed to @agentlang/manifest's loadAgent for a directory or YAML manifest (e.g. `resolveBase` for a registry `base:`). */
  load?: LoadOptions;
}

/** The lock that came with an input, as bytes (never a temporary file). */
export interface AgentInputLock {
  /** The lock file's exact bytes (a plain lock or a signed envelope). */
  bytes: Uint8Array;
  /** Where it came from, for messages: a path, or `<container>:agent.lock`. */
  label: string;
  /** The parsed lock (the verified payload when a signature was checked). */
  lock: Lockfile;
  /** Whether a signature covers these bytes: the lock's own envelope, or the container's signature. */
  signed: boolean;
  /** Whether that signature verified under a trusted key in this call. */
  verified: boolean;
  /** Which signature covers the lock: its own envelope, the container's, or none. */
  signature: 'lock' | 'container' | null;
  /** Key ids (sha256 of the public key) that verified; empty unless `verified`. */
  keyIds: string[];
}

/** A container input: what its signed index says and what was done with it. */
export interface AgentInputContainer {
  index: import('@agentlang/container').ContainerIndex;
  signature: import('@agentlang/container').SignatureStatus;
  /** Entries in the archive, as `tar tvf` lists them: the agent's files plus `manifest.json` and `signature.sig`. */
  archiveEntries: number;
  /** The prompt: none in the agent, decrypted in memory, or left encrypted. */
  prompt: 'none' | 'decrypted' | 'encrypted';
}

/** An opened agent input: the agent, the lock bytes that came with it, and what was verified. */
export interface AgentInput {
  source: AgentInputSource;
  /** The input, absolute. */
  path: string;
  agent: LoadedAgent;
  lock: AgentInputLock | null;
  container: AgentInputContainer | null;
  /** What verified under a trusted key before anything else was read: null when no key was given. */
  verified: { by: 'container' | 'lock'; keyIds: string[] } | null;
}

// The lock and container code load lazily: a directory or YAML manifest opened without a key or a
// lock (what `validate` does) needs neither, and the CLI's fast-path bundles leave them out.
const lockApi = () => import('@agentlang/lock');

async function readLock(path: string, options: OpenAgentInputOptions): Promise<AgentInputLock> {
  const { readLockFile } = await lockApi();
  const keys = options.publicKeys ?? [];
  const read = readLockFile(path, {
    ...(keys.length > 0 ? { publicKeys: keys } : {}),
    ...(options.requireSigned ? { requireSigned: true } : {}),
  });
  return {
    bytes: read.bytes,
    label: path,
    lock: read.lock,
    signed: read.signed,
    verified: read.verified,
    signature: read.signed ? 'lock' : null,
    keyIds: read.keyids,
  };
}

/** A manifest whose lock was signed for another agent (or version) is refused like drift, before resolving. */
async function assertLockCovers(lock: AgentInputLock, agent: LoadedAgent, label: string): Promise<void> {
  if (lock.lock.manifest.hash === agent.digest) return;
  const { driftError } = await lockApi();
  throw driftError(
    [
      {
        kind: 'manifest',
        subject: lock.lock.manifest.path,
        locked: lock.lock.manifest.hash,
        current: agent.digest,
        message: `manifest hash ${agent.digest} does not match lock's recorded hash ${lock.lock.manifest.hash}`,
      },
    ],
    { agentPath: label, lockPath: lock.label },
  );
}

/**
 * Opens what `agentlang <verb> X` names — a directory holding `agent.yaml`, a YAML manifest of either
 * dialect, or a `.agent` container, told apart by content — and returns the agent with the lock
 * bytes that came with it. A container is verified (every digest; its signature under `publicKeys`)
 * and every file of the agent, sub-agents included, is read from the verified container, never
 * from the host. With `publicKeys`, unsigned input is refused (see the option).
 */
export async function openAgentInput(path: string, options: OpenAgentInputOptions = {}): Promise<AgentInput> {
  const full = resolve(options.cwd ?? process.cwd(), path);
  const kind = await sniffInput(full);
  const keys = options.publicKeys ?? [];
  if (kind === 'container') return openContainerInput(full, path, options);
  const agent = await loadAgent(full, options.load);
  const lockPath = options.lockPath !== undefined ? resolve(options.cwd ?? process.cwd(), options.lockPath) : undefined;
  if (lockPath === undefined && keys.length === 0 && !options.requireSigned) {
    return { source: kind, path: full, agent, lock: null, container: null, verified: null };
  }
  const { LockError, lockPathFor } = await lockApi();
  const defaultLock = lockPathFor(full);
  if (lockPath === undefined && keys.length > 0 && !existsSync(defaultLock)) {
    throw new LockError(
      'LOCK_NOT_FOUND',
      `${path} is a ${kind === 'directory' ? 'directory' : 'YAML manifest'}, which carries no signature of its own, and a public key was given: it is trusted (run, verified) only with a lock signed by that key. No lock was given and ${defaultLock} does not exist; sign one with \`agentlang lock ${path} --sign-key-env AGENTLANG_SIGNING_KEY\` (or pass --lock FILE), or build a signed container`,
      { details: { path: defaultLock } },
    );
  }
  const chosen = lockPath ?? (keys.length > 0 ? defaultLock : undefined);
  let lock: AgentInputLock | null = null;
  if (chosen !== undefined) {
    lock = await readLock(chosen, options);
    if (keys.length > 0 || options.requireSigned) await assertLockCovers(lock, agent, path);
  } else if (options.requireSigned) {
    throw new LockError(
      'LOCK_KEY_MISSING',
      `a signed lock is required for ${path} but none was given; pass --lock FILE and --pubkey HEX`,
      { details: { path: full } },
    );
  }
  return {
    source: kind,
    path: full,
    agent,
    lock,
    container: null,
    verified: lock?.verified ? { by: 'lock', keyIds: lock.keyIds } : null,
  };
}

async function openContainerInput(full: string, shown: string, options: OpenAgentInputOptions): Promise<AgentInput> {
  const keys = options.publicKeys ?? [];
  // Lazy: the container code (tar walking, prompt crypto) loads only for containers; the CLI's
  // fast-path bundles leave it out and hand containers to the full CLI.
  const { ContainerError, ContainerErrorCode, LOCK_ENTRY, PROMPT_FILE, openContainer } = await import(
    '@agentlang/container'
  );
  if (options.requireContainerKey && keys.length === 0) {
    throw new ContainerError(
      ContainerErrorCode.KeyMissing,
      `${shown} is a container: pass --pubkey HEX (the signer's Ed25519 public key, or set AGENTLANG_PUBKEY); a container is verified before it runs`,
      { details: { file: full } },
    );
  }
  const decrypt = options.identity !== undefined || options.passphrase !== undefined || options.requirePrompt === true;
  const opened = await openContainer(full, {
    publicKeys: keys,
    ...(options.identity !== undefined ? { identity: options.identity } : {}),
    ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
    ...(decrypt ? { requireDecryption: true } : {}),
  });
  const { index, signature, files } = opened;
  const lockBytes = files[LOCK_ENTRY];
  if (lockBytes === undefined) {
    throw new ContainerError(
      ContainerErrorCode.IndexInvalid,
      `${shown} holds no ${LOCK_ENTRY}; rebuild it with \`agentlang build\``,
      { details: { file: full } },
    );
  }
  const { LockError, parseLockFile } = await lockApi();
  const containerLock = parseLockFile(lockBytes, { label: `${shown}:${LOCK_ENTRY}` });
  const verified = signature.state === 'verified';
  const inner: AgentInputLock = {
    bytes: lockBytes,
    label: `${shown}:${LOCK_ENTRY}`,
    lock: containerLock.lock,
    signed: signature.state !== 'unsigned',
    verified,
    signature: signature.state !== 'unsigned' ? 'container' : null,
    keyIds: verified ? signature.verifiedBy : [],
  };
  // Without the prompt's plaintext, its digest (part of the agent's) comes from the verified lock.
  const encrypted = index.encryption !== null && files[PROMPT_FILE] === undefined;
  // agentlang.lock/v2 keys files by role (`prompt`), v1 by path (`prompt.yaml`).
  const promptDigest = encrypted
    ? (containerLock.lock.files.prompt ?? containerLock.lock.files[PROMPT_FILE])
    : undefined;
  if (encrypted && promptDigest === undefined) {
    throw new ContainerError(
      ContainerErrorCode.DecryptNoMatch,
      `the prompt of ${shown} is encrypted and its lock records no digest for ${PROMPT_FILE}; pass the identity (AGENTLANG_IDENTITY) or passphrase that decrypts it`,
      { details: { file: full } },
    );
  }
  const { loadAgentFromFiles } = await import('@agentlang/manifest');
  const agent = await loadAgentFromFiles(files, {
    entry: index.entry,
    label: full,
    ...(promptDigest !== undefined ? { fileDigests: { [PROMPT_FILE]: promptDigest } } : {}),
  });
  if (agent.digest !== index.agent.digest) {
    throw new ContainerError(
      ContainerErrorCode.DigestMismatch,
      `the agent in ${shown} has digest ${agent.digest}, but the signed index says ${index.agent.digest}; the container is inconsistent`,
      { details: { file: full, found: agent.digest, expected: index.agent.digest } },
    );
  }
  let lock = inner;
  if (options.lockPath !== undefined) {
    lock = await readLock(resolve(options.cwd ?? process.cwd(), options.lockPath), options);
    await assertLockCovers(lock, agent, shown);
  } else if (options.requireSigned && !verified) {
    throw new LockError(
      'LOCK_KEY_MISSING',
      `a signed lock is required but no public key was given to verify ${shown}; pass --pubkey <hex>`,
      { details: { path: full } },
    );
  }
  return {
    source: 'container',
    path: full,
    agent,
    lock,
    container: {
      index,
      signature,
      archiveEntries: index.entries.length + 2,
      prompt: index.encryption === null ? 'none' : encrypted ? 'encrypted' : 'decrypted',
    },
    verified: verified ? { by: 'container', keyIds: signature.verifiedBy } : null,
  };
}
