import { readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair, signEnvelope } from '@agentlang/signing';
import {
  type ExecutionRecord,
  RECORD_PAYLOAD_TYPE,
  RunnerError,
  createUlid,
  formatRecordLine,
  listRecords,
  readRecord,
  readRecordEnvelope,
  signRecord,
  verifyRecordEnvelope,
  writeRecord,
} from '@agentlang/runner';
import { makeTempDir, thrownBy } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

function record(overrides: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    schema: 'agentlang.record/v1',
    run_id: createUlid(),
    agent: { name: 'demo', version: '0.1.0', hash: `ag1:${'ab'.repeat(32)}` },
    lock: null,
    runtime: 'test-echo',
    runtime_version: 'echo (GNU coreutils) 9.1',
    model: 'test-echo/demo',
    started_at: '2026-04-21T10:30:45Z',
    ended_at: '2026-04-21T10:30:45Z',
    duration_ms: 312,
    exit_code: 0,
    signal: null,
    outcome: 'success',
    host: { os: 'linux', arch: 'x86_64', user: 'ci' },
    isolation: { backend: 'bwrap' },
    ...overrides,
  };
}

const codeOf = (fn: () => unknown): string => thrownBy(RunnerError, fn).code;

describe('execution records', () => {
  it('formats the list line exactly as seed 000 shows, with the full digest', () => {
    expect(formatRecordLine(record())).toBe(`2026-04-21T10:30:45Z  demo@0.1.0  exit=0  312ms  ag1:${'ab'.repeat(32)}`);
    expect(formatRecordLine(record({ exit_code: null, signal: 'SIGKILL', outcome: 'timeout' }))).toContain(
      'exit=SIGKILL  312ms',
    );
  });

  it('writes atomically (no temp file left), lists in ULID order and reads back by id', () => {
    const dir = join(makeTempDir(), '.agentlang', 'records');
    const a = record();
    const b = record({ exit_code: 3, outcome: 'failure' });
    writeRecord(dir, b);
    writeRecord(dir, a);
    expect(readdirSync(dir).sort()).toEqual([`${a.run_id}.json`, `${b.run_id}.json`].sort());
    expect(listRecords(dir).map((r) => r.run_id)).toEqual([a.run_id, b.run_id]);
    expect(readRecord(dir, b.run_id)).toEqual(b);
    expect(readFileSync(join(dir, `${a.run_id}.json`), 'utf8')).toBe(`${JSON.stringify(a, null, 2)}\n`);
  });

  it('a missing records directory lists nothing', () => {
    expect(listRecords(join(makeTempDir(), 'nope'))).toEqual([]);
  });

  it('refuses ids that are not ULIDs before touching the filesystem (path traversal)', () => {
    const root = makeTempDir();
    const dir = join(root, 'records');
    writeFileSync(join(root, 'secret.json'), JSON.stringify(record()));
    for (const id of [
      '../secret',
      '../secret.json',
      '/etc/passwd',
      '..%2Fsecret',
      `${createUlid()}/../../secret`,
      'records/../../x',
      '',
      '.',
      '..',
    ]) {
      expect(codeOf(() => readRecord(dir, id))).toBe('RUNNER_RECORD_ID');
    }
    expect(codeOf(() => readRecord(dir, createUlid()))).toBe('RUNNER_RECORD_NOT_FOUND');
  });

  it('rejects a record file whose content is not a record or whose run_id does not match its name', () => {
    const dir = makeTempDir();
    const id = createUlid();
    writeFileSync(join(dir, `${id}.json`), '{"schema":"something/else"}');
    expect(codeOf(() => readRecord(dir, id))).toBe('RUNNER_RECORD_INVALID');
    const other = record();
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(other));
    expect(codeOf(() => readRecord(dir, id))).toBe('RUNNER_RECORD_INVALID');
  });

  it('ignores non-ULID names and symlinked traversal names when listing', () => {
    const dir = makeTempDir();
    const r = record();
    writeRecord(dir, r);
    writeFileSync(join(dir, 'notes.json'), '{}');
    symlinkSync('/etc/passwd', join(dir, '..json'));
    expect(listRecords(dir).map((x) => x.run_id)).toEqual([r.run_id]);
  });

  it('signs the exact record bytes as a DSSE envelope of the record payload type', () => {
    const keys = generateSigningKeyPair();
    const dir = makeTempDir();
    const r = record();
    const envelope = signRecord(r, keys.privateKey);
    expect(envelope.payloadType).toBe(RECORD_PAYLOAD_TYPE);
    writeRecord(dir, r, envelope);
    const stored = readRecordEnvelope(dir, r.run_id) as typeof envelope;
    expect(Buffer.from(stored.payload, 'base64').toString('utf8')).toBe(
      readFileSync(join(dir, `${r.run_id}.json`), 'utf8'),
    );
    expect(verifyRecordEnvelope(stored, [keys.publicKey])).toEqual(r);
    // A tampered payload fails; a lock envelope signed by the same key is not accepted as a record.
    const tampered = {
      ...stored,
      payload: Buffer.from(JSON.stringify({ ...r, exit_code: 0, outcome: 'success', duration_ms: 1 })).toString(
        'base64',
      ),
    };
    expect(() => verifyRecordEnvelope(tampered, [keys.publicKey])).toThrow(/verif/);
    const lockEnvelope = signEnvelope('application/vnd.agentlang.lock.v1+json', Buffer.from(JSON.stringify(r)), [
      { privateKey: keys.privateKey },
    ]);
    expect(() => verifyRecordEnvelope(lockEnvelope, [keys.publicKey])).toThrow(/payload type/);
    expect(() => verifyRecordEnvelope(stored, [generateSigningKeyPair().publicKey])).toThrow();
  });
});
