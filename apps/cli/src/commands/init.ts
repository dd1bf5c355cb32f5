import { loadAgentFromFiles } from '@agentlang/manifest';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { type CommandContext, type CommandResult, UsageError } from '../command.js';

const DIALECTS = ['agentlang', 'agentspec'] as const;
type Dialect = (typeof DIALECTS)[number];

function titleOf(name: string): string {
  return name
    .split(/[-_.]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

/** The files of a new agent, by path relative to the target directory. */
function scaffold(name: string, dialect: Dialect): Record<string, string> {
  if (dialect === 'agentspec') {
    return {
      [`${name}.agent`]: [
        'apiVersion: agent/v1',
        `name: ${name}`,
        'version: 0.1.0',
        `description: "${titleOf(name)}: what this agent does"`,
        '',
        'runtime: test-echo',
        'model:',
        '  preferred:',
        `    - test-echo/${name}`,
        '',
        'behavior:',
        `  persona: ${name}-agent`,
        '',
        'trust:',
        '  filesystem: none',
        '  network: none',
        '  exec: full',
        '',
        'observability:',
        '  trace: true',
        '',
      ].join('\n'),
    };
  }
  return {
    'agent.yaml': [
      `name: ${name}`,
      'version: 0.1.0',
      `title: ${titleOf(name)}`,
      'description: |',
      '  What this agent does, in a sentence or two.',
      '',
      'models:',
      '  claude-sonnet-4:',
      '    provider: anthropic',
      '    options:',
      '      temperature: 0.7',
      '',
      'tools:',
      '  - name: web_search',
      '    version: ^1.2.0',
      '  - name: artifacts',
      '',
    ].join('\n'),
    'prompt.yaml': [
      'version: 2',
      'role: system',
      'sections:',
      '  - name: who_you_are',
      '    content: |',
      `      You are ${titleOf(name)}. Describe the agent's role and standards here.`,
      '',
      '  - name: your_tools',
      '    content: |',
      '      web_search - Find current information across the web',
      '      artifacts - Save reports and findings for the user',
      '',
      '  - name: workflow',
      '    content: |',
      '      1. Understand the request',
      '      2. Search, then cross-check what you find',
      '      3. Save the result as an artifact',
      '',
    ].join('\n'),
  };
}

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
  const dialect = (ctx.values.dialect ?? 'agentlang') as Dialect;
  if (!DIALECTS.includes(dialect)) throw new UsageError(`--dialect must be one of ${DIALECTS.join(', ')}, got '${dialect}'`);
  const files = scaffold(name, dialect);
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
