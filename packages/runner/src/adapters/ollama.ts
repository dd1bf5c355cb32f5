import { isIP } from 'node:net';
import { isPrivateAddress } from '@agentlang/isolation';
import { RunnerError } from '../errors.js';
import { bareModel, endpointHost, programOf, requirePrompt } from './shared.js';
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
  needs: ({ env }) => {
    // ollama's client (Go) never sends loopback requests through a proxy: the default endpoint, the
    // host's own 127.0.0.1:11434, is out of reach of a sandbox with its own network namespace.
    const raw = env.OLLAMA_HOST || '127.0.0.1:11434';
    const bare = endpointHost({ url: /^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}` }, 'url', '127.0.0.1');
    if (bare === 'localhost' || (isIP(bare) !== 0 && isPrivateAddress(bare))) {
      return {
        hosts: [],
        processes: false,
        notes: [
          `ollama's endpoint (${env.OLLAMA_HOST || '127.0.0.1:11434'}) is on the host's loopback or a private network, which the sandbox reaches only with network access; grant it (permissions: network, or trust network: allowed) or set OLLAMA_HOST to a public endpoint`,
        ],
      };
    }
    return { hosts: [bare], processes: false, notes: [] };
  },
  buildInvocation(input) {
    const prompt = requirePrompt(input, 'ollama');
    const model = bareModel(input.plan.model, ['ollama', 'local']);
    if (!model) {
      throw new RunnerError(
        'RUNNER_PLAN_BLOCKED',
        'runtime ollama needs a model; declare one under models: (e.g. llama3.2) or model.preferred',
        { details: { runtime: 'ollama' } },
      );
    }
    if (input.plan.mcpServers.length > 0) {
      throw new RunnerError(
        'RUNNER_PLAN_BLOCKED',
        `runtime ollama cannot start MCP servers (${input.plan.mcpServers.map((s) => s.name).join(', ')}); pick a runtime with MCP support (--runtime claude-code, codex, gemini-cli or opencode)`,
        { details: { runtime: 'ollama' } },
      );
    }
    const message = input.systemPrompt ? `${input.systemPrompt.trimEnd()}\n\n${prompt}` : prompt;
    const env: Record<string, string> = {};
    if (input.env.OLLAMA_HOST) env.OLLAMA_HOST = input.env.OLLAMA_HOST;
    // The message goes through stdin (ollama run reads it when stdin is not a terminal), never argv.
    return {
      argv: [programOf(input, 'ollama'), 'run', model, '--nowordwrap'],
      env,
      secrets: {},
      files: [],
      stdin: message,
    };
  },
};
