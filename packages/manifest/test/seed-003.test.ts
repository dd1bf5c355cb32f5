import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic, loadAgent } from '@agentlang/manifest';
import { describe, expect, test } from 'vitest';

// Issue 14 §1: every YAML block of seed 003, verbatim, assembled into agents (test/fixtures/seed-003).
const corpus = fileURLToPath(new URL('./fixtures/seed-003/', import.meta.url));
const agents = readdirSync(corpus).sort();

describe('seed 003, verbatim', () => {
  test('the corpus holds every agent assembled from the seed', () => {
    expect(agents).toEqual([
      'autonomous-operations',
      'bash-tools',
      'capability-declaration',
      'context-management',
      'delegation-permissions',
      'dynamic-orchestration',
      'generative-ui',
      'http-tools',
      'mcp-servers',
      'research-assistant',
      'skills',
      'static-crew',
      'tool-declaration',
      'tool-schemas',
      'tool-ui-rendering',
    ]);
  });

  test.each(agents)('%s validates', async (name) => {
    const agent = await loadAgent(join(corpus, name));
    expect(agent.digest).toMatch(/^ag1:[0-9a-f]{64}$/);
    for (const w of agent.warnings)
      expect(['MANIFEST_YAML_SYNTAX', 'MANIFEST_SCHEMA', 'MANIFEST_TOOL_REF'], formatDiagnostic(w)).toContain(w.code);
  });

  test("the http_tools body_template as printed (closing }' at the key's indentation) is read as PyYAML reads it, with a warning naming the line and the portable spelling", async () => {
    const agent = await loadAgent(join(corpus, 'http-tools'));
    expect(agent.manifest.httpTools[0]!.bodyTemplate).toBe(
      '{ "text": "{{text}}" {{if reply_to}}, "reply_to": "{{reply_to}}"{{end}} }',
    );
    expect(agent.warnings.map(formatDiagnostic)).toEqual([
      expect.stringMatching(
        /^agent\.yaml:23:1: warning MANIFEST_YAML_SYNTAX line 23 continues the quoted value of "body_template" \(line 20\) at indentation 4, not deeper than the key: .*indent line 23 by at least 5 spaces, or write the value as a block scalar \(body_template: \|\)/,
      ),
    ]);
  });

  test('the Capability Declaration as printed (optional background, mode scheduled, no schedule) is a warning', async () => {
    const agent = await loadAgent(join(corpus, 'capability-declaration'));
    expect(agent.warnings.map((w) => `${w.code}:${w.line}`)).toEqual(['MANIFEST_SCHEMA:29']);
    expect(agent.warnings[0]!.message).toContain('background has mode "scheduled" but no schedule or wake_triggers');
    expect(agent.manifest.permissions?.settings.background).toEqual({
      mode: 'scheduled',
      reason: 'Hourly inbox check',
    });
  });
});
