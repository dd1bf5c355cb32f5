import { canonicalJson } from '@agentlang/manifest';
import { assertSafeEntryName, NameSet } from './entry-name.js';
import { ContainerError, ContainerErrorCode } from './errors.js';
import { MAX_TAR_SIZE } from './tar-header.js';

/** Format tag of `manifest.json`. */
export const INDEX_FORMAT = 'agentlang.container/v1';
/** Name of the signed index entry (always the archive's first entry). */
export const INDEX_ENTRY = 'manifest.json';
/** Name of the DSSE envelope entry (always the second entry). */
export const SIGNATURE_ENTRY = 'signature.sig';
/** Name of the lock entry. */
export const LOCK_ENTRY = 'agent.lock';
/** Name of the encrypted prompt entry. */
export const ENCRYPTED_PROMPT_ENTRY = 'prompt.yaml.enc';
/** Plaintext name of the prompt (what decryption restores). */
export const PROMPT_FILE = 'prompt.yaml';
/** Directory of bundled resources. */
export const CONTEXT_DIR = 'context/';
/** Value of `createdBy` (fixed per package version so builds stay deterministic). */
export const CREATED_BY = '@agentlang/container 0.1.0';

/** What an entry is for. */
export type EntryKind = 'source' | 'prompt' | 'lock' | 'context';

/** One entry of the index. */
export interface IndexEntry {
  path: string;
  kind: EntryKind;
  size: number;
  /** `sha256:<64 hex>` of the entry's bytes as stored. */
  sha256: string;
}

/** A recipient as listed in the index (no wrapped keys, no salts: deterministic). */
export type IndexRecipient = { type: 'x25519'; keyId: string } | { type: 'scrypt'; N: number; r: number; p: number };

/** The encryption summary in the index. */
export interface IndexEncryption {
  /** Always `prompt.yaml.enc`. */
  entry: string;
  /** What it decrypts to: `prompt.yaml`. */
  plaintext: string;
  scheme: 'agentlang-encrypted/v1';
  cipher: 'AES-256-GCM';
  chunkSize: number;
  recipients: IndexRecipient[];
}

/** `manifest.json`: the signed index of a container. */
export interface ContainerIndex {
  format: typeof INDEX_FORMAT;
  agent: { name: string; version: string; digest: string; dialect: string };
  /** Path of the agent's manifest file among the entries (`agent.yaml`, or the YAML file's own name). */
  entry: string;
  createdBy: string;
  /** In archive order, after `manifest.json` and `signature.sig`. */
  entries: IndexEntry[];
  encryption: IndexEncryption | null;
}

/** Serialises the index as its exact signed bytes (RFC 8785 canonical JSON). */
export function serializeIndex(index: ContainerIndex): Buffer {
  return Buffer.from(canonicalJson(index), 'utf8');
}

