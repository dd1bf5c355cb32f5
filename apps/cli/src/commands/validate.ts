import { resolve } from 'node:path';
import type { CommandResult, ContextOf } from '../command.js';
import { manifestLoadOptions } from '../registry-base.js';
import type { VALIDATE } from './index.js';

/** `agentlang validate <agent>`: loads and checks an agent and prints `Valid: name@version (ag1:…)`. */
export async function run(ctx: ContextOf<typeof VALIDATE>): Promise<CommandResult> {
  const [input] = ctx.positionals as [string];
  const path = resolve(ctx.cwd, input);
  const { formatDiagnostic, ManifestError } = await import('@agentlang/manifest');
  // The one entry point for every input: a container's agent is loaded from its verified entries
  // (its prompt stays encrypted; the prompt's digest comes from the container's own lock).
  const { openAgentInput } = await import('@agentlang/agent-input');
  const load = manifestLoadOptions(ctx.env);
  const opened = await openAgentInput(path, { cwd: ctx.cwd, ...(load.resolveBase ? { load } : {}) });
  const { agent, container } = opened;
  const { name, version } = agent.manifest;
  const warnings = agent.warnings;
  if (ctx.values.strict && warnings.length > 0) {
    throw new ManifestError(
      'MANIFEST_INVALID',
      `${input} has ${warnings.length} warning${warnings.length === 1 ? '' : 's'}, which --strict treats as errors`,
      { details: { diagnostics: warnings.map((w) => ({ ...w, severity: 'error' as const })) } },
    );
  }
  if (ctx.verbose)
    ctx.log(
      `read ${agent.files.map((f) => f.path).join(', ')} from ${container ? `the verified entries of ${path}` : agent.source.root}`,
    );
  const lines = [`Valid: ${name}@${version} (${agent.digest})`, ...warnings.map(formatDiagnostic)];
  if (container) {
    const sig = container.signature;
    const signature = sig.state === 'unsigned' ? 'unsigned' : `signed (${sig.state}) by ${sig.keyIds.join(', ')}`;
    // Counted as `build` and `verify` count them: every archive entry, manifest.json and signature.sig included.
    lines.splice(1, 0, `  container: ${container.archiveEntries} entries verified, ${signature}`);
  }
  return {
    text: lines.join('\n'),
    data: {
      valid: true,
      name,
      version,
      digest: agent.digest,
      warnings,
      ...(container ? { container: { entries: container.archiveEntries, signature: container.signature } } : {}),
    },
  };
}
