import type { KeyObject } from 'node:crypto';
import { decodeBase64Strict } from './base64.js';
import { keyIdFor, privateKeyObject, publicKeyObject, rawPublicKey, signBytes, verifyBytes } from './ed25519.js';
import { SigningError } from './errors.js';

/** One signature of an envelope: the signer's key id and the base64 Ed25519 signature over the PAE. */
export interface EnvelopeSignature {
  /** {@link keyIdFor} of the signer's public key (lowercase hex sha256 of the raw key). */
  keyid: string;
  /** Standard padded base64 of the 64-byte Ed25519 signature. */
  sig: string;
}

/** A DSSE envelope: the payload, its type, and one or more signatures over both. */
export interface Envelope {
  /** Media type of the payload, e.g. `application/vnd.agentlang.lock.v1+json`. */
  payloadType: string;
  /** Standard padded base64 of the exact payload bytes. */
  payload: string;
  signatures: EnvelopeSignature[];
}

/** What a successful verification established. */
export interface VerifiedEnvelope {
  /** The exact payload bytes the signatures cover; parse these, nothing else. */
  payload: Uint8Array;
  payloadType: string;
  /** Key ids of the trusted keys whose signatures verified (each once, in `publicKeys` order). */
  keyids: string[];
}

/** Options of {@link verifyEnvelope}. */
export interface VerifyEnvelopeOptions {
  /** Trusted Ed25519 public keys, 64 hex each; a signature counts only if its keyid names one of them. */
  publicKeys: string[];
  /** The payload type the caller expects; any other type is refused before signatures are checked. */
  payloadType: string;
  /** How many distinct trusted keys must have signed (default 1). */
  threshold?: number;
}

/** Upper bound on signatures per envelope, so a hostile file cannot make verification slow. */
export const MAX_SIGNATURES = 16;

const encoder = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Importing a key (DER → KeyObject) costs about as much as a verification; verifiers check many
// documents against the same few keys, so keep the last few imported keys.
const keyCache = new Map<string, KeyObject>();
function cachedPublicKey(hex: string): KeyObject {
  const id = hex.toLowerCase();
  let key = keyCache.get(id);
  if (!key) {
    key = publicKeyObject(hex);
    if (keyCache.size >= 64) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(id, key);
  }
  return key;
}

/**
 * DSSE v1 pre-authentication encoding: `DSSEv1 <len(type)> <type> <len(payload)> <payload>`,
 * lengths as ASCII decimal byte counts. Signing this (not the bare payload) binds the type, so a
 * signature made for one payload type never verifies for another.
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  // UTF-8 encoding maps every lone surrogate to U+FFFD, so two different types could share a PAE.
  if (LONE_SURROGATE.test(payloadType)) {
    throw new SigningError(
      'SIGNING_PAYLOAD_TYPE',
      'payload type contains a lone UTF-16 surrogate; it must be well-formed Unicode',
    );
  }
  const type = encoder.encode(payloadType);
  const head = encoder.encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** Signs `payload` as `payloadType` with every given key (hex seed each) and returns the envelope. */
export function signEnvelope(payloadType: string, payload: Uint8Array, keys: Array<{ privateKey: string }>): Envelope {
  if (keys.length === 0) throw new SigningError('SIGNING_KEY_MISSING', 'signEnvelope needs at least one private key');
  if (keys.length > MAX_SIGNATURES) {
    throw new SigningError(
      'SIGNING_MALFORMED',
      `at most ${MAX_SIGNATURES} signatures fit in one envelope; got ${keys.length}`,
    );
  }
  const pae = preAuthEncoding(payloadType, payload);
  const signatures = keys.map(({ privateKey }) => {
    const key = privateKeyObject(privateKey);
    return { keyid: keyIdFor(rawPublicKey(key).toString('hex')), sig: signBytes(key, pae).toString('base64') };
  });
  return { payloadType, payload: Buffer.from(payload).toString('base64'), signatures };
}

/** Serialises an envelope as the JSON file format: fixed key order, 2-space indent, trailing newline. */
export function serializeEnvelope(envelope: Envelope): Uint8Array {
  const ordered = {
    payloadType: envelope.payloadType,
    payload: envelope.payload,
    signatures: envelope.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig })),
  };
  return encoder.encode(`${JSON.stringify(ordered, null, 2)}\n`);
}

/**
 * Parses envelope JSON strictly: exactly `payloadType`, `payload`, `signatures` (1..16 entries of
 * exactly `keyid` + `sig`), all strings, base64 canonical. Throws SIGNING_MALFORMED otherwise.
 */
