import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { processRunning, writeFileAtomicSync } from '@agentlang/utils';
import { HarnessError } from './errors.js';
import type { LoopStep } from './loop.js';
import type { Message, ToolCall, Usage } from './types.js';

/** The format of a session file's first line. */
export const SESSION_SCHEMA = 'agentlang.session/v1';

/** What compaction did to a session so far; kept so a resumed run knows its conversation was compacted and where checkpoints went. */
export interface SessionCompaction {
  /** Compactions over the session's life. */
  count: number;
  /** Checkpoint names (checkpoint strategy), oldest first. */
  checkpoints: string[];
  /** Strategy of the last compaction. */
  lastStrategy?: string;
}

/** A session's facts without its conversation: what `sessions list` and `sessions show` print by default. */
export interface SessionMeta {
  id: string;
  /** The agent's name (`name@version` when known). */
  agent: string;
  /** ISO 8601 times. */
  created: string;
  updated: string;
  /** User turns (prompts) so far. */
  turns: number;
  /** Model requests so far. */
  steps: number;
  /** Messages in the stored conversation (after compaction). */
  messages: number;
  usage: Usage;
  compaction: SessionCompaction;
  /** Tool calls of the last assistant message that have no result yet: a run stopped in flight or waiting for an approval. */
  pending: ToolCall[];
}

/** A session as stored: its facts and its conversation. */
export interface SessionState {
  meta: SessionMeta;
  messages: Message[];
}

/** Held while a run uses a session: a second run on the same session is refused until it is released. */
export interface SessionLease {
  release(): void;
}

/** Where sessions live: files by default; a database when a team shares one. */
export interface SessionStore {
  /** The session, or undefined when it does not exist yet. */
  load(id: string): Promise<SessionState | undefined>;
  /** Replaces the stored session with this state, atomically: a crash leaves the previous checkpoint or this one. */
  checkpoint(state: SessionState): Promise<void>;
  /** Every session's facts, most recently updated first. */
  list(): Promise<SessionMeta[]>;
  /** Takes the session for one run; throws `HARNESS_SESSION_LOCKED` when another live run holds it. */
  acquire(id: string): Promise<SessionLease>;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Checks a session id: letters, digits, `.`, `_`, `-`, at most 128, not starting with a dot — it names a file, so no separators or `..`. */
export function validateSessionId(id: string): string {
  if (!ID.test(id)) {
    throw new HarnessError(
      'HARNESS_SESSION_ID',
      `session id ${JSON.stringify(id.slice(0, 80))} is not valid; expected letters, digits, '.', '_' or '-' (at most 128, not starting with '.' or '-'), e.g. --session review-1`,
      {
        details: { id: id.slice(0, 80) },
      },
    );
  }
  return id;
}

/** A new session's state. */
export function newSession(id: string, agent: string, now = new Date()): SessionState {
  const t = now.toISOString();
  return {
    meta: {
      id: validateSessionId(id),
      agent,
      created: t,
      updated: t,
      turns: 0,
      steps: 0,
      messages: 0,
      usage: { inputTokens: 0, outputTokens: 0 },
      compaction: { count: 0, checkpoints: [] },
      pending: [],
    },
    messages: [],
  };
}

/** The tool calls of the conversation's last assistant message that have no result after it. */
export function pendingToolCalls(messages: Message[]): ToolCall[] {
  let i = messages.length - 1;
  const answered = new Set<string>();
  for (let m = messages[i]; m?.role === 'tool'; m = messages[--i]) answered.add(m.toolCallId);
  const last = messages[i];
  if (last?.role !== 'assistant' || !last.toolCalls) return [];
  return last.toolCalls.filter((c) => !answered.has(c.id));
}

/** The facts line of a session: its header, and the last line of each appended step. */
function header(state: SessionState): SessionMeta & { schema: string } {
  return {
    schema: SESSION_SCHEMA,
    ...state.meta,
    messages: state.messages.length,
    pending: pendingToolCalls(state.messages),
  };
}

/** A header line, then one JSON line per message. */
function serialize(state: SessionState): string {
  let text = `${JSON.stringify(header(state))}\n`;
  for (const m of state.messages) text += `${JSON.stringify(m)}\n`;
  return text;
}

/** Fact lines appended before a checkpoint rewrites the file whole. */
const MAX_META_LINES = 256;

/** The first and last message objects written, by identity: the loop appends to the same objects, a compaction makes new ones. */
interface Written {
  count: number;
  first: Message | undefined;
  last: Message | undefined;
  metaLines: number;
}

function mark(messages: Message[]): Omit<Written, 'metaLines'> {
  return { count: messages.length, first: messages[0], last: messages[messages.length - 1] };
}

function extends_(before: Written, messages: Message[]): boolean {
  return (
    messages.length >= before.count &&
    (before.count === 0 || (messages[0] === before.first && messages[before.count - 1] === before.last))
  );
}

/**
 * Reads a session file: the first line is a header, later lines are messages or the facts line a
 * step appended (the last one wins). A last line without its newline is a write torn by a crash:
 * it is left out, so the session is the last complete step.
 */
function parseSession(text: string, path: string): SessionState {
  const lines = text.split('\n');
  const torn = lines.pop();
  let meta = parseHeader(lines[0] ?? torn ?? '', path);
  const messages: Message[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    let value: Message | (SessionMeta & { schema?: unknown });
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw corrupt(path, `line ${i + 1} is not JSON`, error);
    }
    if ('schema' in value) meta = parseHeader(line, path);
    else messages.push(value as Message);
  }
  return { meta: { ...meta, messages: messages.length, pending: pendingToolCalls(messages) }, messages };
}

