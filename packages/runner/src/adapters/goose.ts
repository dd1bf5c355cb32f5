import { bareModel, llmNeeds, mcpLaunches, pickSecrets, programOf, requirePrompt } from './shared.js';
import type { RuntimeAdapter } from './types.js';

/** Model endpoints per provider, for the sandbox's egress proxy (see `needs`). */
const PROVIDER_HOSTS: Record<string, string[]> = {
  anthropic: ['api.anthropic.com'],
  openai: ['api.openai.com'],
  google: ['generativelanguage.googleapis.com'],
};
/** goose's provider names for the providers the resolver knows. */
const GOOSE_PROVIDERS: Record<string, string> = {
  anthropic: 'anthropic',
  openai: 'openai',
  google: 'google',
  ollama: 'ollama',
};

/**
 * `goose`: Block's goose — `goose run --no-session --quiet -i - [--provider P --model M]
 * [--with-extension "<cmd> <args>"]…` with the instructions (system prompt, blank line, task) on
 * stdin. MCP servers become stdio extensions; their credentials reach them through goose's own
 * environment (secrets), never argv. A `goose/…` model leaves provider and model to goose's config.
 */
export const gooseAdapter: RuntimeAdapter = {
  name: 'goose',
  binary: 'goose',
  description: 'Block goose (`goose run -i -`), instructions on stdin, MCP servers as --with-extension',
  secretEnv: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GOOGLE_API_KEY', 'GEMINI_API_KEY'],
  versionArgs: ['--version'],
  needs: ({ plan }) => {
    const provider = plan.model ? plan.models[plan.model]?.provider : undefined;
    const needs = llmNeeds(PROVIDER_HOSTS[provider ?? ''] ?? []);
    if (needs.hosts.length === 0)
      needs.notes.push(
        `goose's provider ${provider ? `"${provider}"` : '(from its own configuration)'} has no known endpoint; the sandbox reaches none unless the agent has network access`,
      );
    return needs;
  },
  buildInvocation(input) {
    const prompt = requirePrompt(input, 'goose');
    const argv = [programOf(input, 'goose'), 'run', '--no-session', '--quiet', '-i', '-'];
    const plan = input.plan;
    const provider = plan.model ? GOOSE_PROVIDERS[plan.models[plan.model]?.provider ?? ''] : undefined;
    const model = bareModel(plan.model, [
      'goose',
      'anthropic',
      'claude',
      'openai',
      'google',
      'gemini',
      'local',
      'ollama',
    ]);
    if (provider && model) argv.push('--provider', provider, '--model', model);
    const mcp = mcpLaunches(input);
    for (const s of mcp.servers) argv.push('--with-extension', [s.command, ...s.args].map(shellWord).join(' '));
    const stdin = input.systemPrompt ? `${input.systemPrompt.trimEnd()}\n\n${prompt}` : prompt;
    const env: Record<string, string> = {};
    if (input.env.OLLAMA_HOST) env.OLLAMA_HOST = input.env.OLLAMA_HOST;
    return { argv, env, secrets: { ...pickSecrets(input.env, this.secretEnv), ...mcp.secrets }, files: [], stdin };
  },
};

/** Quotes one word for goose's extension command line (split shell-style by goose). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
