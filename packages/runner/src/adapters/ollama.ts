import { RunnerError } from '../errors.js';
import { bareModel, programOf, requirePrompt } from './shared.js';
import type { RuntimeAdapter } from './types.js';

/**
 * `ollama`: a local model through `ollama run <model> --nowordwrap` with the message on stdin.
 * `ollama run` has no system-prompt flag and no MCP support, so the compiled system prompt is sent
 * ahead of the user's prompt in the one message, and an agent with MCP servers is refused rather than run without them.
 */
export const ollamaAdapter: RuntimeAdapter = {
  name: 'ollama',
  binary: 'ollama',
  description: 'Ollama (`ollama run <model>`), system prompt prepended; no MCP',
  secretEnv: [],
  versionArgs: ['--version'],
  buildInvocation(input) {
    const prompt = requirePrompt(input, 'ollama');
    const model = bareModel(input.plan.model, ['ollama']);
    if (!model) {
      throw new RunnerError('RUNNER_PLAN_BLOCKED', 'runtime ollama needs a model; declare one under models: (e.g. llama3.2) or model.preferred', { runtime: 'ollama' });
    }
    if (input.plan.mcpServers.length > 0) {
      throw new RunnerError(
        'RUNNER_PLAN_BLOCKED',
        `runtime ollama cannot start MCP servers (${input.plan.mcpServers.map((s) => s.name).join(', ')}); pick a runtime with MCP support (--runtime claude-code, codex, gemini-cli or opencode)`,
        { runtime: 'ollama' },
      );
    }
    const message = input.systemPrompt ? `${input.systemPrompt.trimEnd()}\n\n${prompt}` : prompt;
    const env: Record<string, string> = {};
    if (input.env.OLLAMA_HOST) env.OLLAMA_HOST = input.env.OLLAMA_HOST;
    // The message goes through stdin (ollama run reads it when stdin is not a terminal), never argv.
    return { argv: [programOf(input, 'ollama'), 'run', model, '--nowordwrap'], env, secrets: {}, files: [], stdin: message };
  },
};
