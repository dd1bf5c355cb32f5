import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compilePrompt } from '@agentlang/promptlang';
import { formatDiagnostic, loadAgent } from '@agentlang/manifest';
import { describe, expect, test } from 'vitest';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const entries = readdirSync(examples, { withFileTypes: true })
  // examples/agentspec is a corpus of AgentSpec manifests (some warn on purpose), tested by agentspec-corpus.test.ts.
  .filter((e) => (e.isDirectory() && e.name !== 'agentspec') || e.name.endsWith('.agent'))
  .map((e) => e.name)
  .sort();

describe('every example agent validates without warnings and its prompt compiles', () => {
  test('the examples include the seeds and at least three more', () => {
    expect(entries).toEqual(expect.arrayContaining(['demo.agent', 'research-assistant', 'child.agent']));
    expect(entries.length).toBeGreaterThanOrEqual(5);
  });

  test.each(entries)('%s', async (name) => {
    const agent = await loadAgent(join(examples, name));
    expect(agent.warnings.map(formatDiagnostic)).toEqual([]);
    expect(agent.digest).toMatch(/^ag1:[0-9a-f]{64}$/);
    if (agent.prompt) {
      for (const target of ['markdown', 'xml'] as const)
        expect(compilePrompt(agent.prompt.document, { target }).length).toBeGreaterThan(0);
    }
  });
});

describe('together the examples use every section of the spec', () => {
  test('each section appears in at least one example', async () => {
    const agents = await Promise.all(entries.map((n) => loadAgent(join(examples, n))));
    const m = agents.map((a) => a.manifest);
    const some = (f: (x: (typeof m)[number]) => unknown) => m.some((x) => Boolean(f(x)));
    expect(some((x) => x.dialect === 'agentspec' && x.trust && x.runtime && x.observability && x.behavior)).toBe(true);
    expect(some((x) => x.title && x.subtitle && x.developer && x.category)).toBe(true);
    expect(some((x) => x.models.some((mm) => mm.provider && mm.options))).toBe(true);
    expect(some((x) => x.tools.some((t) => t.version && t.inputSchema && t.outputSchema))).toBe(true);
    expect(some((x) => x.tools.some((t) => t.config))).toBe(true);
    expect(some((x) => x.mcpServers.some((s) => s.tools && Object.keys(s.env).length))).toBe(true);
    expect(some((x) => x.httpTools.some((t) => t.bodyTemplate && t.auth && Object.keys(t.flags).length))).toBe(true);
    expect(some((x) => x.httpTools.some((t) => t.uiComponent?.completed?.actions?.syncActions))).toBe(true);
    expect(some((x) => x.bashTools.some((t) => t.helpCommand && t.labels))).toBe(true);
    expect(some((x) => x.dependencies.some((d) => d.install.linux && d.install.darwin))).toBe(true);
    expect(
      some((x) => x.permissions?.settings.background?.wakeTriggers && x.permissions.settings.background.maxRuntime),
    ).toBe(true);
    expect(some((x) => x.permissions?.settings.camera?.schedule)).toBe(true);
    expect(some((x) => x.permissions?.settings.notifications?.channels)).toBe(true);
    expect(some((x) => x.context?.window && x.context.compaction?.preserve && x.context.inject.length)).toBe(true);
    expect(
      some(
        (x) =>
          x.delegate?.mode === 'static' && x.delegate.process && x.delegate.agents.some((a) => a.dependsOn && a.task),
      ),
    ).toBe(true);
    expect(
      some((x) => x.delegate?.mode === 'dynamic' && x.delegate.discovery === 'directory' && x.delegate.maxDepth),
    ).toBe(true);
    expect(some((x) => Object.values(x.delegate?.permissions ?? {}).includes('always_ask'))).toBe(true);
    expect(some((x) => x.uiComponents.some((c) => Object.values(c.actions).some((a) => a.tool)))).toBe(true);
    expect(some((x) => x.skills.some((s) => s.allowedTools.length && s.file))).toBe(true);
    expect(some((x) => x.ux?.integrations.length && Object.keys(x.ux.mcpTools).length)).toBe(true);
    expect(agents.some((a) => a.subAgentPaths.length >= 3)).toBe(true);
    expect(agents.some((a) => a.prompt)).toBe(true);
  });
});
