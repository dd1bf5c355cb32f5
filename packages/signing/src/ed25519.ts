import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign, verify } from 'node:crypto';
import { SigningError } from './errors.js';
import { decodeKeyHex } from './hex.js';

// DER prefixes that wrap a raw 32-byte Ed25519 seed (PKCS#8) or public key (SPKI) so node:crypto
// imports them without any third-party code (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A hex Ed25519 key pair: the 32-byte seed (NaCl's `seed`) and the 32-byte public key. */
export interface SigningKeyPair {
  /** 64 hex characters: the 32-byte Ed25519 seed (keep secret; pass through an env var). */
  privateKey: string;
  /** 64 hex characters: the 32-byte Ed25519 public key. */
  publicKey: string;
}

/** Builds a node KeyObject from a hex seed (64 hex) or a NaCl secret key (128 hex = seed ‖ public key). */
export function privateKeyObject(privateKeyHex: string): KeyObject {
  const raw = decodeKeyHex(privateKeyHex, [32, 64], 'private key');
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, raw.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  });
  if (raw.length === 64 && !rawPublicKey(key).equals(raw.subarray(32))) {
    throw new SigningError(
      'SIGNING_KEY_INVALID',
      'private key is 64 bytes (NaCl secret key form) but its second half is not the public key of its first half',
    );
  }
  return key;
}

/** Builds a node KeyObject from a 64-hex raw Ed25519 public key. */
export function publicKeyObject(publicKeyHex: string): KeyObject {
  const raw = decodeKeyHex(publicKeyHex, [32], 'public key');
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch (error) {
    throw new SigningError('SIGNING_KEY_INVALID', 'public key is not a valid Ed25519 point', { cause: error });
  }
}

/** The raw 32 public-key bytes of a private or public Ed25519 (or X25519) KeyObject; both SPKI forms share the prefix length. */
export function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

/** Generates a fresh Ed25519 key pair as hex (seed + public key), interchangeable with NaCl's. */
export function generateSigningKeyPair(): SigningKeyPair {
  const seed = randomBytes(32);
  const privateKey = seed.toString('hex');
  const publicKey = rawPublicKey(privateKeyObject(privateKey)).toString('hex');
  seed.fill(0);
  return { privateKey, publicKey };
}

/** Derives the hex public key of a hex private key (seed or NaCl secret key). */
export function publicKeyFor(privateKeyHex: string): string {
  return rawPublicKey(privateKeyObject(privateKeyHex)).toString('hex');
}

/** Lowercase hex sha256 of raw public-key bytes: the key id of an Ed25519 signer or an X25519 recipient. */
export function keyIdOf(rawPublicKeyBytes: Uint8Array): string {
  return createHash('sha256').update(rawPublicKeyBytes).digest('hex');
}

/** The key id recorded next to a signature: {@link keyIdOf} the 64-hex public key's raw 32 bytes. */
export function keyIdFor(publicKeyHex: string): string {
  let id = keyIds.get(publicKeyHex);
  if (id === undefined) {
    id = keyIdOf(decodeKeyHex(publicKeyHex, [32], 'public key'));
    // Verifiers ask for the same few keys' ids on every document; keep a bounded memo.
    if (keyIds.size >= 64) keyIds.delete(keyIds.keys().next().value as string);
    keyIds.set(publicKeyHex, id);
  }
  return id;
}

const keyIds = new Map<string, string>();

/** Signs bytes with Ed25519 (pure, no prehash) and returns the 64-byte signature. */
export function signBytes(key: KeyObject, data: Uint8Array): Buffer {
  return sign(null, data, key);
}

/** Verifies a 64-byte Ed25519 signature; OpenSSL rejects non-canonical S (S ≥ L) and small-order keys. */
export function verifyBytes(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  return verify(null, data, key, signature);
}
