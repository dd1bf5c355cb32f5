import type { Message, ModelClient, Usage } from './types.js';

/** Compaction strategies of the manifest's `context.compaction.strategy`. */
export type CompactionStrategy = 'summarize' | 'drop_oldest' | 'checkpoint';

/**
 * Cheap token estimate: characters / 4 (rounded up) over the system prompt and every message,
 * tool-call arguments included. {@link ContextManager.observe} corrects it with the provider's
 * reported input tokens when a response carries them.
 */
export function estimateTokens(system: string, messages: Message[]): number {
  let chars = system.length;
  for (const m of messages) {
    chars += m.content.length + 8;
    if (m.role === 'assistant' && m.toolCalls)
      for (const c of m.toolCalls) chars += c.name.length + JSON.stringify(c.arguments ?? null).length;
  }
  return Math.ceil(chars / 4);
}

/** What a compaction did; also the payload of the loop's `context.compacted` event. */
export interface CompactionInfo {
  strategy: CompactionStrategy;
  reason: 'trigger' | 'context_too_long';
  beforeTokens: number;
  afterTokens: number;
  droppedMessages: number;
  /** Where the full conversation went (checkpoint strategy). */
  checkpoint?: string;
  /** Tokens of the summarising model call (summarize and checkpoint); the loop adds them to the run's usage. */
  usage?: Usage;
}

/** Options of {@link createContextManager}; built from the manifest's `context` block. */
export interface ContextOptions {
  /** `context.window.max_tokens`. */
  maxTokens: number;
  /** `context.compaction.trigger`: a fraction of maxTokens when ≤ 1, else a token count (default 0.8). */
  trigger?: number;
  /** `context.compaction.strategy` (default drop_oldest). */
  strategy?: CompactionStrategy;
  /**
   * `context.compaction.preserve`: `user_messages` keeps the text of dropped user messages and
   * `tool_results` the text of dropped tool results, verbatim, in the compaction note. The first
   * user message (the task) and the last `keepRecent` turns are always kept.
   */
  preserve?: string[];
  /** Turns kept at the end (an assistant tool call with its results is one turn; default 4). */
  keepRecent?: number;
  /** checkpoint strategy: saves the full conversation, returns a pointer (e.g. a file name) the model is shown. */
  onCheckpoint?: (messages: Message[]) => Promise<string> | string;
}

/** Decides when to compact and compacts; one per run. */
export interface ContextManager {
  readonly options: Required<Pick<ContextOptions, 'maxTokens' | 'trigger' | 'strategy' | 'keepRecent'>> &
    ContextOptions;
  /** Estimated tokens of a request, corrected by the last observed provider count. */
  estimate(system: string, messages: Message[]): number;
  /** Records the provider's input tokens for a request of this estimate (calibrates later estimates). */
  observe(system: string, messages: Message[], inputTokens: number): void;
  /** Whether the request passes the trigger. */
  shouldCompact(system: string, messages: Message[]): boolean;
  /** Compacts; never splits an assistant tool call from its results. Returns undefined when nothing can be dropped. */
  compact(
    system: string,
    messages: Message[],
    reason: CompactionInfo['reason'],
    deps: { model: ModelClient; signal?: AbortSignal },
  ): Promise<{ messages: Message[]; info: CompactionInfo } | undefined>;
}

/** Splits a conversation into turns: an assistant message with tool calls and the tool results after it form one. */
export function groupTurns(messages: Message[]): Message[][] {
  const groups: Message[][] = [];
  for (const m of messages) {
    const last = groups[groups.length - 1];
    if (m.role === 'tool' && last) last.push(m);
    else groups.push([m]);
  }
  return groups;
}

const COMPACTED = '[Earlier conversation compacted]';

function render(messages: Message[]): string {
  return messages
    .map((m) => {
      if (m.role === 'assistant')
        return `assistant: ${m.content}${m.toolCalls ? ` [calls ${m.toolCalls.map((c) => `${c.name}(${JSON.stringify(c.arguments)})`).join(', ')}]` : ''}`;
      if (m.role === 'tool') return `tool ${m.name}: ${m.content}`;
      return `user: ${m.content}`;
    })
    .join('\n');
}

