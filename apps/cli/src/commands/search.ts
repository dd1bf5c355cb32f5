import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import type { SEARCH } from './index.js';

/** `agentlang search [text]`: lists registry entries whose name, tenant or description match. */
export async function run(ctx: ContextOf<typeof SEARCH>): Promise<CommandResult> {
  const registry = ctx.values.registry ?? ctx.env.AGENTLANG_REGISTRY;
  if (!registry)
    throw new CliError(
      CliErrorCode.Flag,
      'no registry: pass --registry URL (e.g. http://127.0.0.1:8765) or set AGENTLANG_REGISTRY',
      { details: { flag: 'registry' } },
    );
  const { RegistryClient } = await import('@agentlang/registry-client');
  const apiKey = ctx.values['api-key'] ?? ctx.env.AGENTLANG_API_KEY;
  const { tenant } = ctx.values;
  const result = await new RegistryClient({ url: registry, ...(apiKey ? { apiKey } : {}) }).search(
    ctx.positionals[0] ?? '',
    tenant ? { tenant } : {},
  );
  if (result.entries.length === 0) return { text: `No agents match '${ctx.positionals[0] ?? ''}'`, data: result };
  const refs = result.entries.map((e) => `${e.tenant}/${e.name}@${e.version}`);
  const width = Math.max(...refs.map((r) => r.length));
  const lines = result.entries.map((e, i) =>
    `${refs[i]!.padEnd(width)}  ${e.kind.padEnd(9)}  ${e.description ?? ''}`.trimEnd(),
  );
  if (result.total > result.entries.length)
    lines.push(`… ${result.total - result.entries.length} more; narrow the search`);
  return { text: lines.join('\n'), data: result };
}