export function parseEnvelope(input: Uint8Array | string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input));
  } catch (error) {
    throw new SigningError('SIGNING_MALFORMED', `DSSE envelope is not valid UTF-8 JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return checkEnvelopeShape(value);
}

/** Checks an already-parsed JSON value against the envelope shape (see {@link parseEnvelope}). */
export function envelopeFromJson(value: unknown): Envelope {
  return checkEnvelopeShape(value);
}

/** Returns true when a parsed JSON value has the envelope's top-level keys (a cheap sniff, e.g. a signed lock from a plain one). */
export function looksLikeEnvelope(value: unknown): boolean {
  return isPlainObject(value) && 'payloadType' in value && 'signatures' in value;
}

function checkEnvelopeShape(value: unknown): Envelope {
  const bad = (what: string, found?: unknown): never => {
    throw new SigningError('SIGNING_MALFORMED', `DSSE envelope: ${what}`, {
      details: found === undefined ? {} : { found },
    });
  };
  if (!isPlainObject(value)) return bad('expected a JSON object { payloadType, payload, signatures }');
  checkKeys(value, ['payloadType', 'payload', 'signatures'], 'envelope', bad);
  if (typeof value.payloadType !== 'string' || value.payloadType.length === 0)
    bad('payloadType must be a non-empty string');
  // The payload's base64 is checked strictly where it is decoded (once, in verification).
  if (typeof value.payload !== 'string') bad('payload must be a base64 string');
  const signatures = value.signatures;
  if (!Array.isArray(signatures) || signatures.length === 0) return bad('signatures must be a non-empty array');
  if (signatures.length > MAX_SIGNATURES) bad(`at most ${MAX_SIGNATURES} signatures allowed`, signatures.length);
  for (const [i, s] of signatures.entries()) {
    if (!isPlainObject(s)) bad(`signatures[${i}] must be an object { keyid, sig }`);
    checkKeys(s as Record<string, unknown>, ['keyid', 'sig'], `signatures[${i}]`, bad);
    if (typeof s.keyid !== 'string' || !/^[0-9a-f]{64}$/.test(s.keyid))
      bad(`signatures[${i}].keyid must be 64 lowercase hex`);
    if (typeof s.sig !== 'string') bad(`signatures[${i}].sig must be a base64 string`);
  }
  return value as unknown as Envelope;
}

function checkKeys(
  obj: Record<string, unknown>,
  allowed: string[],
  where: string,
  bad: (what: string, found?: unknown) => never,
): void {
  for (const key of allowed) if (!Object.hasOwn(obj, key)) bad(`${where} is missing "${key}"`);
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) bad(`${where} has unexpected field "${key}"`, key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Verifies an envelope (object or JSON bytes) and returns the payload bytes plus the key ids that
 * verified. Order: shape → payload type → signatures; the payload is returned only after at least
 * `threshold` distinct trusted keys verified the PAE. A signature whose keyid names no trusted key
 * is ignored (never tried against other keys), so a tampered keyid invalidates that signature.
 */
export function verifyEnvelopeDetailed(
  input: Envelope | Uint8Array | string,
  options: VerifyEnvelopeOptions,
): VerifiedEnvelope {
  const envelope =
    input instanceof Uint8Array || typeof input === 'string' ? parseEnvelope(input) : checkEnvelopeShape(input);
  if (typeof options.payloadType !== 'string' || options.payloadType.length === 0) {
    throw new SigningError('SIGNING_PAYLOAD_TYPE', 'verifyEnvelope needs the expected payloadType');
  }
  if (envelope.payloadType !== options.payloadType) {
    throw new SigningError(
      'SIGNING_PAYLOAD_TYPE',
      `envelope payload type is "${envelope.payloadType}", expected "${options.payloadType}": a signature made for one kind of document is never accepted for another`,
      { details: { expected: options.payloadType, found: envelope.payloadType } },
    );
  }
  if (options.publicKeys.length === 0) {
    throw new SigningError(
      'SIGNING_KEY_MISSING',
      "no trusted public key given; pass the signer's key (`--pubkey <hex>`)",
    );
  }
  const trusted = new Map(options.publicKeys.map((hex) => [keyIdFor(hex), cachedPublicKey(hex)]));
  const payload = decodeBase64Strict(envelope.payload, 'envelope payload');
  const pae = preAuthEncoding(envelope.payloadType, payload);
  const verified = new Set<string>();
  const reasons: string[] = [];
  for (const [i, s] of envelope.signatures.entries()) {
    const key = trusted.get(s.keyid);
    if (!key) {
      reasons.push(`signatures[${i}] keyid ${s.keyid} is not one of the trusted keys`);
      continue;
    }
    let sig: Buffer;
    try {
      sig = decodeBase64Strict(s.sig, `signatures[${i}].sig`);
    } catch (error) {
      reasons.push((error as Error).message);
      continue;
    }
    if (sig.length !== 64) {
      reasons.push(`signatures[${i}].sig is ${sig.length} bytes, an Ed25519 signature is 64`);
      continue;
    }
    if (verifyBytes(key, pae, sig)) verified.add(s.keyid);
    else reasons.push(`signatures[${i}] (keyid ${s.keyid}) does not verify`);
  }
  const threshold = options.threshold ?? 1;
  if (verified.size < threshold) {
    throw new SigningError(
      'SIGNING_SIGNATURE_INVALID',
      `signature verification failed: ${verified.size} of ${threshold} required trusted signature(s) verified (${reasons.join('; ')})`,
      { details: { verified: [...verified], threshold, reasons, trustedKeyids: [...trusted.keys()] } },
    );
  }
  const keyids = [...trusted.keys()].filter((k) => verified.has(k));
  return { payload: new Uint8Array(payload), payloadType: envelope.payloadType, keyids };
}

/** Verifies an envelope (object or JSON bytes) against trusted keys and returns the verified payload bytes. */
export function verifyEnvelope(input: Envelope | Uint8Array | string, options: VerifyEnvelopeOptions): Uint8Array {
  return verifyEnvelopeDetailed(input, options).payload;
}
