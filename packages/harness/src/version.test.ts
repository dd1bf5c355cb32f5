import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HARNESS_VERSION } from './version.js';

describe('HARNESS_VERSION', () => {
  it('is the version in package.json (a constant, so reading it costs nothing at start-up)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(HARNESS_VERSION).toBe(pkg.version);
  });
});
