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
import type { RuntimeAdapter } from './types.js';

/** Quotes a string as a TOML basic string. */
export function tomlString(value: string): string {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

/**
 * `codex`: OpenAI Codex CLI non-interactively — `codex exec --skip-git-repo-check --color never
 * [--model M] -` with the prompt on stdin (`-`: read instructions from stdin) with `CODEX_HOME=<dir>/codex` holding a `config.toml` that carries the
 * system prompt (`developer_instructions`) and `[mcp_servers.<name>]` tables whose credentials are
 * forwarded by name (`env_vars`), never written.
 */
export const codexAdapter: RuntimeAdapter = {
  name: 'codex',
  binary: 'codex',
  description: 'OpenAI Codex CLI (`codex exec`), config.toml in CODEX_HOME',
  secretEnv: ['OPENAI_API_KEY', 'CODEX_API_KEY'],
  versionArgs: ['--version'],
  needs: ({ env }) => llmNeeds([endpointHost(env, 'OPENAI_BASE_URL', 'api.openai.com')]),
  buildInvocation(input) {
    const prompt = requirePrompt(input, 'codex');
    const home = configPath(input, 'codex');
    const argv = [programOf(input, 'codex'), 'exec', '--skip-git-repo-check', '--color', 'never'];
    const model = bareModel(input.plan.model, ['openai', 'codex']);
    if (model) argv.push('--model', model);
    // `-`: the instructions come from stdin, never argv (which any host process can read).
    argv.push('--cd', input.workdir, '-');
    const lines: string[] = ['# Written by @agentlang/runner for one run.'];
    if (input.systemPrompt) lines.push(`developer_instructions = ${tomlString(input.systemPrompt)}`);
    // No shell for the agent: codex's shell tools are off (MCP servers still start).
    if (input.agentShell === false) lines.push('', '[features]', 'shell_tool = false', 'unified_exec = false');
    const mcp = mcpLaunches(input);
    for (const s of mcp.servers) {
      lines.push('', `[mcp_servers.${tomlKey(s.name)}]`, `command = ${tomlString(s.command)}`);
      lines.push(`args = [${s.args.map(tomlString).join(', ')}]`);
      if (s.envKeys.length > 0) lines.push(`env_vars = [${s.envKeys.map(tomlString).join(', ')}]`);
    }
    return {
      argv,
      // The endpoint the egress proxy lets through (see needs) is the one the runtime must use.
      env: { CODEX_HOME: home, ...(input.env.OPENAI_BASE_URL ? { OPENAI_BASE_URL: input.env.OPENAI_BASE_URL } : {}) },
      secrets: { ...pickSecrets(input.env, this.secretEnv), ...mcp.secrets },
      files: [{ path: `${home}/config.toml`, content: `${lines.join('\n')}\n` }],
      stdin: prompt,
    };
  },
};
