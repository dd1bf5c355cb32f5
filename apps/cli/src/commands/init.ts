import { loadAgentFromFiles, SCAFFOLD_DIALECTS, type ScaffoldDialect, scaffoldAgent } from '@agentlang/manifest';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { type CommandContext, type CommandResult, UsageError } from '../command.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** `agentlang init <name> [--dialect agentlang|agentspec] [--dir D]`: scaffolds an agent that validates; never overwrites. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [name, ...extra] = ctx.positionals;
  if (name === undefined || extra.length > 0) {
    throw new UsageError(name === undefined ? 'init needs the new agent\'s name, e.g. `agentlang init my-agent`' : `init takes one name, got ${ctx.positionals.length}`);
  }
  const dialect = (ctx.values.dialect ?? 'agentlang') as ScaffoldDialect;
  if (!SCAFFOLD_DIALECTS.includes(dialect)) throw new UsageError(`--dialect must be one of ${SCAFFOLD_DIALECTS.join(', ')}, got '${dialect}'`);
  const files = scaffoldAgent(name, dialect);
  const entry = Object.keys(files)[0]!;
  // Validate in memory first (the manifest package owns the rules, e.g. for names), so nothing
  // is written for an agent that would not validate.
  await loadAgentFromFiles(
    Object.fromEntries(Object.entries(files).map(([p, text]) => [p, new TextEncoder().encode(text)])),
    { entry, label: name },
  );
  const dir = resolve(ctx.cwd, (ctx.values.dir as string | undefined) ?? (dialect === 'agentlang' ? name : '.'));
  const targets = Object.keys(files).map((p) => join(dir, p));
  const present = [];
  for (const target of targets) if (await exists(target)) present.push(relative(ctx.cwd, target) || target);
  if (present.length > 0) {
    throw new UsageError(`refusing to overwrite ${present.join(', ')}; choose another --dir or name, or remove ${present.length === 1 ? 'it' : 'them'} first`, {
      code: 'USAGE_EXISTS',
      details: { files: present },
    });
  }
  await mkdir(dir, { recursive: true });
  const created: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    const target = join(dir, rel);
    await writeFile(target, text, { flag: 'wx' }); // wx: fail rather than overwrite, even in a race
    created.push(relative(ctx.cwd, target) || target);
  }
  const agentPath = dialect === 'agentlang' ? relative(ctx.cwd, dir) || '.' : created[0]!;
  return {
    text: [...created.map((p) => `Created ${p}`), `Next: agentlang validate ${agentPath}`].join('\n'),
    data: { name, dialect, files: created, agent: agentPath },
  };
}
