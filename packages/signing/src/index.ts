export { SigningError, SigningErrorCode } from './errors.js';
export {
  generateSigningKeyPair,
  keyIdFor,
  keyIdOf,
  privateKeyObject,
  publicKeyFor,
  publicKeyObject,
  rawPublicKey,
  type SigningKeyPair,
} from './ed25519.js';
export {
  MAX_SIGNATURES,
  envelopeFromJson,
  looksLikeEnvelope,
  parseEnvelope,
  preAuthEncoding,
  serializeEnvelope,
  signEnvelope,
  verifyEnvelope,
  verifyEnvelopeDetailed,
  type Envelope,
  type EnvelopeSignature,
  type VerifiedEnvelope,
  type VerifyEnvelopeOptions,
} from './envelope.js';
export { signingKeyFromEnv } from './signing-key-env.js';
export { decodeKeyHex } from './hex.js';
export { decodeBase64Strict } from './base64.js';
