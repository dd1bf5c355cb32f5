import { RunnerError } from '../errors.js';
import { configPath, llmNeeds, pickSecrets, programOf, requirePrompt } from './shared.js';
import type { InvocationFile, RuntimeAdapter } from './types.js';

/** Model endpoints per provider, for the sandbox's egress proxy (see `needs`). */
const PROVIDER_HOSTS: Record<string, string[]> = {
  anthropic: ['api.anthropic.com'],
  openai: ['api.openai.com'],
  google: ['generativelanguage.googleapis.com'],
};
/** aider (litellm) model spelling per provider. */
const AIDER_PREFIX: Record<string, string> = {
  anthropic: 'anthropic/',
  openai: 'openai/',
  google: 'gemini/',
  ollama: 'ollama_chat/',
};

/**
 * `aider`: `aider --message-file <dir>/aider/message.md --yes-always --no-git --no-auto-commits
 * --no-check-update --no-analytics --no-pretty [--read <dir>/aider/system.md] [--model M]` — the
 * task and the system prompt are files, never argv. aider has no MCP support: an agent with MCP
 * servers is refused rather than run without them. An `aider/…` model leaves the model to aider's config.
 */
export const aiderAdapter: RuntimeAdapter = {
  name: 'aider',
  binary: 'aider',
  description: 'aider (`aider --message-file`), system prompt as a read-only file; no MCP',
  secretEnv: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY'],
  versionArgs: ['--version'],
  needs: ({ plan }) => {
    const provider = plan.model ? plan.models[plan.model]?.provider : undefined;
    const needs = llmNeeds(PROVIDER_HOSTS[provider ?? ''] ?? []);
    if (needs.hosts.length === 0)
      needs.notes.push(
        `aider's provider ${provider ? `"${provider}"` : '(from its own configuration)'} has no known endpoint; the sandbox reaches none unless the agent has network access`,
      );
    return needs;
  },
  buildInvocation(input) {
    const prompt = requirePrompt(input, 'aider');
    if (input.plan.mcpServers.length > 0) {
      throw new RunnerError(
        'RUNNER_PLAN_BLOCKED',
        `runtime aider cannot start MCP servers (${input.plan.mcpServers.map((s) => s.name).join(', ')}); pick a runtime with MCP support (--runtime claude-code, codex, gemini-cli, opencode, goose or cursor-cli)`,
        { details: { runtime: 'aider' } },
      );
    }
    const message = configPath(input, 'aider', 'message.md');
    const files: InvocationFile[] = [{ path: message, content: prompt }];
    const argv = [
      programOf(input, 'aider'),
      '--message-file',
      message,
      '--yes-always',
      '--no-git',
      '--no-auto-commits',
      '--no-check-update',
      '--no-analytics',
      '--no-pretty',
    ];
    // aider proposes shell commands and, with --yes-always, runs them: not for an agent without shell.
    if (input.agentShell === false) argv.push('--no-suggest-shell-commands');
    if (input.systemPrompt) {
      const system = configPath(input, 'aider', 'system.md');
      files.push({ path: system, content: input.systemPrompt });
      argv.push('--read', system);
    }
    const plan = input.plan;
    if (plan.model) {
      const slash = plan.model.indexOf('/');
      const bare = slash > 0 ? plan.model.slice(slash + 1) : plan.model;
      const own = plan.model.startsWith('aider/');
      const prefix = AIDER_PREFIX[plan.models[plan.model]?.provider ?? ''];
      if (!own) argv.push('--model', prefix ? `${prefix}${bare}` : plan.model);
      else if (bare) argv.push('--model', bare);
    }
    const env: Record<string, string> = {};
    if (input.env.OLLAMA_HOST) env.OLLAMA_API_BASE = input.env.OLLAMA_HOST;
    return { argv, env, secrets: pickSecrets(input.env, this.secretEnv), files };
  },
};
