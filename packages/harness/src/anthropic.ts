import { HarnessError } from './errors.js';
import { type ProviderResponse, postJson, type RetryOptions, forEachEvent, readJson } from './http-request.js';
import type {
  Message,
  ModelCallOptions,
  ModelClient,
  ModelRequest,
  ModelResponse,
  StopReason,
  ToolCall,
  ToolSpec,
} from './types.js';
import { cachedArray, cachedJson, RawJson, requestJson, sharedPrefix, type ToolCache } from './wire.js';

/** Settings of an Anthropic Messages client. */
export interface AnthropicClientOptions {
  model: string;
  /** API base without `/v1`, as in `ANTHROPIC_BASE_URL` (default `https://api.anthropic.com`). */
  baseUrl?: string;
  /** Sent as `x-api-key`. */
  apiKey?: string;
  /** Request fields passed through (`temperature`, `top_p`, …); `max_tokens` defaults to 4096 (the API requires it). */
  options?: Record<string, unknown>;
  /** Stream the answer (default true). */
  stream?: boolean;
  retry?: RetryOptions;
}

type Block = Record<string, unknown>;
type WireMessage = { role: 'user' | 'assistant'; content: Block[] };

/** The blocks of one message (tool results as `tool_result` blocks, which travel in a user turn). */
function toAnthropicBlocks(m: Message): Block[] {
  if (m.role === 'user') return [{ type: 'text', text: m.content }];
  if (m.role === 'tool')
    return [
      {
        type: 'tool_result',
        tool_use_id: m.toolCallId,
        content: m.content,
        ...(m.isError ? { is_error: true } : {}),
      },
    ];
  const blocks: Block[] = m.content ? [{ type: 'text', text: m.content }] : [];
  for (const c of m.toolCalls ?? [])
    blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: c.arguments ?? {} });
  return blocks;
}

/**
 * The conversation in Messages form. Tool results travel as `tool_result` blocks in a user turn,
 * and the API wants roles to alternate, so consecutive user-side messages share one turn.
 */
export function toAnthropicMessages(messages: Message[]): WireMessage[] {
  const out: WireMessage[] = [];
  for (const m of messages) {
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks = toAnthropicBlocks(m);
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  return out;
}

/** Where joining messages into turns stands: the closed turns' JSON and the open turn. */
interface TurnsState {
  /** The closed turns, comma-joined. */
  closed: string;
  /** The open turn's role, and its blocks comma-joined. */
  role: string | undefined;
  blocks: string;
}

/** What a client keeps between requests: each message's and tool spec's JSON, and the last conversation's. */
interface AnthropicCaches {
  messages: WeakMap<Message, string>;
  tools: ToolCache;
  /** The messages of the last request (their objects) and where joining them into turns ended. */
  last?: { messages: Message[]; state: TurnsState };
}

/**
 * {@link toAnthropicMessages} as JSON, each message's blocks serialised once per message object
 * (the cache holds them without their brackets) and joined into turns here. A conversation grows
 * at its end between turns: when it starts with the last request's message objects, joining goes
 * on from where it ended (re-joining every turn cost ~9 µs per step at 30 steps in the loop,
 * `perf` of bench 700, growing with the history).
 */
function anthropicMessagesJson(caches: AnthropicCaches, messages: readonly Message[]): string {
  const last = caches.last;
  const resume = last !== undefined && sharedPrefix(last.messages, messages) === last.messages.length;
  const start = resume ? (last as { messages: Message[] }).messages.length : 0;
  let { closed, role, blocks } = resume
    ? (last as { state: TurnsState }).state
    : { closed: '', role: undefined as string | undefined, blocks: '' };
  for (let i = start; i < messages.length; i++) {
    const m = messages[i] as Message;
    const inner = cachedJson(caches.messages, m, toAnthropicBlocks).slice(1, -1);
    const r = m.role === 'assistant' ? 'assistant' : 'user';
    if (r === role) {
      if (inner !== '') blocks = blocks === '' ? inner : `${blocks},${inner}`;
    } else {
      if (role !== undefined) closed += `${closed === '' ? '' : ','}{"role":"${role}","content":[${blocks}]}`;
      role = r;
      blocks = inner;
    }
  }
  caches.last = { messages: messages.slice(), state: { closed, role, blocks } };
  const open = role === undefined ? '' : `{"role":"${role}","content":[${blocks}]}`;
  return `[${closed}${closed !== '' && open !== '' ? ',' : ''}${open}]`;
}

function toAnthropicTool(t: ToolSpec) {
  return { name: t.name, description: t.description, input_schema: t.inputSchema };
}

/**
 * The request body as JSON: `JSON.stringify` of the body {@link toAnthropicMessages} describes, with
 * each message and tool spec serialised once per object ({@link cachedJson}).
 */
export function anthropicRequestJson(
  settings: Pick<AnthropicClientOptions, 'model' | 'options' | 'stream'>,
  request: ModelRequest,
  caches: AnthropicCaches = { messages: new WeakMap(), tools: new WeakMap() },
): string {
  const body: Record<string, unknown> = {
    max_tokens: 4096,
    ...settings.options,
    model: settings.model,
    messages: new RawJson(anthropicMessagesJson(caches, request.messages)),
  };
  if (request.system) body.system = request.system;
  if (request.tools.length > 0) body.tools = cachedArray(caches.tools, request.tools, toAnthropicTool);
  if (settings.stream ?? true) body.stream = true;
  return requestJson(body);
}

function stopReason(reason: unknown): StopReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'end';
  if (reason === 'tool_use') return 'tool_calls';
  if (reason === 'max_tokens') return 'max_tokens';
  return 'other';
}

