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
 * `claude-code`: Anthropic's `claude` CLI in print mode —
 * `claude -p --output-format text` with the prompt on stdin [--model M] [--append-system-prompt-file <dir>/system-prompt.md]
 * [--mcp-config <dir>/mcp.json --strict-mcp-config]`. MCP server credentials are written as
 * `${VAR}` references (Claude Code expands them from its environment), never as values.
 */
export const claudeCodeAdapter: RuntimeAdapter = {
  name: 'claude-code',
  binary: 'claude',
  description: 'Anthropic Claude Code (`claude -p`), MCP servers through --mcp-config',
  secretEnv: ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN'],
  versionArgs: ['--version'],
  needs: ({ env }) => llmNeeds([endpointHost(env, 'ANTHROPIC_BASE_URL', 'api.anthropic.com')]),
  buildInvocation(input) {
    const prompt = requirePrompt(input, 'claude-code');
    // `-p` is --print (a switch): with no prompt argument, claude reads it from stdin. The prompt never
    // goes on argv, which every process on the host can read (/proc/<pid>/cmdline, ps).
    const argv = [programOf(input, 'claude'), '-p', '--output-format', 'text'];
    const model = bareModel(input.plan.model, ['anthropic', 'claude']);
    if (model) argv.push('--model', model);
    const files: InvocationFile[] = [];
    if (input.systemPrompt) {
      // A file, not argv: on the host, any user can read a process's argv in /proc.
      const path = configPath(input, 'claude', 'system-prompt.md');
      files.push({ path, content: input.systemPrompt });
      argv.push('--append-system-prompt-file', path);
    }
    const mcp = mcpLaunches(input);
    if (mcp.servers.length > 0) {
      const mcpServers: Record<string, unknown> = {};
      for (const s of mcp.servers) {
        mcpServers[s.name] = {
          type: 'stdio',
          command: s.command,
          args: s.args,
          env: Object.fromEntries(s.envKeys.map((k) => [k, `\${${k}}`])),
        };
      }
      const path = configPath(input, 'claude', 'mcp.json');
      files.push({ path, content: `${JSON.stringify({ mcpServers }, null, 2)}\n` });
      argv.push('--mcp-config', path, '--strict-mcp-config');
    }
    // No shell for the agent: its Bash tool is off (the sandbox still lets Claude Code start MCP servers).
    if (input.agentShell === false) argv.push('--disallowedTools', 'Bash');
    const env: Record<string, string> = {
      CLAUDE_CONFIG_DIR: configPath(input, 'claude', 'home'),
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    };
    // The endpoint the egress proxy lets through (see needs) is the one the runtime must use.
    if (input.env.ANTHROPIC_BASE_URL) env.ANTHROPIC_BASE_URL = input.env.ANTHROPIC_BASE_URL;
    return {
      argv,
      // Non-essential traffic (telemetry, error reports, update checks) off: the model endpoint is the only host it needs.
      env,
      secrets: { ...pickSecrets(input.env, this.secretEnv), ...mcp.secrets },
      files,
      stdin: prompt,
    };
  },
};
