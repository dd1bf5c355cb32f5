import { describe, expect, it } from 'vitest';
import { createUlid, isUlid, ulidTime } from './ulid.js';

describe('ULID', () => {
  it('encodes the time in the first 10 characters and is 26 Crockford characters', () => {
    const id = createUlid(1_469_918_176_385);
    expect(id).toHaveLength(26);
    expect(id.slice(0, 10)).toBe('01ARYZ6S41');
    expect(isUlid(id)).toBe(true);
    expect(ulidTime(id)).toBe(1_469_918_176_385);
  });

  it('is strictly increasing within one millisecond and when the clock goes back', () => {
    const t = Date.now() + 10_000;
    const ids = Array.from({ length: 2000 }, () => createUlid(t));
    ids.push(createUlid(t - 5000));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('rejects what is not a ULID, including path traversal attempts', () => {
    for (const bad of [
      '',
      '../etc/passwd',
      '01ARYZ6S41TSV4RRFFQ69G5FA',
      '01ARYZ6S41TSV4RRFFQ69G5FAVX',
      '81ARYZ6S41TSV4RRFFQ69G5FAV',
      '01arYZ6S41TSV4RRFFQ69G5FAV',
      '01ARYZ6S41TSV4RRFFQ69G5FAI',
      '../01ARYZ6S41TSV4RRFFQ69G5F',
      '01ARYZ6S41TSV4RRFFQ69G5FA/',
      null,
      42,
    ]) {
      expect(isUlid(bad)).toBe(false);
    }
  });
});
