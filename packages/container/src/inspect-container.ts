import {
  type ContainerIndex,
  ENCRYPTED_PROMPT_ENTRY,
  type IndexEntry,
  type IndexRecipient,
} from './container-index.js';
import { type SignatureStatus, walkContainer } from './read-container.js';

/** What `inspectContainer` reports: metadata, entries, signature status, recipients — never plaintext. */
export interface ContainerInfo {
  file: string;
  fileSize: number;
  format: string;
  agent: ContainerIndex['agent'];
  entry: string;
  createdBy: string;
  entries: IndexEntry[];
  /** Total bytes of `context/` entries. */
  contextBytes: number;
  signature: SignatureStatus;
  encryption: { entry: string; cipher: string; chunkSize: number; recipients: IndexRecipient[] } | null;
}

/**
 * Reads a container's index and checks its integrity (every digest) without decrypting anything;
 * with `publicKeys` the signature must verify, without them its key ids are reported unverified.
 */
export async function inspectContainer(file: string, options: { publicKeys?: string[] } = {}): Promise<ContainerInfo> {
  const { index, signature, fileSize } = await walkContainer(file, { publicKeys: options.publicKeys ?? [] });
  return {
    file,
    fileSize,
    format: index.format,
    agent: index.agent,
    entry: index.entry,
    createdBy: index.createdBy,
    entries: index.entries,
    contextBytes: index.entries.filter((e) => e.kind === 'context').reduce((n, e) => n + e.size, 0),
    signature,
    encryption: index.encryption
      ? {
          entry: ENCRYPTED_PROMPT_ENTRY,
          cipher: index.encryption.cipher,
          chunkSize: index.encryption.chunkSize,
          recipients: index.encryption.recipients,
        }
      : null,
  };
}
