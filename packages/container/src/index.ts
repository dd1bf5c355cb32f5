export { ContainerError, ContainerErrorCode } from './errors.js';
export {
  type ContainerIndex,
  type EntryKind,
  type IndexEntry,
  type IndexEncryption,
  type IndexRecipient,
  CONTEXT_DIR,
  ENCRYPTED_PROMPT_ENTRY,
  INDEX_ENTRY,
  INDEX_FORMAT,
  LOCK_ENTRY,
  PROMPT_FILE,
  SIGNATURE_ENTRY,
  parseIndex,
  serializeIndex,
} from './container-index.js';
export { CONTAINER_PAYLOAD_TYPE, type Envelope } from './envelope.js';
export {
  IDENTITY_PREFIX,
  RECIPIENT_PREFIX,
  type X25519Identity,
  generateX25519Identity,
  parseIdentity,
  parseRecipient,
} from './keys.js';
export { keyIdOf } from '@agentlang/signing';
export { DEFAULT_SCRYPT, type DecryptWith, type EncryptTo, decryptPrompt, encryptPrompt } from './prompt-crypto.js';
export { type BuildProgress, type PackInput, packContainer } from './pack-container.js';
export { type SignatureStatus, type WalkOptions, type WalkResult, walkContainer } from './read-container.js';
export { type ContainerInfo, inspectContainer } from './inspect-container.js';
export { type VerifiedContainer, verifyContainer } from './verify-container.js';
export {
  type LoadedContainerAgent,
  type OpenOptions,
  type OpenedContainer,
  loadContainerAgent,
  openContainer,
} from './open-container.js';
export { type BuildOptions, type BuildResult, buildContainer } from './build-container.js';
export { type UnpackOptions, unpackContainer } from './unpack-container.js';
export { BLOCK as TAR_BLOCK, encodeHeader as encodeTarHeader, paddingFor as tarPaddingFor } from './tar-header.js';
export { listTarEntries, type TarSpan } from './list-tar-entries.js';
