import { agentSpecPromptDocument, type LoadedAgent } from '@agentlang/manifest';
import { type CompileTarget, compilePrompt, type PromptDocument } from '@agentlang/promptlang';
import { sha256 } from './canonical.js';
import { ResolveError } from './errors.js';

/**
 * The system prompt a runtime is given: `prompt.yaml` compiled by PromptLang (templates left
 * verbatim), or for an AgentSpec agent without one the prompt its manifest defines
 * (`agentSpecPromptDocument`: SOUL.md / `soul`, persona and traits as sentences or
 * `system_override`, RULES.md / `rules`; sampling settings stay out). Empty string when the agent has none.
 */
export function compileSystemPrompt(agent: LoadedAgent, target: CompileTarget = 'markdown'): string {
  let doc: PromptDocument | undefined;
  if (agent.prompt) doc = agent.prompt.document as PromptDocument;
  else doc = agentSpecPromptDocument(agent.manifest);
  if (!doc) return '';
  try {
    return compilePrompt(doc, { target, ...(agent.prompt ? { file: agent.prompt.path } : {}) });
  } catch (cause) {
    throw new ResolveError(
      'RESOLVE_PROMPT',
      `the system prompt of ${agent.manifest.name} does not compile to ${target}: ${(cause as Error).message}`,
      {
        cause,
        details: { agent: agent.manifest.name, target, code: (cause as { code?: string }).code },
      },
    );
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
