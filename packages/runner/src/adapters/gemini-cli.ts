import { bareModel, configPath, mcpLaunches, pickSecrets, programOf, requirePrompt } from './shared.js';
import type { InvocationFile, RuntimeAdapter } from './types.js';

/**
 * `gemini-cli`: Google's `gemini` CLI headless — `gemini -p <prompt> [-m M]`; the system prompt is
 * a file named by `GEMINI_SYSTEM_MD`, and MCP servers live in a settings file named by
 * `GEMINI_CLI_SYSTEM_SETTINGS_PATH` with `$VAR` references for credentials.
 */
export const geminiCliAdapter: RuntimeAdapter = {
  name: 'gemini-cli',
  binary: 'gemini',
  description: 'Google Gemini CLI (`gemini -p`), settings.json via GEMINI_CLI_SYSTEM_SETTINGS_PATH',
  secretEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  versionArgs: ['--version'],
  buildInvocation(input) {
    const prompt = requirePrompt(input, 'gemini-cli');
    const argv = [programOf(input, 'gemini'), '-p', prompt];
    const model = bareModel(input.plan.model, ['google', 'gemini']);
    if (model) argv.push('-m', model);
    const env: Record<string, string> = {};
    const files: InvocationFile[] = [];
    if (input.systemPrompt) {
      const path = configPath(input, 'gemini', 'system.md');
      files.push({ path, content: input.systemPrompt });
      env.GEMINI_SYSTEM_MD = path;
    }
    const mcp = mcpLaunches(input);
    const mcpServers: Record<string, unknown> = {};
    for (const s of mcp.servers) {
      mcpServers[s.name] = { command: s.command, args: s.args, env: Object.fromEntries(s.envKeys.map((k) => [k, `$${k}`])) };
    }
    const settingsPath = configPath(input, 'gemini', 'settings.json');
    files.push({ path: settingsPath, content: `${JSON.stringify({ mcpServers }, null, 2)}\n` });
    env.GEMINI_CLI_SYSTEM_SETTINGS_PATH = settingsPath;
    return { argv, env, secrets: { ...pickSecrets(input.env, this.secretEnv), ...mcp.secrets }, files };
  },
};
