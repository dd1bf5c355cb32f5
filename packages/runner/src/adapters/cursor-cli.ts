import { bareModel, configPath, llmNeeds, mcpLaunches, pickSecrets, programOf, requirePrompt } from './shared.js';
import type { InvocationFile, RuntimeAdapter } from './types.js';

/**
 * `cursor-cli`: Cursor's agent CLI in print mode — `cursor-agent -p --output-format text [--model M]`
 * with the message (system prompt, blank line, task) on stdin: cursor-agent has no system-prompt
 * file flag, and argv is readable by any user in /proc. `HOME=<dir>/cursor`, so its MCP config
 * (`~/.cursor/mcp.json`, `${VAR}` references) is the run's own; `CURSOR_API_KEY` goes as a secret.
 */
export const cursorCliAdapter: RuntimeAdapter = {
  name: 'cursor-cli',
  binary: 'cursor-agent',
  description: 'Cursor agent CLI (`cursor-agent -p`), message on stdin, ~/.cursor/mcp.json in its own HOME',
  secretEnv: ['CURSOR_API_KEY'],
  versionArgs: ['--version'],
  // Cursor's agent talks to Cursor's own backend, which brokers the model.
  needs: () => llmNeeds(['api2.cursor.sh']),
  buildInvocation(input) {
    const prompt = requirePrompt(input, 'cursor-cli');
    const argv = [programOf(input, 'cursor-agent'), '-p', '--output-format', 'text'];
    const model = bareModel(input.plan.model, ['cursor', 'anthropic', 'claude', 'openai', 'google', 'gemini']);
    if (model) argv.push('--model', model);
    const home = configPath(input, 'cursor');
    const files: InvocationFile[] = [];
    const mcp = mcpLaunches(input);
    if (mcp.servers.length > 0) {
      const mcpServers = Object.fromEntries(
        mcp.servers.map((s) => [
          s.name,
          { command: s.command, args: s.args, env: Object.fromEntries(s.envKeys.map((k) => [k, `\${${k}}`])) },
        ]),
      );
      files.push({
        path: configPath(input, 'cursor', '.cursor', 'mcp.json'),
        content: `${JSON.stringify({ mcpServers }, null, 2)}\n`,
      });
    }
    const stdin = input.systemPrompt ? `${input.systemPrompt.trimEnd()}\n\n${prompt}` : prompt;
    return {
      argv,
      env: { HOME: home },
      secrets: { ...pickSecrets(input.env, this.secretEnv), ...mcp.secrets },
      files,
      stdin,
    };
  },
};
