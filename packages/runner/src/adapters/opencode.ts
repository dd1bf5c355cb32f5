import { configPath, mcpLaunches, pickSecrets, programOf, requirePrompt } from './shared.js';
import type { InvocationFile, RuntimeAdapter } from './types.js';

/**
 * `opencode`: sst's opencode CLI — `opencode run [--model provider/model] <prompt>` with
 * `OPENCODE_CONFIG` naming an `opencode.json` whose `instructions` point at the system prompt file
 * and whose `mcp` entries reference credentials as `{env:VAR}`.
 */
export const opencodeAdapter: RuntimeAdapter = {
  name: 'opencode',
  binary: 'opencode',
  description: 'opencode (`opencode run`), opencode.json via OPENCODE_CONFIG',
  secretEnv: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'OPENROUTER_API_KEY'],
  versionArgs: ['--version'],
  buildInvocation(input) {
    const prompt = requirePrompt(input, 'opencode');
    const argv = [programOf(input, 'opencode'), 'run'];
    const plan = input.plan;
    if (plan.model) {
      const provider = plan.models[plan.model]?.provider;
      argv.push('--model', plan.model.includes('/') || !provider ? plan.model : `${provider}/${plan.model}`);
    }
    argv.push(prompt);
    const files: InvocationFile[] = [];
    const config: Record<string, unknown> = { $schema: 'https://opencode.ai/config.json', autoupdate: false };
    if (input.systemPrompt) {
      const path = configPath(input, 'opencode', 'system.md');
      files.push({ path, content: input.systemPrompt });
      config.instructions = [path];
    }
    const mcp = mcpLaunches(input);
    if (mcp.servers.length > 0) {
      config.mcp = Object.fromEntries(
        mcp.servers.map((s) => [
          s.name,
          { type: 'local', command: [s.command, ...s.args], enabled: true, environment: Object.fromEntries(s.envKeys.map((k) => [k, `{env:${k}}`])) },
        ]),
      );
    }
    const configFile = configPath(input, 'opencode', 'opencode.json');
    files.push({ path: configFile, content: `${JSON.stringify(config, null, 2)}\n` });
    return { argv, env: { OPENCODE_CONFIG: configFile }, secrets: { ...pickSecrets(input.env, this.secretEnv), ...mcp.secrets }, files };
  },
};
