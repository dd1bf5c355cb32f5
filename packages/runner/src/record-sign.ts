import { type Envelope, signEnvelope, verifyEnvelope } from '@agentlang/lock';
import { RunnerError } from './errors.js';
import { type ExecutionRecord, RECORD_PAYLOAD_TYPE } from './record.js';
import { readRecord, readRecordEnvelope, serializeRecord } from './record-store.js';

/** Signs the exact record bytes written to disk as a DSSE envelope (payload type `application/vnd.agentlang.record.v1+json`). */
export function signRecord(record: ExecutionRecord, privateKeyHex: string): Envelope {
  return signEnvelope(RECORD_PAYLOAD_TYPE, Buffer.from(serializeRecord(record)), [{ privateKey: privateKeyHex }]);
}

/**
 * Verifies a signed record envelope against trusted public keys and returns the record it holds;
 * a lock or container envelope never verifies here (the payload type is part of what is signed).
 */
export function verifyRecordEnvelope(envelope: Envelope | string | Uint8Array, publicKeys: string[]): ExecutionRecord {
  const bytes = verifyEnvelope(envelope, { publicKeys, payloadType: RECORD_PAYLOAD_TYPE });
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as ExecutionRecord;
  } catch (error) {
    throw new RunnerError('RUNNER_RECORD_INVALID', 'the signed record payload is not JSON', { details: {}, cause: error });
  }
}

/** Reads a 32-byte hex Ed25519 seed from the environment variable `name` (never from a flag). */
export function signingKeyFromEnv(name: string, env: Record<string, string | undefined>): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new RunnerError('RUNNER_SIGN_KEY', `--sign-key-env names ${name}, which is not set; export ${name}=<64 hex characters> (an Ed25519 seed)`, { details: { variable: name } });
  }
  if (!/^[0-9a-fA-F]{64}$/.test(value.trim())) {
    throw new RunnerError('RUNNER_SIGN_KEY', `${name} must hold a 32-byte Ed25519 seed as 64 hex characters; found ${value.length} characters`, { details: { variable: name } });
  }
  return value.trim();
}

/**
 * Reads record `id` from `dir` and verifies its stored envelope against `publicKeys`; the record
 * file must be byte-for-byte the signed payload (an edited record fails even if its envelope is intact).
 */
export function verifyStoredRecord(dir: string, id: string, publicKeys: string[]): ExecutionRecord {
  const record = readRecord(dir, id);
  const envelope = readRecordEnvelope(dir, id);
  if (envelope === null) {
    throw new RunnerError('RUNNER_RECORD_UNSIGNED', `record ${id} is not signed (no ${id}.dsse.json beside it); sign records with \`agentlang run … --sign-key-env AGENTLANG_RECORD_KEY\``, { details: { id } });
  }
  const bytes = verifyEnvelope(envelope as Envelope, { publicKeys, payloadType: RECORD_PAYLOAD_TYPE });
  if (Buffer.from(bytes).toString('utf8') !== serializeRecord(record)) {
    throw new RunnerError('RUNNER_RECORD_INVALID', `record ${id} differs from its signed envelope: the record file was modified after signing`, { details: { id } });
  }
  return record;
}
