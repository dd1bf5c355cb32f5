import type { LoadedAgent } from '@agentlang/manifest';
import { type CompileTarget, compilePrompt, type PromptDocument } from '@agentlang/promptlang';
import { sha256 } from './canonical.js';
import { ResolveError } from './errors.js';

function sectionName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
  return /^[A-Za-z_]/.test(name) ? name : `_${name.slice(0, 63)}`;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

/**
 * The system prompt a runtime is given: `prompt.yaml` compiled by PromptLang (templates left
 * verbatim), or for an agent without one a deterministic prompt from AgentSpec `behavior`
 * (one section per key, in source order; `persona` first). Empty string when the agent has neither.
 */
export function compileSystemPrompt(agent: LoadedAgent, target: CompileTarget = 'markdown'): string {
  let doc: PromptDocument | undefined;
  if (agent.prompt) doc = agent.prompt.document as PromptDocument;
  else if (agent.manifest.behavior && Object.keys(agent.manifest.behavior).length > 0) {
    const behavior = agent.manifest.behavior;
    const keys = Object.keys(behavior);
    const ordered = keys.includes('persona') ? ['persona', ...keys.filter((k) => k !== 'persona')] : keys;
    doc = {
      version: 2,
      role: 'system',
      sections: ordered.filter((k) => behavior[k] !== undefined && behavior[k] !== null).map((k) => ({ name: sectionName(k), content: text(behavior[k]) })),
    };
  }
  if (!doc) return '';
  try {
    return compilePrompt(doc, { target, ...(agent.prompt ? { file: agent.prompt.path } : {}) });
  } catch (cause) {
    throw new ResolveError('RESOLVE_PROMPT', `the system prompt of ${agent.manifest.name} does not compile to ${target}: ${(cause as Error).message}`, {
      cause,
      details: { agent: agent.manifest.name, target, code: (cause as { code?: string }).code },
    });
  }
}

/** The compile target a runtime prefers: XML tags for Anthropic's claude-code, markdown elsewhere. */
export function promptTargetFor(runtime: string): CompileTarget {
  return runtime === 'claude-code' ? 'xml' : 'markdown';
}

/** `sha256:<hex>` of the compiled system prompt, or null when the agent has none. */
export function systemPromptDigest(agent: LoadedAgent, target: CompileTarget): string | null {
  const prompt = compileSystemPrompt(agent, target);
  return prompt === '' ? null : sha256(prompt);
}

/** The targets a lock pins the prompt for: every one a runtime may be given. */
export const PROMPT_TARGETS: readonly CompileTarget[] = ['markdown', 'xml'];

/**
 * Digests of the compiled system prompt for every target it compiles to (a target it does not
 * compile to is left out: a runtime that needs it fails when it resolves, with the compiler's error).
 */
export function systemPromptDigests(agent: LoadedAgent): Partial<Record<CompileTarget, string>> {
  const out: Partial<Record<CompileTarget, string>> = {};
  for (const target of PROMPT_TARGETS) {
    try {
      const digest = systemPromptDigest(agent, target);
      if (digest !== null) out[target] = digest;
    } catch (error) {
      if ((error as { code?: string }).code !== 'RESOLVE_PROMPT') throw error;
    }
  }
  return out;
}
