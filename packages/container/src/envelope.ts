import { sign, verify, createPublicKey, type KeyObject } from 'node:crypto';
import { ContainerError, ContainerErrorCode } from './errors.js';
import { keyIdOf, parsePublicKey, parseSigningKey, rawPublicKey } from './keys.js';

/** DSSE payload type of a container index; a lock's envelope type is different, so neither replays as the other. */
export const CONTAINER_PAYLOAD_TYPE = 'application/vnd.agentlang.container-index.v1+json';

/** A DSSE envelope (`signature.sig`). */
export interface Envelope {
  payloadType: string;
  /** Base64 of the exact payload bytes. */
  payload: string;
  signatures: Array<{ keyid: string; sig: string }>;
}

/** DSSE pre-authentication encoding: what the signature covers (type and exact bytes). */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** Signs `payload` under `payloadType` with each Ed25519 key (hex seed), giving a DSSE envelope. */
export function signContainerEnvelope(payloadType: string, payload: Uint8Array, signingKeys: string[]): Envelope {
  const pae = preAuthEncoding(payloadType, payload);
  return {
    payloadType,
    payload: Buffer.from(payload).toString('base64'),
    signatures: signingKeys.map((hex) => {
      const key = parseSigningKey(hex);
      return { keyid: keyIdOf(rawPublicKey(createPublicKey(key))), sig: sign(null, pae, key).toString('base64') };
    }),
  };
}

/** Outcome of checking an envelope against trusted keys. */
export interface EnvelopeCheck {
  /** Key ids of signatures that verified under a trusted key. */
  verifiedBy: string[];
  /** Key ids the envelope claims, trusted or not. */
  keyIds: string[];
}

/** Parses `signature.sig` bytes into an envelope, checking only its shape (not the signatures). */
export function parseEnvelope(bytes: Uint8Array): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new ContainerError(ContainerErrorCode.SIGNATURE_MALFORMED, 'signature.sig is not JSON; expected a DSSE envelope {payloadType, payload, signatures}', {}, { cause });
  }
  const e = value as Envelope;
  const ok =
    typeof e === 'object' && e !== null && typeof e.payloadType === 'string' && typeof e.payload === 'string' &&
    Array.isArray(e.signatures) && e.signatures.every((s) => typeof s === 'object' && s !== null && typeof s.keyid === 'string' && typeof s.sig === 'string');
  if (!ok) throw new ContainerError(ContainerErrorCode.SIGNATURE_MALFORMED, 'signature.sig is not a DSSE envelope: expected {payloadType, payload, signatures: [{keyid, sig}]}', {});
  // Only the exact form the builder writes is accepted (key order, no whitespace, canonical base64),
  // so no byte of the envelope can change without the check failing.
  const canonical: Envelope = {
    payloadType: e.payloadType,
    payload: Buffer.from(e.payload, 'base64').toString('base64'),
    signatures: e.signatures.map((s) => ({ keyid: s.keyid, sig: Buffer.from(s.sig, 'base64').toString('base64') })),
  };
  if (!Buffer.from(JSON.stringify(canonical)).equals(Buffer.from(bytes))) {
    throw new ContainerError(ContainerErrorCode.SIGNATURE_MALFORMED, 'signature.sig is not in the canonical form the builder writes (compact JSON, fixed key order, canonical base64); it was altered', {});
  }
  return canonical;
}

/**
 * Checks that `envelope` carries exactly `payload` under `payloadType`, and which trusted keys
 * (hex Ed25519 public keys) produced a valid signature over the pre-authentication encoding.
 */
export function checkEnvelope(envelope: Envelope, payloadType: string, payload: Uint8Array, publicKeys: string[]): EnvelopeCheck {
  if (envelope.payloadType !== payloadType) {
    throw new ContainerError(
      ContainerErrorCode.SIGNATURE_MALFORMED,
      `signature.sig has payload type ${JSON.stringify(envelope.payloadType)}, expected ${JSON.stringify(payloadType)}; a signature made for something else (e.g. a lock) is never accepted for a container`,
      { found: envelope.payloadType, expected: payloadType },
    );
  }
  if (!Buffer.from(envelope.payload, 'base64').equals(Buffer.from(payload))) {
    throw new ContainerError(ContainerErrorCode.SIGNATURE_MALFORMED, 'signature.sig signs different bytes than manifest.json holds; the container was altered', {});
  }
  const pae = preAuthEncoding(payloadType, payload);
  const trusted: KeyObject[] = publicKeys.map((hex) => parsePublicKey(hex));
  const verifiedBy: string[] = [];
  for (const s of envelope.signatures) {
    const sig = Buffer.from(s.sig, 'base64');
    if (sig.length !== 64) continue;
    for (const key of trusted) {
      const keyId = keyIdOf(rawPublicKey(key));
      // The key id is not covered by the signature, so it must name the very key that verifies.
      if (keyId === s.keyid && verify(null, pae, key, sig)) {
        verifiedBy.push(keyId);
        break;
      }
    }
  }
  return { verifiedBy, keyIds: envelope.signatures.map((s) => s.keyid) };
}
