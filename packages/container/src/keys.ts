import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { keyIdOf, rawPublicKey } from '@agentlang/signing';
import { ContainerError, ContainerErrorCode } from './errors.js';

const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

/** Prefix of an X25519 identity (secret) string, as printed by `agentlang keygen --x25519`. */
export const IDENTITY_PREFIX = 'AGENTLANG-X25519-SECRET-';
/** Prefix of an X25519 recipient (public) string. */
export const RECIPIENT_PREFIX = 'agentlang-x25519-';

function keyError(what: string, found: string, expected: string): ContainerError {
  return new ContainerError(ContainerErrorCode.KeyInvalid, `invalid ${what}: expected ${expected}, found ${found}`, {
    details: { what },
  });
}

function describe(value: string): string {
  return value.length === 0 ? 'an empty string' : `${value.length} characters`;
}

function hexBytes(value: string, lengths: number[], what: string, expected: string): Buffer {
  const text = value.trim();
  if (!/^[0-9a-fA-F]*$/.test(text) || !lengths.includes(text.length / 2) || text.length % 2 !== 0) {
    throw keyError(what, describe(text), expected);
  }
  return Buffer.from(text, 'hex');
}

/** An X25519 key pair as the strings users handle. */
export interface X25519Identity {
  /** `AGENTLANG-X25519-SECRET-<64 hex>`: keep secret; it decrypts prompts. */
  identity: string;
  /** `agentlang-x25519-<64 hex>`: give it to whoever builds containers for you. */
  recipient: string;
  /** sha256 hex of the public key, as shown by `agentlang inspect`. */
  keyId: string;
}

/** Generates a fresh X25519 identity (for `--recipient` and `AGENTLANG_IDENTITY`). */
export function generateX25519Identity(): X25519Identity {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const secret = Buffer.from(pkcs8.subarray(pkcs8.length - 32));
  const pub = rawPublicKey(publicKey);
  return {
    identity: `${IDENTITY_PREFIX}${secret.toString('hex')}`,
    recipient: `${RECIPIENT_PREFIX}${pub.toString('hex')}`,
    keyId: keyIdOf(pub),
  };
}

/** Parses an X25519 recipient (`agentlang-x25519-<hex>`, or bare 64 hex) into a public key. */
export function parseRecipient(text: string): { key: KeyObject; raw: Buffer; keyId: string } {
  const trimmed = text.trim();
  const body = trimmed.startsWith(RECIPIENT_PREFIX) ? trimmed.slice(RECIPIENT_PREFIX.length) : trimmed;
  if (trimmed.startsWith(IDENTITY_PREFIX)) {
    throw new ContainerError(
      ContainerErrorCode.KeyInvalid,
      'a secret X25519 identity was given where a recipient (public key) belongs; pass the AGENTLANG_RECIPIENT value instead, and keep the identity secret',
      { details: {} },
    );
  }
  const raw = hexBytes(body, [32], 'X25519 recipient', `"${RECIPIENT_PREFIX}<64 hex>"`);
  const key = createPublicKey({ key: Buffer.concat([X25519_SPKI, raw]), format: 'der', type: 'spki' });
  return { key, raw, keyId: keyIdOf(raw) };
}

/** Parses an X25519 identity (`AGENTLANG-X25519-SECRET-<hex>`) into its private key and public parts. */
export function parseIdentity(text: string): { key: KeyObject; raw: Buffer; keyId: string } {
  const trimmed = text.trim();
  if (!trimmed.startsWith(IDENTITY_PREFIX)) {
    throw keyError(
      'X25519 identity',
      trimmed.startsWith(RECIPIENT_PREFIX) ? 'a recipient (public key)' : describe(trimmed),
      `"${IDENTITY_PREFIX}<64 hex>" as printed by \`agentlang keygen --x25519\``,
    );
  }
  const secret = hexBytes(
    trimmed.slice(IDENTITY_PREFIX.length),
    [32],
    'X25519 identity',
    `"${IDENTITY_PREFIX}<64 hex>"`,
  );
  const key = createPrivateKey({ key: Buffer.concat([X25519_PKCS8, secret]), format: 'der', type: 'pkcs8' });
  const raw = rawPublicKey(createPublicKey(key));
  return { key, raw, keyId: keyIdOf(raw) };
}
