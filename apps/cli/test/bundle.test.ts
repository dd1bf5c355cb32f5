import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cliPath, makeTempDir, runCli } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

const dist = dirname(cliPath);
const root = join(import.meta.dirname, '../../..');

/** Files loaded by static imports from `start` (what runs before any lazy import()). */
function staticGraph(start: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(dist, file), 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?["']\.\/([^"']+\.m?js)["']/g)) visit(m[1]!);
  };
  visit(start);
  return seen;
}

const MCP_SDK = /modelcontextprotocol[+/]sdk|LATEST_PROTOCOL_VERSION|StdioClientTransport/;

describe('the bundle keeps the validate path lean', () => {
  it('runs validate from a small CommonJS launcher and a code-cached bundle without MCP SDK, schema compiler or container code', () => {
    const launcher = readFileSync(cliPath, 'utf8');
    expect(launcher.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(launcher.length).toBeLessThan(8_000);
    expect(JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    const hot = readFileSync(join(dist, 'hot/validate-core.cjs'), 'utf8');
    for (const text of [launcher, hot]) {
      // The SDK itself (its module paths, its protocol constant); the names of MCP server packages
      // (the AgentSpec well-known servers table) are data, not the SDK.
      expect(text).not.toMatch(MCP_SDK);
      expect(text).not.toMatch(/compileSchema|new Ajv\b|tweetnacl|ZodError/);
      expect(text).not.toContain('createCipheriv'); // container prompt crypto
    }
    expect(existsSync(join(dist, 'hot/validate-core.cjs.cache'))).toBe(true);
  });

  it('keeps the full CLI lazy: the validate chunk statically loads no MCP SDK either', () => {
    const full = readFileSync(join(dist, 'agentlang.mjs'), 'utf8');
    const validateChunk = /import\("\.\/(validate-[A-Z0-9]+\.mjs)"\)/.exec(full)?.[1];
    expect(validateChunk).toBeDefined();
    for (const file of new Set([...staticGraph('agentlang.mjs'), ...staticGraph(validateChunk!)])) {
      expect(readFileSync(join(dist, file), 'utf8')).not.toMatch(MCP_SDK);
    }
  });

  it('validate gives the same answer with a good, a corrupted or no code cache, and without the fast path', () => {
    const copy = join(makeTempDir(), 'dist');
    cpSync(dist, copy, { recursive: true });
    const run = () =>
      spawnSync(process.execPath, [join(copy, 'agentlang.js'), 'validate', 'examples/research-assistant'], { cwd: root, encoding: 'utf8' });
    const expected = runCli(['validate', 'examples/research-assistant'], { cwd: root });
    expect(expected.status).toBe(0);
    expect(run().stdout).toBe(expected.stdout);
    const cache = join(copy, 'hot/validate-core.cjs.cache');
    const bytes = readFileSync(cache);
    bytes.fill(7, 40, 4000); // valid header, garbage data: V8 must reject it
    writeFileSync(cache, bytes);
    expect(run().stdout).toBe(expected.stdout);
    bytes.fill(0, 0, 32); // header of another source: never handed to V8
    writeFileSync(cache, bytes);
    expect(run().stdout).toBe(expected.stdout);
    rmSync(join(copy, 'hot'), { recursive: true });
    const fallback = run();
    expect(fallback.stderr).toBe('');
    expect(fallback.stdout).toBe(expected.stdout);
  });
});
