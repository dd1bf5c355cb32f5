import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_AGENT, demoAgentDir, makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

const DIGEST = /ag1:[0-9a-f]{64}/;

describe('agentlang validate', () => {
  it('prints `Valid: demo@0.1.0 (ag1:…)` for the seed demo.agent, as seed 000 shows', () => {
    const dir = demoAgentDir();
    const r = runCli(['validate', 'demo.agent'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Valid: demo@0\.1\.0 \(ag1:[0-9a-f]{64}\)\n$/);
  });

  it('gives the same digest for the same agent wherever it lies, and a new one when it changes', () => {
    const a = demoAgentDir();
    const b = writeTree(makeTempDir(), { 'other-name.yaml': `# a comment\n${DEMO_AGENT}` });
    const c = writeTree(makeTempDir(), { 'demo.agent': DEMO_AGENT.replace('exec: full', 'exec: sandboxed') });
    const digest = (dir: string, file: string) => DIGEST.exec(runCli(['validate', file], { cwd: dir }).stdout)?.[0];
    expect(digest(a, 'demo.agent')).toBeDefined();
    expect(digest(b, 'other-name.yaml')).toBe(digest(a, 'demo.agent'));
    expect(digest(c, 'demo.agent')).not.toBe(digest(a, 'demo.agent'));
  });

  it('validates the example research assistant directory', () => {
    const r = runCli(['validate', 'examples/research-assistant'], { cwd: root });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Valid: research-assistant@1\.0\.0 \(ag1:[0-9a-f]{64}\)/);
  });

  it('--json prints { valid, name, version, digest, warnings }', () => {
    const dir = demoAgentDir();
    const r = runCli(['validate', 'demo.agent', '--json'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      valid: true,
      name: 'demo',
      version: '0.1.0',
      digest: expect.stringMatching(DIGEST),
      warnings: [],
    });
  });

  it('prints warnings below the Valid line, and --strict makes them fail', () => {
    const dir = writeTree(makeTempDir(), { 'demo.agent': DEMO_AGENT.replace('observability:', 'observabilty:') });
    const r = runCli(['validate', 'demo.agent'], { cwd: dir });
    expect(r.status).toBe(0);
    const [first, second] = r.stdout.trimEnd().split('\n');
    expect(first).toMatch(/^Valid: demo@0\.1\.0 \(ag1:/);
    expect(second).toMatch(/^demo\.agent:19:1: warning MANIFEST_UNKNOWN_KEY .*observability/);
    const json = JSON.parse(runCli(['validate', 'demo.agent', '--json'], { cwd: dir }).stdout);
    expect(json.warnings).toEqual([
      expect.objectContaining({ code: 'MANIFEST_UNKNOWN_KEY', line: 19, column: 1, severity: 'warning' }),
    ]);
    const strict = runCli(['validate', 'demo.agent', '--strict'], { cwd: dir });
    expect(strict.status).toBe(10);
    expect(strict.stderr).toMatch(/^demo\.agent:19:1: error MANIFEST_UNKNOWN_KEY /m);
  });

  it('prints every diagnostic as file:line:col: error CODE message and exits 10', () => {
    const dir = writeTree(makeTempDir(), {
      'bad.agent': DEMO_AGENT.replace('version: 0.1.0', 'version: 1.10').replace('runtime: test-echo', 'runtime: [1]'),
    });
    const r = runCli(['validate', 'bad.agent'], { cwd: dir });
    expect(r.status).toBe(10);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => /^bad\.agent:\d+:\d+: error MANIFEST_[A-Z_]+ /.test(l)).length).toBeGreaterThanOrEqual(
      2,
    );
    expect(r.stderr).toMatch(/^bad\.agent:3:10: error MANIFEST_VERSION_TYPE /m);
    expect(lines.at(-1)).toMatch(/^Error: /);
  });

  it('--json on failure prints exactly the error document with every diagnostic', () => {
    const dir = writeTree(makeTempDir(), { 'bad.agent': DEMO_AGENT.replace('version: 0.1.0', 'version: 1.10') });
    const r = runCli(['validate', 'bad.agent', '--json'], { cwd: dir });
    expect(r.status).toBe(10);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['error']);
    expect(doc.error.code).toMatch(/^MANIFEST_/);
    expect(doc.error.details.diagnostics).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        code: 'MANIFEST_VERSION_TYPE',
        file: 'bad.agent',
        line: 3,
        column: 10,
      }),
    );
  });

  it('a missing agent is MANIFEST_NOT_FOUND (exit 10); no argument is a usage error (exit 2)', () => {
    const dir = makeTempDir();
    const missing = runCli(['validate', 'nope.agent'], { cwd: dir });
    expect(missing.status).toBe(10);
    expect(missing.stderr).toContain('nope.agent');
    expect(runCli(['validate', 'nope.agent', '--json'], { cwd: dir }).stdout).toContain('"MANIFEST_NOT_FOUND"');
    expect(runCli(['validate'], { cwd: dir }).status).toBe(2);
  });

  it('tells a container from YAML by content, not by the .agent extension', async () => {
    const { buildContainer } = await import('@agentlang/container');
    const dir = makeTempDir();
    writeTree(dir, { 'src/demo.agent': DEMO_AGENT });
    const built = await buildContainer(join(dir, 'src/demo.agent'), {
      out: join(dir, 'demo@0.1.0.agent'),
      frozen: false,
      resolve: { probeMcp: false },
    });
    const digest = built.agent.digest;
    const r = runCli(['validate', 'demo@0.1.0.agent'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // Counted like `build` and `verify` count them: the agent's files plus manifest.json and signature.sig.
    expect(r.stdout).toMatch(
      new RegExp(
        `^Valid: demo@0\\.1\\.0 \\(${digest}\\)\\n  container: ${built.index.entries.length + 2} entries verified, unsigned\\n$`,
      ),
    );
    // A container whose agent is not what its index says is not valid.
    const { packContainer } = await import('@agentlang/container');
    await packContainer({
      agent: { name: 'demo', version: '0.1.0', digest: `ag1:${'ab'.repeat(32)}`, dialect: 'agentspec' },
      entry: 'demo.agent',
      sources: [{ path: 'demo.agent', bytes: new TextEncoder().encode(DEMO_AGENT) }],
      lock: new Uint8Array(readFileSync(join(dir, 'src/demo.agent.lock'))),
      out: join(dir, 'lying.agent'),
    });
    const lying = runCli(['validate', 'lying.agent', '--json'], { cwd: dir });
    expect(lying.status).toBe(16);
    expect(JSON.parse(lying.stdout).error.code).toBe('CONTAINER_DIGEST_MISMATCH');
  });
});
