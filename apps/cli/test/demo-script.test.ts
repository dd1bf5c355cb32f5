import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// The README's Quick start ends with scripts/demo.sh: the seed-000 pipeline and seed 003's build,
// end to end through the built CLI. If it stops working, the README is no longer true.
const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');

it('scripts/demo.sh runs the whole seed pipeline and prints what the seeds show', () => {
  const r = spawnSync('bash', [join(repo, 'scripts/demo.sh')], {
    encoding: 'utf8',
    env: { ...process.env, CI: undefined, AGENTLANG_SIGNING_KEY: undefined, AGENTLANG_API_KEYS: undefined },
    timeout: 240_000,
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  const out = r.stdout;
  expect(out).toMatch(/^Valid: demo@0\.1\.0 \(ag1:[0-9a-f]{64}\)$/m);
  expect(out).toContain(
    '  Runtime:  test-echo\n  Model:    test-echo/demo\n  Auth:     local socket\n  Tools:    none\n',
  );
  expect(out).toContain('Launching test-echo...\n[test-echo] demo@0.1.0\n');
  expect(out).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}demo@0\.1\.0 {2}exit=0 {2}\d+ms {2}ag1:[0-9a-f]{64}$/m);
  expect(out).toContain('Wrote demo.agent.lock\n');
  expect(out).toContain('Wrote demo.agent.lock (signed)\n');
  expect(out).toContain('VALID: signature verifies for demo@0.1.0\n');
  expect(out).toContain("Pushed demo@0.1.0  tenant 'alice'\n");
  expect(out).toContain('Fetched demo@0.1.0  pulled.agent\n');
  expect(out).toContain('VALID: signature verifies for research-assistant@1.0.0');
  // A container with a prompt and sub-agents, through the embedded registry and back, runs.
  expect(out).toMatch(/^ {2}entries: {3}7, context: 0 file\(s\), 0 B$/m);
  expect(out).toContain("Pushed echo-crew@1.0.0  tenant 'alice'\n");
  expect(out).toContain('Fetched echo-crew@1.0.0  pulled-crew.agent\n');
  expect(out).toMatch(
    / {2}Agents: {3}researcher, writer\n {2}Input: {4}container, 7 entries, signature verified \(key id [0-9a-f]{16}…\), every entry matches it\n {2}Prompt: {3}decrypted in memory, compiled sha256:[0-9a-f]{64} \(matches the lock\)\n/,
  );
  expect(out).toContain('Launching test-echo...\n[test-echo] echo-crew@1.0.0\n');
  // One run of the built-in harness (the default for agent.yaml agents) against the scripted model server.
  expect(out).toMatch(/^ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:\d+ {3}# the scripted model server$/m);
  expect(out).toContain('  Runtime:  harness (built in)\n  Model:    claude-sonnet-4\n  Auth:     local socket\n');
  expect(out).toContain('Launching harness...\nbubblewrap (bwrap) runs a program in fresh Linux namespaces');
  expect(out).toContain('Demo complete.');
  // The drift error and the cross-tenant refusal go to stderr, which the script passes through.
  expect(r.stderr).toMatch(/manifest hash ag1:[0-9a-f]{64} does not match lock's recorded hash ag1:[0-9a-f]{64}/);
  expect(r.stderr).toContain('Re-run `agentlang lock edited.agent` if the drift is intentional.');
  expect(r.stderr).toContain('REGISTRY_UNAUTHORIZED');
}, 300_000);
