import { resolve } from 'node:path';
import { type CommandContext, type CommandResult, UsageError } from '../command.js';

/** The manifest API: a lazy chunk in the full CLI, bundled in the validate fast path. */
function manifestApi(): Promise<typeof import('@agentlang/manifest')> {
  return import('@agentlang/manifest');
}

/** `agentlang validate <agent>`: loads and checks an agent and prints `Valid: name@version (ag1:…)`. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [input, ...extra] = ctx.positionals;
  if (input === undefined || extra.length > 0) {
    throw new UsageError(input === undefined ? 'validate needs one agent: a directory, a YAML manifest or a .agent container' : `validate takes one agent, got ${ctx.positionals.length}`);
  }
  const path = resolve(ctx.cwd, input);
  const { formatDiagnostic, loadAgent, ManifestError, sniffInput } = await manifestApi();
  if ((await sniffInput(path)) === 'container') return validateContainer(ctx, path);
  const agent = await loadAgent(path);
  const { name, version } = agent.manifest;
  const warnings = agent.warnings;
  if (ctx.values.strict === true && warnings.length > 0) {
    throw new ManifestError(
      'MANIFEST_INVALID',
      `${input} has ${warnings.length} warning${warnings.length === 1 ? '' : 's'}, which --strict treats as errors`,
      { diagnostics: warnings.map((w) => ({ ...w, severity: 'error' as const })) },
    );
  }
  if (ctx.verbose) ctx.log(`read ${agent.files.map((f) => f.path).join(', ')} from ${agent.source.root}`);
  return {
    text: [`Valid: ${name}@${version} (${agent.digest})`, ...warnings.map(formatDiagnostic)].join('\n'),
    data: { valid: true, name, version, digest: agent.digest, warnings },
  };
}

/** A packed container: its integrity (every digest against the signed index) is the validation. */
async function validateContainer(ctx: CommandContext, path: string): Promise<CommandResult> {
  // Lazy: the container code (tar walking, crypto) never loads for YAML inputs.
  const { inspectContainer } = await import('@agentlang/container');
  const info = await inspectContainer(path);
  const { name, version, digest } = info.agent;
  if (ctx.verbose) ctx.log(`${info.entries.length} entries verified against the index of ${path}`);
  const signature = info.signature.state === 'unsigned' ? 'unsigned' : `signed (${info.signature.state}) by ${info.signature.keyIds.join(', ')}`;
  return {
    text: `Valid: ${name}@${version} (${digest})\n  container: ${info.entries.length} entries verified, ${signature}`,
    data: { valid: true, name, version, digest, warnings: [], container: { entries: info.entries.length, signature: info.signature } },
  };
}
