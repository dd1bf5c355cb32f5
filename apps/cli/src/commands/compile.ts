import { agentSpecPromptDocument, sniffInput } from '@agentlang/manifest';
import {
  compilePrompt,
  createInjectVariables,
  listTemplateVariables,
  looksLikePrompt,
  parsePrompt,
  type PromptDocument,
} from '@agentlang/promptlang';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import { inputOptionsFromFlags } from '../input-flags.js';
import type { COMPILE } from './index.js';

const VARIABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$/;

/** Turns repeated `--var a.b=value` flags into a nested variables object (null prototypes throughout). */
function parseVariables(flags: string[]): Record<string, unknown> {
  const root: Record<string, unknown> = Object.create(null);
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const key = eq < 0 ? flag : flag.slice(0, eq);
    if (eq < 0 || !VARIABLE_KEY.test(key)) {
      throw new CliError(
        CliErrorCode.Flag,
        `--var expects key=value with a key like \`user_profile.name\`, got '${flag}'`,
        { details: { flag: 'var', value: flag.slice(0, 80) } },
      );
    }
    const segments = key.split('.');
    let node = root;
    segments.forEach((segment, i) => {
      if (i === segments.length - 1) {
        if (typeof node[segment] === 'object')
          throw new CliError(CliErrorCode.Flag, `--var ${key} conflicts with another --var under ${key}.`, {
            details: { flag: 'var', value: key },
          });
        node[segment] = flag.slice(eq + 1);
        return;
      }
      if (node[segment] === undefined) node[segment] = Object.create(null);
      if (typeof node[segment] !== 'object')
        throw new CliError(
          CliErrorCode.Flag,
          `--var ${key} conflicts with --var ${segments.slice(0, i + 1).join('.')}`,
          { details: { flag: 'var', value: key } },
        );
      node = node[segment] as Record<string, unknown>;
    });
  }
  return root;
}

interface PromptInput {
  document: PromptDocument;
  /** Path shown in messages; undefined when the agent has no prompt. */
  file: string | undefined;
  /** The agent's name, when compiling an agent. */
  name?: string;
  /** The agent's `context.inject` sources, when compiling an agent. */
  inject: readonly string[];
}

async function readPromptInput(ctx: ContextOf<typeof COMPILE>, input: string): Promise<PromptInput> {
  const path = resolve(ctx.cwd, input);
  // A bare prompt.yaml is compile's own kind of input; every agent goes through the one entry point.
  if ((await sniffInput(path)) === 'yaml') {
    const text = await readFile(path, 'utf8');
    if (looksLikePrompt(text)) return { document: parsePrompt(text, { file: input }), file: input, inject: [] };
  }
  const { openAgentInput } = await import('@agentlang/agent-input');
  const opened = await openAgentInput(path, inputOptionsFromFlags(ctx));
  const { agent } = opened;
  if (opened.container?.prompt === 'encrypted') {
    throw new CliError(
      CliErrorCode.Env,
      `${input} is a container whose prompt is encrypted: set AGENTLANG_IDENTITY (or --identity-env VAR, --passphrase-env VAR) to decrypt it in memory, or compile the agent's sources (a directory or its agent.yaml)`,
      {
        details: { variable: 'AGENTLANG_IDENTITY' },
      },
    );
  }
  // A prompt is optional in both dialects: an AgentSpec agent without one compiles the prompt its
  // manifest defines (SOUL.md, persona, traits, RULES.md); any other agent to an empty prompt.
  if (!agent.prompt) {
    const defined = agentSpecPromptDocument(agent.manifest);
    if (defined)
      return {
        document: defined,
        file: opened.container
          ? `${input}:${agent.source.entry}`
          : relative(ctx.cwd, join(agent.source.root, agent.source.entry)) || agent.source.entry,
        inject: [],
        name: agent.manifest.name,
      };
    return { document: { version: 2, sections: [] }, file: undefined, inject: [], name: agent.manifest.name };
  }
  if (opened.container)
    return {
      document: agent.prompt.document,
      file: `${input}:${agent.prompt.path}`,
      inject: agent.manifest.context?.inject ?? [],
      name: agent.manifest.name,
    };
  // Parse again from the file so errors point at prompt.yaml:line:column as the user sees it.
  const promptPath = join(agent.source.root, agent.prompt.path);
  const file = relative(ctx.cwd, promptPath) || agent.prompt.path;
  const document = parsePrompt(await readFile(promptPath, 'utf8'), { file });
  return { document, file, inject: agent.manifest.context?.inject ?? [], name: agent.manifest.name };
}

/** `agentlang compile <agent | prompt.yaml> --target markdown|xml [--var k=v]…`: prints the compiled prompt. */
export async function run(ctx: ContextOf<typeof COMPILE>): Promise<CommandResult> {
  const [input] = ctx.positionals as [string];
  const { target, var: flags } = ctx.values;
  const { document, file, inject, name } = await readPromptInput(ctx, input);
  if (file === undefined) {
    ctx.log(`${input} (${name}) has no prompt.yaml: its compiled prompt is empty`);
    return { text: '', data: { target, file: null, sections: [], variables: [], rendered: false, text: '' } };
  }
  // Without --var, templates stay verbatim; with any --var, every variable must resolve, and the
  // agent's inject sources the CLI can supply (time) are filled in unless given explicitly.
  const variables =
    flags.length > 0
      ? { ...createInjectVariables(inject.filter((s) => s === 'time')), ...parseVariables(flags) }
      : undefined;
  const text = compilePrompt(document, { target, file, ...(variables ? { variables } : {}) });
  if (ctx.verbose) ctx.log(`compiled ${document.sections.length} sections of ${file} to ${target}`);
  return {
    text,
    data: {
      target,
      file,
      ...(document.role !== undefined ? { role: document.role } : {}),
      sections: document.sections.map((s) => s.name),
      variables: listTemplateVariables(document),
      rendered: variables !== undefined,
      text,
    },
  };
}