function corrupt(path: string, why: string, cause?: unknown): HarnessError {
  return new HarnessError(
    'HARNESS_SESSION_CORRUPT',
    `session file ${path} cannot be read: ${why}; move it away to start the session afresh`,
    { details: { path }, ...(cause ? { cause } : {}) },
  );
}

function parseHeader(line: string, path: string): SessionMeta {
  let head: SessionMeta & { schema?: unknown };
  try {
    head = JSON.parse(line);
  } catch (error) {
    throw corrupt(path, 'its first line is not JSON', error);
  }
  if (!head || head.schema !== SESSION_SCHEMA)
    throw corrupt(path, `expected a ${SESSION_SCHEMA} header line; found ${line.slice(0, 60)}`);
  const { schema: _schema, ...meta } = head;
  return meta;
}

/**
 * The file session store: `<dir>/<id>.jsonl`, a header line then one message per line, replaced
 * atomically (temp file, fsync, rename) at every checkpoint, mode 0600 in a 0700 directory: the
 * conversation is the user's text. `<id>.lock` (created with O_EXCL, holding the pid) keeps a second
 * run off a session in use; a lock whose process is gone is taken over.
 */
export function createFileSessionStore(dir: string, options: { fsync?: boolean } = {}): SessionStore {
  // What this store last wrote per session: a checkpoint that only adds messages appends them.
  const written = new Map<string, Written>();
  const fileOf = (id: string) => join(dir, `${validateSessionId(id)}.jsonl`);
  const ensureDir = () => mkdirSync(dir, { recursive: true, mode: 0o700 });
  return {
    async load(id) {
      const path = fileOf(id);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw corrupt(path, (error as Error).message, error);
      }
      const state = parseSession(text, path);
      // After a torn write the next checkpoint rewrites the file: an append would join the fragment.
      written.set(id, { ...mark(state.messages), metaLines: text.endsWith('\n') ? 0 : MAX_META_LINES });
      return state;
    },
    async checkpoint(state) {
      const id = state.meta.id;
      const path = fileOf(id);
      ensureDir();
      const before = written.get(id);
      const now = mark(state.messages);
      // The usual step only adds messages: append them and the new facts (O(step), one fsync); a
      // compaction (or a session this store did not write) replaces the file atomically, as does a
      // file grown by many fact lines.
      if (before && before.metaLines < MAX_META_LINES && extends_(before, state.messages)) {
        let text = '';
        for (let i = before.count; i < state.messages.length; i++) text += `${JSON.stringify(state.messages[i])}\n`;
        text += `${JSON.stringify(header(state))}\n`;
        const fd = openSync(path, 'a', 0o600);
        try {
          writeSync(fd, text);
          if (options.fsync !== false) fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        written.set(id, { ...now, metaLines: before.metaLines + 1 });
        return;
      }
      writeFileAtomicSync(path, serialize(state), {
        mode: 0o600,
        ...(options.fsync === false ? { fsync: false } : {}),
      });
      written.set(id, { ...now, metaLines: 0 });
    },
    async list() {
      let names: string[];
      try {
        names = readdirSync(dir).filter((n) => n.endsWith('.jsonl') && ID.test(n.slice(0, -6)));
      } catch {
        return [];
      }
      const metas: SessionMeta[] = [];
      for (const name of names) {
        try {
          metas.push(parseSession(readFileSync(join(dir, name), 'utf8'), join(dir, name)).meta);
        } catch {
          // A foreign or torn file is not a session; it never hides the others.
        }
      }
      return metas.sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : 0));
    },
    async acquire(id) {
      const path = join(dir, `${validateSessionId(id)}.lock`);
      ensureDir();
      for (let attempt = 0; ; attempt++) {
        try {
          const fd = openSync(path, 'wx', 0o600);
          writeSync(fd, String(process.pid));
          closeSync(fd);
          let held = true;
          return {
            release() {
              if (!held) return;
              held = false;
              try {
                unlinkSync(path);
              } catch {
                // Already gone: nothing to release.
              }
            },
          };
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          const holder = Number(existsSync(path) ? readFileSync(path, 'utf8').trim() : Number.NaN);
          // A lock left by a process that died (a crash) is stale: take it over once.
          if (attempt === 0 && Number.isSafeInteger(holder) && holder > 0 && !processRunning(holder)) {
            try {
              unlinkSync(path);
            } catch {
              // Another run took it over first; the retry finds its lock.
            }
            continue;
          }
          throw new HarnessError(
            'HARNESS_SESSION_LOCKED',
            `session ${id} is in use by another run (process ${Number.isNaN(holder) ? 'unknown' : holder}); wait for it to end, or remove ${path} if that process is gone`,
            {
              details: { id, path, pid: Number.isNaN(holder) ? null : holder },
              cause: error,
            },
          );
        }
      }
    },
  };
}

/**
 * The `onStep` of a run that keeps its conversation in `state` (loaded or new): after every loop
 * step it updates the facts — this run's tokens and steps on top of the session's, a user turn per
 * prompt, compaction count and checkpoint names — and checkpoints the session in `store`.
 */
export function recordSessionSteps(store: SessionStore, state: SessionState): (step: LoopStep) => Promise<void> {
  const base = structuredClone(state.meta);
  return async (step) => {
    const meta = state.meta;
    state.messages = step.messages.slice();
    meta.updated = new Date().toISOString();
    meta.usage = {
      inputTokens: base.usage.inputTokens + step.usage.inputTokens,
      outputTokens: base.usage.outputTokens + step.usage.outputTokens,
    };
    meta.steps = base.steps + step.turn;
    if (step.kind === 'prompt') meta.turns++;
    if (step.compaction) {
      meta.compaction = {
        count: meta.compaction.count + 1,
        checkpoints: step.compaction.checkpoint
          ? [...meta.compaction.checkpoints, step.compaction.checkpoint]
          : meta.compaction.checkpoints,
        lastStrategy: step.compaction.strategy,
      };
    }
    await store.checkpoint(state);
  };
}
