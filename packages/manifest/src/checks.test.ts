import fc from 'fast-check';
import validVersion from 'semver/functions/valid.js';
import validRange from 'semver/ranges/valid.js';
import { describe, expect, it } from 'vitest';
import { isValidRange, isValidVersion } from './checks.js';

// isValidVersion/isValidRange answer the plain forms without semver (a start-up saving); they must
// agree with semver on every input, plain or not.
const part = fc.oneof(
  fc.nat({ max: 99 }).map(String),
  fc.bigInt({ min: 0n, max: 10n ** 17n }).map(String),
  fc.constantFrom('00', '01', '007', 'x', '*', ''),
);
const plainish = fc
  .tuple(
    fc.constantFrom('', '^', '~', '>=', '=', 'v', ' '),
    part,
    part,
    part,
    fc.constantFrom('', '-beta.1', '+build', ' ', '.0'),
  )
  .map(([prefix, a, b, c, suffix]) => `${prefix}${a}.${b}.${c}${suffix}`);

describe('the semver fast path', () => {
  it('agrees with semver on versions', () => {
    fc.assert(
      fc.property(fc.oneof(plainish, fc.string()), (v) => {
        expect(isValidVersion(v)).toBe(validVersion(v) !== null);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with semver on ranges', () => {
    fc.assert(
      fc.property(fc.oneof(plainish, fc.string()), (v) => {
        expect(isValidRange(v)).toBe(validRange(v) !== null);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on the edges: the largest safe integer, leading zeros, one digit too many', () => {
    for (const v of [
      '9007199254740991.0.0',
      '999999999999999.0.0',
      '9999999999999999.0.0',
      '01.0.0',
      '^0.0.0',
      '~1.2.3',
      '1.2',
      '^1.2.0',
      '1.2.3-rc.1',
    ]) {
      expect(isValidVersion(v), v).toBe(validVersion(v) !== null);
      expect(isValidRange(v), v).toBe(validRange(v) !== null);
    }
  });
});
