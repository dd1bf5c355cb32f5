export { LockError, LockErrorCode } from './errors.js';
export {
  generateSigningKeyPair,
  keyIdFor,
  publicKeyFor,
  type SigningKeyPair,
} from './ed25519.js';
export {
  MAX_SIGNATURES,
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
