import { loadAgentFromFiles, scaffoldAgent } from '@agentlang/manifest';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import type { INIT } from './index.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** `agentlang init <name> [--dialect agentlang|agentspec] [--dir D]`: scaffolds an agent that validates; never overwrites. */
export async function run(ctx: ContextOf<typeof INIT>): Promise<CommandResult> {
  const [name] = ctx.positionals as [string];
  const { dialect } = ctx.values;
  const files = scaffoldAgent(name, dialect);
  const entry = Object.keys(files)[0]!;
  // Validate in memory first (the manifest package owns the rules, e.g. for names), so nothing
  // is written for an agent that would not validate.
  await loadAgentFromFiles(
    Object.fromEntries(Object.entries(files).map(([p, text]) => [p, new TextEncoder().encode(text)])),
    { entry, label: name },
  );
  const dir = resolve(ctx.cwd, ctx.values.dir ?? (dialect === 'agentlang' ? name : '.'));
  const targets = Object.keys(files).map((p) => join(dir, p));
  const present = [];
  for (const target of targets) if (await exists(target)) present.push(relative(ctx.cwd, target) || target);
  if (present.length > 0) {
    throw new CliError(
      CliErrorCode.Exists,
      `refusing to overwrite ${present.join(', ')}; choose another --dir or name, or remove ${present.length === 1 ? 'it' : 'them'} first`,
      {
        details: { files: present },
      },
    );
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
