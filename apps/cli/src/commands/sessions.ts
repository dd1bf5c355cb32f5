import { resolve } from 'node:path';
import { createFileSessionStore, type Message, type SessionMeta, validateSessionId } from '@agentlang/harness';
import { sessionsDirFor } from '@agentlang/runner';
import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import type { SESSIONS } from './index.js';

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
    ...(m.pending.length > 0
      ? [
          `Pending:  ${m.pending.map((c) => `${c.name} (call ${c.id})`).join(', ')} — the next run on this session answers it`,
        ]
      : []),
  ];
}

function renderMessage(m: Message): string {
  if (m.role === 'assistant')
    return `assistant: ${m.content}${m.toolCalls ? `${m.content ? '\n' : ''}${m.toolCalls.map((c) => `  → ${c.name} (call ${c.id}) ${JSON.stringify(c.arguments)}`).join('\n')}` : ''}`;
  if (m.role === 'tool') return `tool ${m.name} (call ${m.toolCallId})${m.isError ? ' failed' : ''}: ${m.content}`;
  return `user: ${m.content}`;
}

/** The session id argument: a safe file name, else a usage error (exit 2). */
function sessionId(id: string): string {
  try {
    return validateSessionId(id);
  } catch (error) {
    throw new CliError(CliErrorCode.Session, (error as Error).message, {
      details: { id: id.slice(0, 80) },
      cause: error,
    });
  }
}

/**
 * `agentlang sessions list|show <id> [--turns]`: the conversations kept by `run --session` under
 * `.agentlang/sessions`. They hold the user's own text, so `show` prints the facts and prints the
 * turns only when asked (`--turns`).
 */
export async function run(ctx: ContextOf<typeof SESSIONS>): Promise<CommandResult> {
  const [sub = 'list', id] = ctx.positionals;
  const store = createFileSessionStore(
    ctx.values.dir !== undefined ? resolve(ctx.cwd, ctx.values.dir) : sessionsDirFor(ctx.cwd),
  );
  if (sub === 'list') {
    if (id !== undefined)
      throw new CliError(CliErrorCode.Argument, `unexpected argument ${JSON.stringify(id)}: agentlang sessions list`, {
        details: { argument: id.slice(0, 40) },
      });
    const sessions = await store.list();
    return { text: sessions.map(sessionLine).join('\n'), data: { sessions } };
  }
  // `show`, the only other subcommand the declaration lets through.
  if (!id)
    throw new CliError(
      CliErrorCode.Argument,
      'missing <id>: agentlang sessions show <id> [--turns]  (ids from `agentlang sessions list`)',
      { details: { argument: 'id' } },
    );
  const state = await store.load(sessionId(id));
  if (!state)
    throw new CliError(
      CliErrorCode.SessionNotFound,
      `no session ${JSON.stringify(id)} here; \`agentlang sessions list\` shows the sessions there are`,
      { details: { id } },
    );
  const turns = ctx.values.turns === true;
  return {
    text: [...describeMeta(state.meta), ...(turns ? ['', ...state.messages.map(renderMessage)] : [])].join('\n'),
    data: { session: state.meta, ...(turns ? { messages: state.messages } : {}) },
  };
}
