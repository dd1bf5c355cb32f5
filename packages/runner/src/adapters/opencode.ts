import { configPath, llmNeeds, mcpLaunches, pickSecrets, programOf, requirePrompt } from './shared.js';
import type { InvocationFile, RuntimeAdapter } from './types.js';

/** Endpoint of each provider opencode talks to (opencode.json can move them; this adapter writes no such override). */
const OPENCODE_PROVIDER_HOSTS: Record<string, string[]> = {
  anthropic: ['api.anthropic.com'],
  openai: ['api.openai.com'],
  google: ['generativelanguage.googleapis.com'],
  openrouter: ['openrouter.ai'],
};

/**
 * `opencode`: sst's opencode CLI — `opencode run [--model provider/model]` with the prompt on stdin
 * (opencode run reads a piped stdin as the message) and
 * `OPENCODE_CONFIG` naming an `opencode.json` whose `instructions` point at the system prompt file
 * and whose `mcp` entries reference credentials as `{env:VAR}`.
 */
export const opencodeAdapter: RuntimeAdapter = {
  name: 'opencode',
  binary: 'opencode',
  description: 'opencode (`opencode run`), opencode.json via OPENCODE_CONFIG',
  secretEnv: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'OPENROUTER_API_KEY'],
  versionArgs: ['--version'],
  needs: ({ plan }) => {
    const provider = plan.model?.includes('/')
      ? plan.model.split('/')[0]
      : plan.model
        ? plan.models[plan.model]?.provider
        : undefined;
    const hosts = OPENCODE_PROVIDER_HOSTS[provider ?? ''] ?? [];
    const needs = llmNeeds([...hosts, 'models.dev']);
    if (hosts.length === 0)
      needs.notes.push(
        `opencode's provider ${provider ? `"${provider}"` : '(none: no model declared)'} has no known endpoint; only models.dev is reachable from the sandbox unless the agent has network access`,
      );
    return needs;
  },
  buildInvocation(input) {
    const prompt = requirePrompt(input, 'opencode');
    const argv = [programOf(input, 'opencode'), 'run'];
    const plan = input.plan;
    if (plan.model) {
      const provider = plan.models[plan.model]?.provider;
      argv.push('--model', plan.model.includes('/') || !provider ? plan.model : `${provider}/${plan.model}`);
    }
    // No message argument: opencode run takes a piped stdin as the message, so the prompt never goes on argv.
    const files: InvocationFile[] = [];
    const config: Record<string, unknown> = { $schema: 'https://opencode.ai/config.json', autoupdate: false };
    if (input.systemPrompt) {
      const path = configPath(input, 'opencode', 'system.md');
      files.push({ path, content: input.systemPrompt });
      config.instructions = [path];
    }
    // No shell for the agent: opencode's bash tool is denied (MCP servers still start).
    if (input.agentShell === false) config.permission = { bash: 'deny' };
    const mcp = mcpLaunches(input);
    if (mcp.servers.length > 0) {
      config.mcp = Object.fromEntries(
        mcp.servers.map((s) => [
          s.name,
          {
            type: 'local',
            command: [s.command, ...s.args],
            enabled: true,
            environment: Object.fromEntries(s.envKeys.map((k) => [k, `{env:${k}}`])),
          },
        ]),
      );
    }
    const configFile = configPath(input, 'opencode', 'opencode.json');
    files.push({ path: configFile, content: `${JSON.stringify(config, null, 2)}\n` });
    return {
      argv,
      env: { OPENCODE_CONFIG: configFile },
      secrets: { ...pickSecrets(input.env, this.secretEnv), ...mcp.secrets },
      files,
      stdin: prompt,
    };
  },
};