function isContextError(status: number, text: string): boolean {
  return (status === 400 || status === 413) && /prompt is too long|context window|too many tokens/i.test(text);
}

/** A {@link ModelClient} speaking Anthropic Messages over `node:http`/`node:https`, streaming by default. */
export function createAnthropicClient(settings: AnthropicClientOptions): ModelClient {
  const base = (settings.baseUrl ?? 'https://api.anthropic.com').replace(/\/+$/, '');
  const url = `${base}/v1/messages`;
  const headers: Record<string, string> = { 'anthropic-version': '2023-06-01' };
  if (settings.apiKey) headers['x-api-key'] = settings.apiKey;
  const stream = settings.stream ?? true;
  // The wire JSON of each message and tool spec this client has sent (see anthropicRequestJson).
  const caches: AnthropicCaches = { messages: new WeakMap<Message, string>(), tools: new WeakMap<ToolSpec, string>() };
  return {
    protocol: 'anthropic',
    model: settings.model,
    async complete(request: ModelRequest, call: ModelCallOptions = {}): Promise<ModelResponse> {
      const body = anthropicRequestJson(settings, request, caches);
      const response = await postJson(url, headers, body, { ...settings.retry, signal: call.signal, isContextError });
      return stream ? readStream(response, call) : readWhole(response);
    },
  };
}

interface WireBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

async function readWhole(response: ProviderResponse): Promise<ModelResponse> {
  const json = (await readJson(response)) as {
    content?: WireBlock[];
    stop_reason?: string;
    usage?: { input_tokens?: number; output_tokens?: number };
  };
  if (!Array.isArray(json.content))
    throw new HarnessError('HARNESS_MODEL_PROTOCOL', 'the Messages answer has no content array');
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of json.content) {
    if (block.type === 'text') text += block.text ?? '';
    else if (block.type === 'tool_use')
      toolCalls.push({ id: String(block.id), name: String(block.name), arguments: block.input ?? {} });
  }
  return {
    text,
    toolCalls,
    stopReason: stopReason(json.stop_reason),
    usage: { inputTokens: json.usage?.input_tokens ?? 0, outputTokens: json.usage?.output_tokens ?? 0 },
  };
}

interface StreamEvent {
  type: string;
  index?: number;
  message?: { usage?: { input_tokens?: number; output_tokens?: number } };
  content_block?: WireBlock;
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string };
  usage?: { input_tokens?: number; output_tokens?: number };
  error?: { type?: string; message?: string };
}

async function readStream(response: ProviderResponse, call: ModelCallOptions): Promise<ModelResponse> {
  let text = '';
  let reason: string | undefined;
  const usage = { inputTokens: 0, outputTokens: 0 };
  const blocks = new Map<number, { type: string; id: string; name: string; json: string }>();
  await forEachEvent(response, (data) => {
    const event = data as StreamEvent;
    switch (event.type) {
      case 'message_start':
        usage.inputTokens = event.message?.usage?.input_tokens ?? 0;
        usage.outputTokens = event.message?.usage?.output_tokens ?? 0;
        break;
      case 'content_block_start': {
        const block = event.content_block;
        blocks.set(event.index ?? blocks.size, {
          type: block?.type ?? 'text',
          id: block?.id ?? '',
          name: block?.name ?? '',
          json: '',
        });
        if (block?.type === 'text' && block.text) {
          text += block.text;
          call.onText?.(block.text);
        }
        break;
      }
      case 'content_block_delta': {
        const block = blocks.get(event.index ?? -1);
        if (!block)
          throw new HarnessError(
            'HARNESS_MODEL_PROTOCOL',
            `a content_block_delta for block ${event.index} came before its content_block_start`,
          );
        if (event.delta?.type === 'text_delta' && event.delta.text) {
          text += event.delta.text;
          call.onText?.(event.delta.text);
        } else if (event.delta?.type === 'input_json_delta') block.json += event.delta.partial_json ?? '';
        break;
      }
      case 'message_delta':
        if (event.delta?.stop_reason) reason = event.delta.stop_reason;
        if (event.usage?.output_tokens !== undefined) usage.outputTokens = event.usage.output_tokens;
        if (event.usage?.input_tokens !== undefined) usage.inputTokens = event.usage.input_tokens;
        break;
      case 'error':
        throw new HarnessError(
          'HARNESS_MODEL_HTTP',
          `the provider reported an error mid-stream: ${event.error?.type ?? ''} ${event.error?.message ?? ''}`.trim(),
        );
      default:
        break; // ping, content_block_stop, message_stop
    }
  });
  const toolCalls: ToolCall[] = [];
  for (const [, b] of [...blocks.entries()].sort(([a], [c]) => a - c)) {
    if (b.type !== 'tool_use') continue;
    let args: unknown = {};
    if (b.json.trim() !== '') {
      try {
        args = JSON.parse(b.json);
      } catch {
        args = { __unparsed: b.json, __tool: b.name };
      }
    }
    toolCalls.push({ id: b.id, name: b.name, arguments: args });
  }
  return { text, toolCalls, stopReason: stopReason(reason), usage };
}
