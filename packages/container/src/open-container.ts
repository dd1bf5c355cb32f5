import { type ContainerIndex, ENCRYPTED_PROMPT_ENTRY, PROMPT_FILE } from './container-index.js';
import { ContainerError, ContainerErrorCode } from './errors.js';
import { decryptPrompt } from './prompt-crypto.js';
import { type SignatureStatus, walkContainer } from './read-container.js';

/** Largest non-context entry held in memory by `openContainer`. */
export const MAX_OPEN_ENTRY_BYTES = 64 * 1024 * 1024;

/** Options of `openContainer`. */
export interface OpenOptions {
  /** Trusted Ed25519 public keys (hex); when given, a valid signature by one of them is required. */
  publicKeys?: string[];
  /** Refuse a container without a verified signature (default: true when `publicKeys` are given). */
  requireSignature?: boolean;
  /** X25519 identity (`AGENTLANG-X25519-SECRET-…`) that decrypts the prompt. */
  identity?: string;
  /** Passphrase that decrypts the prompt. */
  passphrase?: string;
  /**
   * Fail when the prompt cannot be decrypted (default false: without an identity or passphrase the
   * prompt is simply left out of `files` and `prompt` is null).
   */
  requireDecryption?: boolean;
  /** Also load `context/` entries into memory (default false: only their index entries). */
  includeContext?: boolean;
}

/** A verified, decrypted container in memory. */
export interface OpenedContainer {
  index: ContainerIndex;
  signature: SignatureStatus;
  /**
   * The agent's files by relative path, ready for `loadAgentFromFiles(files, { entry: index.entry })`:
   * sources, `agent.lock`, the decrypted `prompt.yaml`, and `context/…` when asked for.
   */
  files: Record<string, Uint8Array>;
  /** The decrypted prompt text, or null when the agent has no prompt or it was not decrypted. */
  prompt: string | null;
}

/**
 * Verifies a container (signature when keys are given, every digest always) and decrypts its
 * prompt in memory; nothing is returned unless every byte matched the signed index.
 */
export async function openContainer(file: string, options: OpenOptions = {}): Promise<OpenedContainer> {
  const collected = new Map<string, Buffer[]>();
  const result = await walkContainer(file, {
    publicKeys: options.publicKeys ?? [],
    requireSignature: options.requireSignature ?? (options.publicKeys ?? []).length > 0,
    sink: (entry) => {
      if (entry.kind === 'context' && !options.includeContext) return undefined;
      if (entry.size > MAX_OPEN_ENTRY_BYTES && entry.kind !== 'context') {
        throw new ContainerError(
          ContainerErrorCode.EntryTooLarge,
          `entry ${entry.path} is ${entry.size} bytes; openContainer holds at most ${MAX_OPEN_ENTRY_BYTES} per entry in memory — use unpackContainer`,
          { details: { path: entry.path, size: entry.size } },
        );
      }
      const parts: Buffer[] = [];
      collected.set(entry.path, parts);
      return (chunk) => {
        parts.push(Buffer.from(chunk));
      };
    },
  });
  const files: Record<string, Uint8Array> = {};
  for (const [path, parts] of collected) {
    if (path === ENCRYPTED_PROMPT_ENTRY) continue;
    files[path] = Buffer.concat(parts);
  }
  let prompt: string | null = null;
  if (
    result.index.encryption &&
    (options.identity !== undefined || options.passphrase !== undefined || options.requireDecryption)
  ) {
    const sealed = Buffer.concat(collected.get(ENCRYPTED_PROMPT_ENTRY) ?? []);
    const agentId = `${result.index.agent.name}@${result.index.agent.version}`;
    const plain = decryptPrompt(sealed, agentId, { identity: options.identity, passphrase: options.passphrase });
    files[PROMPT_FILE] = plain;
    prompt = plain.toString('utf8');
  }
  return { index: result.index, signature: result.signature, files, prompt };
}

/** A container opened and loaded as an agent whose digest matches the signed index. */
export interface LoadedContainerAgent extends OpenedContainer {
  agent: import('@agentlang/manifest').LoadedAgent;
}

/**
 * Opens a container (see {@link openContainer}) and loads its files with `loadAgentFromFiles`,
 * refusing it unless the loaded agent's digest equals the one in the signed index.
 */
export async function loadContainerAgent(file: string, options: OpenOptions = {}): Promise<LoadedContainerAgent> {
  const opened = await openContainer(file, { ...options, requireDecryption: true });
  const { loadAgentFromFiles } = await import('@agentlang/manifest');
  const agent = await loadAgentFromFiles(opened.files, { entry: opened.index.entry, label: file });
  if (agent.digest !== opened.index.agent.digest) {
    throw new ContainerError(
      ContainerErrorCode.DigestMismatch,
      `the agent in ${file} has digest ${agent.digest}, but the signed index says ${opened.index.agent.digest}; the container is inconsistent`,
      { details: { file, found: agent.digest, expected: opened.index.agent.digest } },
    );
  }
  return { ...opened, agent };
}
