import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  scryptSync,
} from 'node:crypto';
import { canonicalJson } from '@agentlang/manifest';
import { keyIdOf, rawPublicKey } from '@agentlang/signing';
import { ContainerError, ContainerErrorCode } from './errors.js';
import { parseIdentity, parseRecipient } from './keys.js';

/** First line of every encrypted file: names the format and its version. */
export const ENCRYPTED_MAGIC = 'agentlang-encrypted/v1\n';
/** Plaintext bytes per authenticated chunk. */
export const CHUNK_SIZE = 64 * 1024;
/** Default scrypt cost for passphrases: N = 2^15, r = 8, p = 1 (32 MiB, ~0.1 s). */
export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
/** Largest scrypt cost accepted when decrypting (bounds memory a hostile header could demand). */
const MAX_SCRYPT_LOG_N = 20;
const TAG = 16;
const LABEL = 'agentlang.prompt/v1';

/** A recipient stanza of the encryption header, as stored in `prompt.yaml.enc`. */
export type RecipientStanza =
  | { type: 'x25519'; keyId: string; ephemeral: string; wrappedKey: string }
  | { type: 'scrypt'; N: number; r: number; p: number; salt: string; wrappedKey: string };

/** The header line of `prompt.yaml.enc`. */
export interface EncryptionHeader {
  /** `name@version` of the agent: bound into every chunk's associated data. */
  agent: string;
  cipher: 'AES-256-GCM';
  chunkSize: number;
  /** Base64 of 16 random bytes: HKDF salt of the payload key. */
  nonce: string;
  recipients: RecipientStanza[];
}

/** Who may decrypt: X25519 recipients and/or one passphrase. */
export interface EncryptTo {
  recipients?: string[];
  passphrase?: string;
  scrypt?: { N: number; r: number; p: number };
}

function gcm(key: Buffer, nonce: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function ungcm(key: Buffer, nonce: Buffer, aad: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length < TAG) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
  } catch {
    return null;
  }
}

function hkdf(ikm: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(info, 'utf8'), 32));
}

const ZERO_NONCE = Buffer.alloc(12);

function wrapForRecipient(fileKey: Buffer, recipient: string): RecipientStanza {
  const { key, raw, keyId } = parseRecipient(recipient);
  const eph = generateKeyPairSync('x25519');
  const ephRaw = rawPublicKey(eph.publicKey);
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: key });
  const wrapKey = hkdf(shared, Buffer.concat([ephRaw, raw]), `${LABEL} x25519`);
  return {
    type: 'x25519',
    keyId,
    ephemeral: ephRaw.toString('hex'),
    wrappedKey: gcm(wrapKey, ZERO_NONCE, Buffer.from(`${LABEL} wrap`), fileKey).toString('base64'),
  };
}

function scryptKey(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  return scryptSync(Buffer.from(passphrase, 'utf8'), Buffer.concat([Buffer.from(`${LABEL} scrypt`), salt]), 32, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r * params.p + 1024 * 1024,
  });
}