/** Builds the context manager of one run. */
export function createContextManager(options: ContextOptions): ContextManager {
  const o = { trigger: 0.8, strategy: 'drop_oldest' as CompactionStrategy, keepRecent: 4, ...options };
  const limit = o.trigger <= 1 ? Math.floor(o.maxTokens * o.trigger) : o.trigger;
  let factor = 1;
  const estimate = (system: string, messages: Message[]) => Math.ceil(estimateTokens(system, messages) * factor);
  return {
    options: o,
    estimate,
    observe(system, messages, inputTokens) {
      const raw = estimateTokens(system, messages);
      if (inputTokens > 0 && raw > 0) factor = inputTokens / raw;
    },
    shouldCompact: (system, messages) => estimate(system, messages) >= limit,
    async compact(system, messages, reason, deps) {
      const before = estimate(system, messages);
      const groups = groupTurns(messages);
      // Kept: the first group (the task) and the last keepRecent groups; a too-long-context retry keeps fewer.
      const recent = Math.max(
        1,
        reason === 'context_too_long' ? Math.min(o.keepRecent, Math.floor(groups.length / 2)) : o.keepRecent,
      );
      const start = 1;
      const endIdx = groups.length - recent;
      if (endIdx <= start) return undefined;
      const head = groups.slice(0, start).flat();
      const dropped = groups.slice(start, endIdx).flat();
      const tail = groups.slice(endIdx).flat();
      const headLast = head[head.length - 1];
      const prior =
        headLast?.role === 'user' && headLast.content.includes(`\n\n${COMPACTED}`)
          ? headLast.content.slice(headLast.content.indexOf(`\n\n${COMPACTED}`) + 2)
          : '';
      const preserve = new Set(o.preserve ?? []);
      const kept: string[] = [];
      for (const m of dropped) {
        if (m.role === 'user' && preserve.has('user_messages') && !m.content.startsWith(COMPACTED))
          kept.push(`user: ${m.content}`);
        if (m.role === 'tool' && preserve.has('tool_results'))
          kept.push(`tool ${m.name} (${m.toolCallId}): ${m.content}`);
      }
      let note = `${COMPACTED} ${dropped.length} earlier messages were removed (${o.strategy}).`;
      let checkpoint: string | undefined;
      let usage: Usage | undefined;
      if (o.strategy === 'summarize' || o.strategy === 'checkpoint') {
        const response = await deps.model.complete(
          {
            system:
              'Summarise this part of an agent conversation for the agent itself: the facts found, decisions made, and what remains to do. Be brief.',
            messages: [{ role: 'user', content: `${prior ? `${prior}\n` : ''}${render(dropped)}` }],
            tools: [],
          },
          { signal: deps.signal },
        );
        usage = response.usage;
        note = `${COMPACTED} Summary of ${dropped.length} earlier messages:\n${response.text}`;
      }
      if (o.strategy === 'checkpoint') {
        if (!o.onCheckpoint) throw new Error('the checkpoint compaction strategy needs an onCheckpoint callback');
        checkpoint = await o.onCheckpoint([...messages]);
        note += `\nThe full earlier conversation is saved as ${checkpoint}.`;
      }
      if (kept.length > 0) note += `\nPreserved verbatim:\n${kept.join('\n')}`;
      // The note joins the kept task message (roles keep alternating); an earlier note is replaced.
      const last = head[head.length - 1];
      const merged: Message[] =
        last?.role === 'user'
          ? [...head.slice(0, -1), { role: 'user', content: `${last.content.split(`\n\n${COMPACTED}`)[0]}\n\n${note}` }]
          : [...head, { role: 'user', content: note }];
      const next: Message[] =
        tail[0]?.role === 'user'
          ? [...merged, { role: 'assistant', content: 'Noted.' }, ...tail]
          : [...merged, ...tail];
      const info: CompactionInfo = {
        strategy: o.strategy,
        reason,
        beforeTokens: before,
        afterTokens: estimate(system, next),
        droppedMessages: dropped.length,
        ...(checkpoint === undefined ? {} : { checkpoint }),
        ...(usage === undefined ? {} : { usage }),
      };
      return { messages: next, info };
    },
  };
}

/** Renders the manifest's `context.inject` values into a system prompt: replaces `{{name}}` / `{{ name }}` / `{{name.path}}` for each injected source. */
export function renderInject(system: string, values: Record<string, unknown>): string {
  return system.replace(
    /\{\{\s*([A-Za-z_][\w]*)((?:\.[A-Za-z_][\w]*)*)\s*\}\}/g,
    (whole, root: string, path: string) => {
      if (!(root in values)) return whole;
      let v: unknown = values[root];
      for (const key of path.split('.').filter(Boolean))
        v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      if (v === undefined) return whole;
      return typeof v === 'string' ? v : JSON.stringify(v);
    },
  );
}
