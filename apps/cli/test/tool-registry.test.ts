import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, serve } from './registry-support.js';

// A registry as a tool source, end to end through the CLI: tools pushed by a tenant resolve by
// semver in `resolve`, `lock` and `run` with --tool-registry URL/<tenant>.

const tool = (version: string) =>
  JSON.stringify({
    name: 'geo_lookup',
    version,
    description: `geo lookup ${version}`,
    inputSchema: { type: 'object', properties: { place: { type: 'string' } }, required: ['place'] },
  });

const AGENT = `name: mapper
version: 0.1.0
description: Finds places
runtime: test-echo
tools:
  - name: geo_lookup
    version: ^1.2.0
`;

describe('--tool-registry', () => {
  let dir: string;
  let registry: ServeProcess;

  beforeAll(async () => {
    dir = makeTempDir('agentlang-tool-registry-');
    registry = await serve(dir, ['--data', join(dir, 'data')]);
    writeTree(dir, {
      'tools/a.json': tool('1.2.0'),
      'tools/b.json': tool('1.3.4'),
      'tools/c.json': tool('2.0.0'),
      'mapper/agent.yaml': AGENT,
    });
    for (const file of ['a', 'b', 'c']) {
      const r = runCli(
        ['push', join(dir, 'tools', `${file}.json`), '--registry', registry.url, '--api-key', 'alice-key'],
        { cwd: dir },
      );
      expect(r.status, r.stderr).toBe(0);
    }
  });
  afterAll(() => registry.stop());

  it('resolve picks the highest satisfying version published by the tenant', () => {
    const r = runCli(['resolve', 'mapper', '--tool-registry', `${registry.url}/alice`, '--json'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.tools).toEqual([
      expect.objectContaining({
        name: 'geo_lookup',
        constraint: '^1.2.0',
        version: '1.3.4',
        source: `registry:${registry.url}/alice`,
      }),
    ]);
  });

  it('lock pins it; without the flag the tool is unknown', () => {
    const locked = runCli(['lock', 'mapper', '--tool-registry', `${registry.url}/alice`], {
      cwd: dir,
      env: { CI: undefined },
    });
    expect(locked.status, locked.stderr).toBe(0);
    const lock = JSON.parse(readFileSync(join(dir, 'mapper/agent.lock'), 'utf8'));
    expect(JSON.stringify(lock.resolved.tools)).toContain('1.3.4');
    expect(JSON.stringify(lock.resolved.tools)).toContain(`registry:${registry.url}/alice`);
    const bare = runCli(['resolve', 'mapper', '--json'], { cwd: dir });
    expect(bare.status).toBe(11);
    expect(JSON.parse(bare.stdout).error.code).toBe('RESOLVE_TOOL_UNKNOWN');
  });

  it("another tenant does not see alice's tools", () => {
    const r = runCli(['resolve', 'mapper', '--tool-registry', `${registry.url}/bob`, '--json'], { cwd: dir });
    expect(r.status).toBe(11);
    expect(JSON.parse(r.stdout).error.code).toBe('RESOLVE_TOOL_UNKNOWN');
  });

  it('a malformed value is a usage error', () => {
    const r = runCli(['resolve', 'mapper', '--tool-registry', 'not a url'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--tool-registry takes');
  });
});