function chunkNonce(index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(index, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

function payloadAad(headerLine: Buffer): Buffer {
  return createHash('sha256').update(`${LABEL} chunk\0`).update(headerLine).digest();
}

/**
 * Encrypts `plaintext` for `agent` (`name@version`): a fresh random file key, AES-256-GCM in
 * 64 KiB chunks (nonce = 11-byte counter ‖ last-chunk flag, associated data = sha256 of the
 * header line, which names the agent), the file key wrapped per recipient and/or passphrase.
 */
export function encryptPrompt(plaintext: Uint8Array, agent: string, to: EncryptTo): Buffer {
  const recipients = to.recipients ?? [];
  if (recipients.length === 0 && to.passphrase === undefined) {
    throw new ContainerError(
      ContainerErrorCode.OptionsInvalid,
      'the prompt needs at least one recipient (--recipient) or a passphrase (--passphrase-env) to be encrypted for',
      { details: {} },
    );
  }
  const fileKey = randomBytes(32);
  const stanzas: RecipientStanza[] = recipients.map((r) => wrapForRecipient(fileKey, r));
  if (to.passphrase !== undefined) {
    if (to.passphrase.length === 0)
      throw new ContainerError(
        ContainerErrorCode.OptionsInvalid,
        'the passphrase is empty; set a non-empty passphrase',
        { details: {} },
      );
    const params = to.scrypt ?? DEFAULT_SCRYPT;
    const salt = randomBytes(16);
    const wrapKey = scryptKey(to.passphrase, salt, params);
    stanzas.push({
      type: 'scrypt',
      N: params.N,
      r: params.r,
      p: params.p,
      salt: salt.toString('base64'),
      wrappedKey: gcm(wrapKey, ZERO_NONCE, Buffer.from(`${LABEL} wrap`), fileKey).toString('base64'),
    });
  }
  const nonce = randomBytes(16);
  const header: EncryptionHeader = {
    agent,
    cipher: 'AES-256-GCM',
    chunkSize: CHUNK_SIZE,
    nonce: nonce.toString('base64'),
    recipients: stanzas,
  };
  const headerLine = Buffer.from(`${canonicalJson(header)}\n`, 'utf8');
  const payloadKey = hkdf(fileKey, nonce, `${LABEL} payload`);
  const aad = payloadAad(headerLine);
  const data = Buffer.from(plaintext);
  const parts: Buffer[] = [Buffer.from(ENCRYPTED_MAGIC), headerLine];
  const count = Math.max(1, Math.ceil(data.length / CHUNK_SIZE));
  for (let i = 0; i < count; i++) {
    parts.push(
      gcm(payloadKey, chunkNonce(i, i === count - 1), aad, data.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE)),
    );
  }
  return Buffer.concat(parts);
}

function malformed(why: string): ContainerError {
  return new ContainerError(ContainerErrorCode.DecryptFailed, `prompt.yaml.enc is malformed: ${why}`, {
    details: { reason: why },
  });
}

/** Splits an encrypted file into its parsed header, header line and chunk bytes (no key needed). */
export function readEncryptionHeader(sealed: Uint8Array): {
  header: EncryptionHeader;
  headerLine: Buffer;
  body: Buffer;
} {
  const bytes = Buffer.from(sealed);
  if (!bytes.subarray(0, ENCRYPTED_MAGIC.length).equals(Buffer.from(ENCRYPTED_MAGIC)))
    throw malformed(`does not start with ${JSON.stringify(ENCRYPTED_MAGIC.trim())}`);
  const end = bytes.indexOf(0x0a, ENCRYPTED_MAGIC.length);
  if (end === -1 || end - ENCRYPTED_MAGIC.length > 64 * 1024) throw malformed('no header line within 64 KiB');
  const headerLine = bytes.subarray(ENCRYPTED_MAGIC.length, end + 1);
  let header: EncryptionHeader;
  try {
    header = JSON.parse(headerLine.toString('utf8')) as EncryptionHeader;
  } catch (cause) {
    throw new ContainerError(ContainerErrorCode.DecryptFailed, 'prompt.yaml.enc header is not JSON', {
      details: {},
      cause,
    });
  }
  if (
    header === null ||
    typeof header !== 'object' ||
    header.cipher !== 'AES-256-GCM' ||
    header.chunkSize !== CHUNK_SIZE ||
    typeof header.agent !== 'string' ||
    typeof header.nonce !== 'string' ||
    !Array.isArray(header.recipients)
  ) {
    throw malformed('header lacks agent, cipher AES-256-GCM, chunkSize 65536, nonce or recipients');
  }
  return { header, headerLine: Buffer.from(headerLine), body: bytes.subarray(end + 1) };
}

/** The credentials a reader offers: an X25519 identity and/or a passphrase. */
export interface DecryptWith {
  identity?: string;
  passphrase?: string;
}

function unwrapFileKey(header: EncryptionHeader, wit: DecryptWith): Buffer {
  const wrapAad = Buffer.from(`${LABEL} wrap`);
  const tried: string[] = [];
  if (wit.identity !== undefined) {
    const id = parseIdentity(wit.identity);
    for (const s of header.recipients) {
      if (s.type !== 'x25519' || s.keyId !== id.keyId) continue;
      const eph = Buffer.from(String(s.ephemeral), 'hex');
      if (eph.length !== 32) throw malformed('an x25519 stanza has a bad ephemeral key');
      const ephKey = createPublicKey({
        key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), eph]),
        format: 'der',
        type: 'spki',
      });
      const shared = diffieHellman({ privateKey: id.key, publicKey: ephKey });
      if (shared.every((b) => b === 0)) throw malformed('an x25519 stanza has a low-order ephemeral key');
      const fileKey = ungcm(
        hkdf(shared, Buffer.concat([eph, id.raw]), `${LABEL} x25519`),
        ZERO_NONCE,
        wrapAad,
        Buffer.from(s.wrappedKey, 'base64'),
      );
      if (fileKey?.length === 32) return fileKey;
    }
    tried.push(`identity ${id.keyId}`);
  }
  if (wit.passphrase !== undefined) {
    for (const s of header.recipients) {
      if (s.type !== 'scrypt') continue;
      const logN = Math.log2(s.N);
      if (
        !Number.isInteger(logN) ||
        logN < 1 ||
        logN > MAX_SCRYPT_LOG_N ||
        !Number.isInteger(s.r) ||
        s.r < 1 ||
        s.r > 32 ||
        !Number.isInteger(s.p) ||
        s.p < 1 ||
        s.p > 16
      ) {
        throw malformed(
          `scrypt parameters N=${s.N} r=${s.r} p=${s.p} are outside the accepted bounds (N ≤ 2^${MAX_SCRYPT_LOG_N}, r ≤ 32, p ≤ 16)`,
        );
      }
      const fileKey = ungcm(
        scryptKey(wit.passphrase, Buffer.from(s.salt, 'base64'), s),
        ZERO_NONCE,
        wrapAad,
        Buffer.from(s.wrappedKey, 'base64'),
      );
      if (fileKey?.length === 32) return fileKey;
    }
    tried.push('the passphrase');
  }
  const available = header.recipients.map((s) => (s.type === 'x25519' ? `x25519 ${s.keyId}` : 'a passphrase (scrypt)'));
  throw new ContainerError(
    ContainerErrorCode.DecryptNoMatch,
    tried.length === 0
      ? `the prompt is encrypted and no identity or passphrase was given; it can be opened by: ${available.join(', ')}. Set AGENTLANG_IDENTITY (or --identity-env VAR) or the passphrase variable`
      : `cannot decrypt the prompt with ${tried.join(' or ')} (wrong identity or passphrase); it can be opened by: ${available.join(', ')}`,
    { details: { tried, recipients: available } },
  );
}

