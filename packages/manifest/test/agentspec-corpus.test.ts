import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentSpecPromptDocument, formatDiagnostic, loadAgent } from '@agentlang/manifest';
import { compilePrompt } from '@agentlang/promptlang';
import { makeTempDir } from '@agentlang/test-helpers';
import { afterAll, describe, expect, test } from 'vitest';

// Issue 14 §2: AgentSpec's dialect as AgentSpec defines it, on a corpus in the repo
// (examples/agentspec): merged traits, skills, trust and prompt.
const corpus = join(import.meta.dirname, '../../../examples/agentspec');
const at = (rel: string) => join(corpus, rel);
const promptOf = async (rel: string) =>
  compilePrompt(agentSpecPromptDocument((await loadAgent(at(rel))).manifest)!, { target: 'markdown' });
const warningsOf = async (rel: string) => (await loadAgent(at(rel))).warnings.map((w) => `${w.code}:${w.line}`);
const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe('the AgentSpec corpus (examples/agentspec)', () => {
  test('a directory agent: SOUL.md and RULES.md are part of the manifest, the prompt and the digest', async () => {
    const agent = await loadAgent(at('researcher'));
    expect(agent.manifest.soul).toContain('You are a careful research agent.');
    expect(agent.manifest.rules).toContain('Invent a citation');
    expect(agent.manifest.runtimeSettings).toEqual({ temperature: 0.3 });
    const prompt = await promptOf('researcher');
    expect(prompt.indexOf('careful research agent')).toBeLessThan(
      prompt.indexOf('Cite a source (URL or reference) for every factual claim.'),
    );
    expect(prompt.indexOf('Mark anything you are not sure of with [UNCERTAIN].')).toBeLessThan(
      prompt.indexOf('Invent a citation'),
    );
    expect(prompt).not.toMatch(/temperature|0\.3/);
    expect(agent.files.map((f) => f.path)).toEqual(['RULES.md', 'SOUL.md', 'agent.yaml']);

    const copy = makeTempDir();
    scratch.push(copy);
    cpSync(at('researcher'), copy, { recursive: true });
    expect((await loadAgent(copy)).digest).toBe(agent.digest);
    writeFileSync(join(copy, 'SOUL.md'), 'You are a careless research agent.\n');
    expect((await loadAgent(copy)).digest).not.toBe(agent.digest);
  });

  test('skills are abstract names mapped to concrete tools; unknown names pass with a warning', async () => {
    const m = (await loadAgent(at('researcher'))).manifest;
    expect(m.skills).toEqual([
      { name: 'web-search', allowedTools: [], abstract: true, tools: ['web_search', 'mcp:brave-search'] },
      { name: 'cite-sources', allowedTools: [], abstract: true, tools: ['mcp:arxiv', 'mcp:google-scholar'] },
      { name: 'summarize', allowedTools: [], abstract: true, tools: [] },
    ]);
    expect(m.tools).toEqual([{ name: 'web_search' }]);
    expect(await warningsOf('legal-researcher.agent')).toEqual(['MANIFEST_UNKNOWN_NAME:16']);
  });

  test('merge: append (skills), override (behavior, the default), trust inherited', async () => {
    const m = (await loadAgent(at('legal-researcher.agent'))).manifest;
    expect(m.skills.map((s) => s.name)).toEqual(['web-search', 'cite-sources', 'summarize', 'browser', 'legal-search']);
    expect(m.behavior).toEqual({
      persona: 'precise-legal-researcher',
      traits: ['cite-everything', 'cite-jurisdiction'],
    });
    expect(m.runtimeSettings).toEqual({ temperature: 0.1 });
    expect(m.trust).toEqual({ filesystem: 'none', network: 'allowed', exec: 'none', scope: [] });
    expect(await promptOf('legal-researcher.agent')).toBe(
      '## persona\nYou are a precise legal researcher.\n\n## traits\n- Cite a source (URL or reference) for every factual claim.\n- Name the jurisdiction every legal source applies to.\n',
    );
  });

  test('merge: behavior append (traits appended, settings overridden key by key), skills and tools appended, trust narrowed', async () => {
    const m = (await loadAgent(at('pricing-analyst.agent'))).manifest;
    expect(m.behavior).toEqual({
      persona: 'pricing-analyst',
      traits: ['think-step-by-step', 'be-concise', 'self-review', 'cite-everything'],
    });
    expect(m.runtimeSettings).toEqual({ temperature: 0, maxSteps: 40, onError: 'retry' });
    expect(m.skills.map((s) => s.name)).toEqual(['code-execution', 'file-read', 'file-write', 'git', 'data-analysis']);
    expect(m.nativeTools).toEqual(['bash', 'python', 'read_file', 'write_file', 'git']);
    expect(m.tools).toEqual([{ name: 'sqlite' }]);
    expect(m.trust).toEqual({
      filesystem: 'read-only',
      network: 'none',
      exec: 'sandboxed',
      scope: ['./workspace/src'],
    });
    expect(m.agentspec).toEqual({
      author: 'data-team@example.com',
      license: 'Apache-2.0',
      tags: ['base', 'development'],
    });
  });

  test('merge: restrict keeps only what the base allows, and says what it dropped', async () => {
    const agent = await loadAgent(at('sandboxed-intern.agent'));
    expect(agent.manifest.skills.map((s) => s.name)).toEqual(['file-read']);
    expect(agent.manifest.nativeTools).toEqual(['bash', 'read_file']);
    expect(agent.manifest.trust).toEqual({ filesystem: 'none', network: 'none', exec: 'none', scope: [] });
    expect(agent.warnings.map(formatDiagnostic)).toEqual([
      expect.stringContaining(
        'sandboxed-intern.agent:16:5: warning MANIFEST_INHERITANCE skill "browser" is not in the base\'s allow-list (bases/coder.agent: code-execution, file-read, file-write, git); merge: restrict drops it',
      ),
      expect.stringContaining(
        'sandboxed-intern.agent:21:7: warning MANIFEST_INHERITANCE tools.native entry "curl" is not in the base\'s allow-list (bases/coder.agent: bash)',
      ),
    ]);
  });

  test('a manifest without apiVersion but with AgentSpec keys is read as AgentSpec as a whole; version defaults to 0.1.0', async () => {
    const agent = await loadAgent(at('pulled.agent'));
    expect(agent.manifest).toMatchObject({
      dialect: 'agentspec',
      name: 'pulled-helper',
      version: '0.1.0',
      tools: [{ name: 'web_search' }],
      trust: { filesystem: 'none', network: 'allowed', exec: 'none', scope: [] },
    });
    expect(agent.warnings.map((w) => w.code)).toEqual(['MANIFEST_DIALECT']);
    expect(agent.warnings[0]!.message).toContain('add `apiVersion: agent/v1`');
  });

  test('inline soul: and system_override: are prompt text; sampling settings are runtime settings', async () => {
    expect(await promptOf('fastapi-dev.agent')).toMatch(
      /^## soul\nYou are a FastAPI specialist\.[\s\S]*## traits\n- When you do not know something, say so; never make it up\.\n- Write the tests before the code they test\.\n$/,
    );
    expect((await loadAgent(at('fastapi-dev.agent'))).manifest.runtimeSettings).toEqual({
      temperature: 0.1,
      maxSteps: 30,
    });
    expect(await promptOf('override.agent')).toBe('## system_override\nAnswer with exactly one word.\n');
  });

  test('tools: { mcp, native }: well-known names map to servers, other forms are read, unknown names are a warning', async () => {
    const agent = await loadAgent(at('mcp-tools.agent'));
    expect(agent.manifest.mcpServers).toEqual([
      { name: 'everything', command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'], env: {} },
      {
        name: 'filesystem',
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-filesystem', './data'],
        env: {},
      },
      { name: 'local-notes', command: 'node', args: ['notes-server.js'], env: {} },
    ]);
    expect(agent.manifest.nativeTools).toBeUndefined();
    expect(agent.warnings.map((w) => `${w.code}:${w.line}`)).toEqual(['MANIFEST_UNKNOWN_NAME:15']);
  });

  test('every base validates on its own', async () => {
    for (const base of ['bases/coder.agent', 'bases/researcher.agent'])
      expect((await loadAgent(at(base))).warnings).toEqual([]);
  });
});
