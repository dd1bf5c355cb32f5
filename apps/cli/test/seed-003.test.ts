import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cliKeygen, cliKeygenX25519, makeTempDir, runCli } from '@agentlang/test-helpers';
import { afterAll, describe, expect, it } from 'vitest';

// Issue 14 §1: every YAML block of seed 003, verbatim, assembled into agents
// (packages/manifest/test/fixtures/seed-003), validates, resolves and builds.
const corpus = join(import.meta.dirname, '../../../packages/manifest/test/fixtures/seed-003');
const work = makeTempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));
cpSync(corpus, work, { recursive: true }); // build writes agent.lock next to the agent
const agents = readdirSync(work).sort();
const onPath = (bin: string) =>
  (process.env.PATH ?? '').split(':').some((d) => d.startsWith('/') && existsSync(join(d, bin)));

// What each agent needs from this host, and nothing else: camera is a required capability of the
// autonomous-operations block (raw-os has none); Stripe's MCP server reads STRIPE_SECRET_KEY.
const resolveFlags: Record<string, string[]> = {
  'autonomous-operations': ['--host', 'rush-desktop'],
  'mcp-servers': ['--no-mcp'],
};
const env: Record<string, string> = { STRIPE_SECRET_KEY: 'sk_test_not_a_real_key' };

describe('seed 003 verbatim: validate, resolve and build every block', () => {
  const { priv } = cliKeygen();
  const { recipient } = cliKeygenX25519();

  it.each(agents)('%s', (name) => {
    const validate = runCli(['validate', name], { cwd: work, env });
    expect(validate.status, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/^Valid: [a-z-]+@1\.0\.0 \(ag1:[0-9a-f]{64}\)/);

    const resolved = runCli(['resolve', name, '--runtime', 'test-echo', ...(resolveFlags[name] ?? [])], {
      cwd: work,
      env,
    });
    expect(resolved.stdout).toContain('  Runtime:  test-echo');
    if (name === 'bash-tools' && !onPath('trivy')) {
      // The block declares trivy as a host dependency: resolving reports it missing (exit 11), and nothing else.
      expect(resolved.status).toBe(11);
      expect(resolved.stdout.split('\n').filter((l) => l.includes('Missing') || l.startsWith('            '))).toEqual([
        expect.stringContaining('dependency trivy: `trivy --version` failed'),
      ]);
    } else expect(resolved.status, resolved.stderr).toBe(0);

    // The MCP block's server is Stripe's, fetched from npm and given a live key: build probes every
    // MCP server (its tool schemas are what the lock pins), which cannot happen offline. Build has
    // no --host flag yet, and raw-os offers no camera, so autonomous-operations stops at resolve.
    if (name === 'mcp-servers' || name === 'autonomous-operations') return;
    const out = join(work, `${name}.agent`);
    const built = runCli(['build', name, '--sign-key-env', 'SIGNING_KEY', '--recipient', recipient, '--out', out], {
      cwd: work,
      env: { ...env, SIGNING_KEY: priv },
      timeoutMs: 120_000,
    });
    expect(built.status, built.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });
});
