import {
  bareModel,
  configPath,
  endpointHost,
  llmNeeds,
  mcpLaunches,
  pickSecrets,
  programOf,
  requirePrompt,
} from './shared.js';
import type { InvocationFile, RuntimeAdapter } from './types.js';

/**
 * `gemini-cli`: Google's `gemini` CLI headless — `gemini [-m M]` with the prompt on stdin (gemini runs
 * non-interactively on piped input); the system prompt is
 * a file named by `GEMINI_SYSTEM_MD`, and MCP servers live in a settings file named by
 * `GEMINI_CLI_SYSTEM_SETTINGS_PATH` with `$VAR` references for credentials.
 */
export const geminiCliAdapter: RuntimeAdapter = {
  name: 'gemini-cli',
  binary: 'gemini',
  description: 'Google Gemini CLI (`gemini -p`), settings.json via GEMINI_CLI_SYSTEM_SETTINGS_PATH',
  secretEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  versionArgs: ['--version'],
  needs: ({ env }) => llmNeeds([endpointHost(env, 'GOOGLE_GEMINI_BASE_URL', 'generativelanguage.googleapis.com')]),
  buildInvocation(input) {
    const prompt = requirePrompt(input, 'gemini-cli');
    // No -p: gemini reads a piped stdin as the prompt, so the prompt never goes on argv.
    const argv = [programOf(input, 'gemini')];
    const model = bareModel(input.plan.model, ['google', 'gemini']);
    if (model) argv.push('-m', model);
    // The endpoint the egress proxy lets through (see needs) is the one the runtime must use.
    const env: Record<string, string> = input.env.GOOGLE_GEMINI_BASE_URL
      ? { GOOGLE_GEMINI_BASE_URL: input.env.GOOGLE_GEMINI_BASE_URL }
      : {};
    const files: InvocationFile[] = [];
    if (input.systemPrompt) {
      const path = configPath(input, 'gemini', 'system.md');
      files.push({ path, content: input.systemPrompt });
      env.GEMINI_SYSTEM_MD = path;
    }
    const mcp = mcpLaunches(input);
    const mcpServers: Record<string, unknown> = {};
    for (const s of mcp.servers) {
      mcpServers[s.name] = {
        command: s.command,
        args: s.args,
        env: Object.fromEntries(s.envKeys.map((k) => [k, `$${k}`])),
      };
    }
    const settingsPath = configPath(input, 'gemini', 'settings.json');
    // No shell for the agent: the shell tool is excluded (MCP servers still start).
    const settings =
      input.agentShell === false ? { mcpServers, tools: { exclude: ['run_shell_command'] } } : { mcpServers };
    files.push({ path: settingsPath, content: `${JSON.stringify(settings, null, 2)}\n` });
    env.GEMINI_CLI_SYSTEM_SETTINGS_PATH = settingsPath;
    return { argv, env, secrets: { ...pickSecrets(input.env, this.secretEnv), ...mcp.secrets }, files, stdin: prompt };
  },
};
