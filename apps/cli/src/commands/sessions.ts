import { resolve } from 'node:path';
import { createFileSessionStore, type Message, type SessionMeta, validateSessionId } from '@agentlang/harness';
import { sessionsDirFor } from '@agentlang/runner';
import { type CommandContext, type CommandResult, UsageError } from '../command.js';

const tokens = (m: SessionMeta) => `${m.usage.inputTokens}/${m.usage.outputTokens} tokens`;

function sessionLine(m: SessionMeta): string {
  return `${m.updated}  ${m.id}  ${m.agent}  ${m.turns} turns  ${tokens(m)}${m.pending.length > 0 ? '  (waiting: a tool call has no result)' : ''}`;
}

function describeMeta(m: SessionMeta): string[] {
  return [
    `Session:  ${m.id}`,
    `Agent:    ${m.agent}`,
    `Created:  ${m.created}`,
    `Updated:  ${m.updated}`,
    `Turns:    ${m.turns} (${m.steps} model requests, ${m.messages} messages stored)`,
    `Usage:    ${tokens(m)}`,
    `Compacted: ${m.compaction.count} times${m.compaction.checkpoints.length > 0 ? ` (checkpoints: ${m.compaction.checkpoints.join(', ')})` : ''}`,
    ...(m.pending.length > 0 ? [`Pending:  ${m.pending.map((c) => `${c.name} (call ${c.id})`).join(', ')} — the next run on this session answers it`] : []),
  ];
}

function renderMessage(m: Message): string {
  if (m.role === 'assistant') return `assistant: ${m.content}${m.toolCalls ? `${m.content ? '\n' : ''}${m.toolCalls.map((c) => `  → ${c.name} (call ${c.id}) ${JSON.stringify(c.arguments)}`).join('\n')}` : ''}`;
  if (m.role === 'tool') return `tool ${m.name} (call ${m.toolCallId})${m.isError ? ' failed' : ''}: ${m.content}`;
  return `user: ${m.content}`;
}

/** The session id argument: a safe file name, else a usage error (exit 2). */
function sessionId(id: string): string {
  try {
    return validateSessionId(id);
  } catch (error) {
    throw new UsageError((error as Error).message, { code: 'USAGE_SESSION', details: { id: id.slice(0, 80) }, cause: error });
  }
}

/**
 * `agentlang sessions list|show <id> [--turns]`: the conversations kept by `run --session` under
 * `.agentlang/sessions`. They hold the user's own text, so `show` prints the facts and prints the
 * turns only when asked (`--turns`).
 */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [sub, ...rest] = ctx.positionals;
  const dirOption = ctx.values.dir;
  const store = createFileSessionStore(typeof dirOption === 'string' ? resolve(ctx.cwd, dirOption) : sessionsDirFor(ctx.cwd));
  if (sub === 'list' || sub === undefined) {
    if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}: agentlang sessions list`);
    const sessions = await store.list();
    return { text: sessions.map(sessionLine).join('\n'), data: { sessions } };
  }
  if (sub === 'show') {
    const [id, ...more] = rest;
    if (!id) throw new UsageError('missing <id>: agentlang sessions show <id> [--turns]  (ids from `agentlang sessions list`)');
    if (more.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(more[0])}`);
    const state = await store.load(sessionId(id));
    if (!state) throw new UsageError(`no session ${JSON.stringify(id)} here; \`agentlang sessions list\` shows the sessions there are`, { code: 'USAGE_SESSION_NOT_FOUND', details: { id } });
    const turns = ctx.values.turns === true;
    return {
      text: [...describeMeta(state.meta), ...(turns ? ['', ...state.messages.map(renderMessage)] : [])].join('\n'),
      data: { session: state.meta, ...(turns ? { messages: state.messages } : {}) },
    };
  }
  throw new UsageError(`unknown sessions subcommand ${JSON.stringify(sub)}; expected list or show <id>`);
}