function invalid(why: string, details: Record<string, unknown> = {}): ContainerError {
  return new ContainerError(
    ContainerErrorCode.IndexInvalid,
    `manifest.json is not a valid ${INDEX_FORMAT} index: ${why}`,
    { details: details },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function exactKeys(value: Record<string, unknown>, keys: string[], where: string): void {
  const extra = Object.keys(value).filter((k) => !keys.includes(k));
  const missing = keys.filter((k) => !(k in value));
  if (extra.length > 0 || missing.length > 0)
    throw invalid(`${where} has unexpected keys [${extra.join(', ')}] or lacks [${missing.join(', ')}]`);
}

const KIND_ORDER: Record<EntryKind, number> = { source: 0, prompt: 0, lock: 0, context: 1 };

/**
 * Parses and validates the index bytes (only after the signature over them was checked): exact
 * keys, safe and unique entry names, sizes, digests, and the fixed layout rules.
 */
export function parseIndex(bytes: Uint8Array): ContainerIndex {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new ContainerError(ContainerErrorCode.IndexInvalid, 'manifest.json is not JSON', { details: {}, cause });
  }
  if (!isRecord(value)) throw invalid('not an object');
  exactKeys(value, ['format', 'agent', 'entry', 'createdBy', 'entries', 'encryption'], 'the index');
  if (value.format !== INDEX_FORMAT)
    throw invalid(`format is ${JSON.stringify(value.format)}; this reader understands ${INDEX_FORMAT}`);
  const agent = value.agent;
  if (!isRecord(agent)) throw invalid('agent is not an object');
  exactKeys(agent, ['name', 'version', 'digest', 'dialect'], 'agent');
  for (const k of ['name', 'version', 'digest', 'dialect'])
    if (typeof agent[k] !== 'string' || agent[k] === '') throw invalid(`agent.${k} is not a non-empty string`);
  if (typeof value.entry !== 'string' || typeof value.createdBy !== 'string')
    throw invalid('entry or createdBy is not a string');
  if (!Array.isArray(value.entries)) throw invalid('entries is not an array');
  const names = new NameSet();
  names.add(INDEX_ENTRY, 'manifest.json');
  names.add(SIGNATURE_ENTRY, 'manifest.json');
  let lastRank = 0;
  let previousContext: Buffer | undefined;
  let locks = 0;
  let prompts = 0;
  for (const [i, e] of value.entries.entries()) {
    if (!isRecord(e)) throw invalid(`entries[${i}] is not an object`);
    exactKeys(e, ['path', 'kind', 'size', 'sha256'], `entries[${i}]`);
    if (typeof e.path !== 'string') throw invalid(`entries[${i}].path is not a string`);
    assertSafeEntryName(e.path, 'manifest.json');
    names.add(e.path, 'manifest.json');
    if (!['source', 'prompt', 'lock', 'context'].includes(e.kind as string))
      throw invalid(`entries[${i}].kind is ${JSON.stringify(e.kind)}`);
    const kind = e.kind as EntryKind;
    if (!Number.isSafeInteger(e.size) || (e.size as number) < 0 || (e.size as number) > MAX_TAR_SIZE)
      throw invalid(`entries[${i}].size is not an integer in 0..${MAX_TAR_SIZE}`);
    if (typeof e.sha256 !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(e.sha256))
      throw invalid(`entries[${i}].sha256 is not "sha256:<64 hex>"`);
    const isContextPath = e.path.startsWith(CONTEXT_DIR);
    if ((kind === 'context') !== isContextPath)
      throw invalid(`entries[${i}] ${e.path}: kind ${kind} does not match its path`);
    if (kind === 'lock' && (e.path !== LOCK_ENTRY || ++locks > 1))
      throw invalid(`entries[${i}]: the lock must be the one entry ${LOCK_ENTRY}`);
    if (kind === 'prompt' && (e.path !== ENCRYPTED_PROMPT_ENTRY || ++prompts > 1))
      throw invalid(`entries[${i}]: the prompt must be the one entry ${ENCRYPTED_PROMPT_ENTRY}`);
    if (kind !== 'lock' && e.path === LOCK_ENTRY) throw invalid(`entries[${i}]: ${LOCK_ENTRY} must have kind lock`);
    if (kind !== 'prompt' && (e.path === ENCRYPTED_PROMPT_ENTRY || e.path === PROMPT_FILE))
      throw invalid(`entries[${i}]: ${e.path} may only appear as the encrypted prompt`);
    const rank = KIND_ORDER[kind];
    if (rank < lastRank) throw invalid(`entries[${i}] ${e.path}: context entries must come last`);
    lastRank = rank;
    if (kind === 'context') {
      const key = Buffer.from(e.path, 'utf8');
      if (previousContext && Buffer.compare(previousContext, key) >= 0)
        throw invalid(`entries[${i}] ${e.path}: context entries must be sorted bytewise`);
      previousContext = key;
    }
  }
  if (locks !== 1) throw invalid(`there must be exactly one ${LOCK_ENTRY} entry`);
  const entries = value.entries as IndexEntry[];
  const entryFile = entries.find((e) => e.path === value.entry);
  if (entryFile?.kind !== 'source') throw invalid(`entry ${JSON.stringify(value.entry)} is not a source entry`);
  if (value.encryption === null) {
    if (prompts !== 0) throw invalid(`${ENCRYPTED_PROMPT_ENTRY} is listed but encryption is null`);
  } else {
    const enc = value.encryption;
    if (!isRecord(enc)) throw invalid('encryption is neither null nor an object');
    exactKeys(enc, ['entry', 'plaintext', 'scheme', 'cipher', 'chunkSize', 'recipients'], 'encryption');
    if (
      enc.entry !== ENCRYPTED_PROMPT_ENTRY ||
      enc.plaintext !== PROMPT_FILE ||
      enc.scheme !== 'agentlang-encrypted/v1' ||
      enc.cipher !== 'AES-256-GCM' ||
      typeof enc.chunkSize !== 'number'
    ) {
      throw invalid('encryption does not describe prompt.yaml.enc with agentlang-encrypted/v1 and AES-256-GCM');
    }
    if (!Array.isArray(enc.recipients) || enc.recipients.length === 0) throw invalid('encryption.recipients is empty');
    if (prompts !== 1) throw invalid(`encryption is described but ${ENCRYPTED_PROMPT_ENTRY} is not listed`);
  }
  const canonical = serializeIndex(value as unknown as ContainerIndex);
  if (!canonical.equals(Buffer.from(bytes))) throw invalid('the bytes are not in canonical (RFC 8785) form');
  return value as unknown as ContainerIndex;
}