/**
 * Decrypts an encrypted file for `agent` (`name@version`), refusing a header naming another agent,
 * a wrong identity or passphrase, any chunk that fails authentication, and truncation or extension.
 */
export function decryptPrompt(sealed: Uint8Array, agent: string, wit: DecryptWith): Buffer {
  const { header, headerLine, body } = readEncryptionHeader(sealed);
  if (header.agent !== agent) {
    throw new ContainerError(
      ContainerErrorCode.DecryptFailed,
      `prompt.yaml.enc was encrypted for ${JSON.stringify(header.agent)}, not ${JSON.stringify(agent)}; it was swapped in from another container`,
      { details: { found: header.agent, expected: agent } },
    );
  }
  const fileKey = unwrapFileKey(header, wit);
  const payloadKey = hkdf(fileKey, Buffer.from(header.nonce, 'base64'), `${LABEL} payload`);
  const aad = payloadAad(headerLine);
  const sealedChunk = CHUNK_SIZE + TAG;
  const count = Math.max(1, Math.ceil(body.length / sealedChunk));
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    const part = body.subarray(i * sealedChunk, (i + 1) * sealedChunk);
    const plain = ungcm(payloadKey, chunkNonce(i, last), aad, part);
    if (plain === null) {
      throw new ContainerError(
        ContainerErrorCode.DecryptFailed,
        `prompt.yaml.enc chunk ${i} failed authentication${last ? ' (or the file was truncated or extended)' : ''}; the encrypted prompt was altered`,
        { details: { chunk: i } },
      );
    }
    if (last && plain.length === 0 && i > 0) throw malformed('empty final chunk after full chunks');
    out.push(plain);
  }
  return Buffer.concat(out);
}

/** Key ids and passphrase parameters of a header's recipients, for inspection without decrypting. */
export function describeRecipients(
  header: EncryptionHeader,
): Array<{ type: 'x25519'; keyId: string } | { type: 'scrypt'; N: number; r: number; p: number }> {
  return header.recipients.map((s) =>
    s.type === 'x25519' ? { type: 'x25519', keyId: s.keyId } : { type: 'scrypt', N: s.N, r: s.r, p: s.p },
  );
}

/** Recipient descriptors for the index, computed from the build options (no randomness). */
export function recipientsForIndex(
  to: EncryptTo,
): Array<{ type: 'x25519'; keyId: string } | { type: 'scrypt'; N: number; r: number; p: number }> {
  const list: Array<{ type: 'x25519'; keyId: string } | { type: 'scrypt'; N: number; r: number; p: number }> = (
    to.recipients ?? []
  ).map((r) => ({
    type: 'x25519' as const,
    keyId: keyIdOf(parseRecipient(r).raw),
  }));
  if (to.passphrase !== undefined) list.push({ type: 'scrypt', ...(to.scrypt ?? DEFAULT_SCRYPT) });
  return list;
}
