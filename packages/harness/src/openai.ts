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

/** Settings of an OpenAI Chat Completions client (OpenAI, and Ollama, vLLM, llama.cpp, LM Studio). */
export interface OpenAIClientOptions {
  model: string;
  /** API base up to and including `/v1`, as in `OPENAI_BASE_URL` (default `https://api.openai.com/v1`). */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer …` when set (local servers need none). */
  apiKey?: string;
  /** Request fields passed through as given (`temperature`, `max_tokens`, `top_p`, …). */
  options?: Record<string, unknown>;
  /** Stream the answer (default true). */
  stream?: boolean;
  retry?: RetryOptions;
}

type WireMessage = Record<string, unknown>;

/** One message in Chat Completions form (a tool result as `role: tool`). */
function toOpenAIMessage(m: Message): WireMessage {
  if (m.role === 'user') return { role: 'user', content: m.content };
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
  const wire: WireMessage = { role: 'assistant', content: m.content || null };
  if (m.toolCalls?.length) {
    wire.tool_calls = m.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: JSON.stringify(c.arguments ?? {}) },
    }));
  }
  return wire;
}

/** The conversation in Chat Completions form: system first, tool results as `role: tool`. */
export function toOpenAIMessages(system: string, messages: Message[]): WireMessage[] {
  const out: WireMessage[] = [];
  if (system) out.push({ role: 'system', content: system });
  for (const m of messages) out.push(toOpenAIMessage(m));
  return out;
}

function toOpenAITool(t: ToolSpec) {
  return { type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema } };
}

/** What a client keeps between requests: each message's and tool spec's JSON, and the last conversation's. */
interface OpenAICaches {
  messages: WeakMap<Message, string>;
  tools: ToolCache;
  /** The messages of the last request (their objects) and their JSON, comma-joined. */
  last?: { messages: Message[]; json: string };
}

/**
 * The messages as comma-joined JSON. A conversation grows at its end between turns: when it starts
 * with the last request's message objects, only the new ones are appended (each message's JSON is
 * cached too, for a conversation that changed — a compaction, or another conversation on this
 * client). Joining all the cached strings again each turn still cost ~9 µs per step at 30 steps
 * in the loop (WeakMap lookups and string building, `perf` of bench 700), growing with the history.
 */
function messagesJson(caches: OpenAICaches, messages: readonly Message[]): string {
  const last = caches.last;
  const start =
    last !== undefined && sharedPrefix(last.messages, messages) === last.messages.length ? last.messages.length : 0;
  let json = start === 0 ? '' : (last as { json: string }).json;
  for (let i = start; i < messages.length; i++)
    json += (json === '' ? '' : ',') + cachedJson(caches.messages, messages[i] as Message, toOpenAIMessage);
  caches.last = { messages: messages.slice(), json };
  return json;
}

/**
 * The request body as JSON: `JSON.stringify` of the body {@link toOpenAIMessages} describes, with
 * each message and tool spec serialised once per object ({@link cachedJson}).
 */
export function openAIRequestJson(
  settings: Pick<OpenAIClientOptions, 'model' | 'options' | 'stream'>,
  request: ModelRequest,
  caches: OpenAICaches = { messages: new WeakMap(), tools: new WeakMap() },
): string {
  const head = request.system ? `${JSON.stringify({ role: 'system', content: request.system })}` : '';
  const rest = messagesJson(caches, request.messages);
  const body: Record<string, unknown> = {
    ...settings.options,
    model: settings.model,
    messages: new RawJson(`[${head}${head !== '' && rest !== '' ? ',' : ''}${rest}]`),
  };
  if (request.tools.length > 0) body.tools = cachedArray(caches.tools, request.tools, toOpenAITool);
  if (settings.stream ?? true) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return requestJson(body);
}

function stopReason(finish: unknown): StopReason {
  if (finish === 'stop') return 'end';
  if (finish === 'tool_calls' || finish === 'function_call') return 'tool_calls';
  if (finish === 'length') return 'max_tokens';
  return 'other';
}

function parseArguments(name: string, text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    // Handed to the tool layer as-is: it reports the malformed input to the model as a validation error.
    return { __unparsed: text, __tool: name };
  }
}

function isContextError(status: number, text: string): boolean {
  return status === 400 && /context_length_exceeded|maximum context length|too many tokens/i.test(text);
}

/** A {@link ModelClient} speaking OpenAI Chat Completions over `node:http`/`node:https`, streaming by default. */
export function createOpenAIClient(settings: OpenAIClientOptions): ModelClient {
  const base = (settings.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
  const url = `${base}/chat/completions`;
  const headers: Record<string, string> = settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {};
  const stream = settings.stream ?? true;
  // The wire JSON of each message and tool spec this client has sent (see openAIRequestJson).
  const caches: OpenAICaches = { messages: new WeakMap<Message, string>(), tools: new WeakMap<ToolSpec, string>() };
  return {
    protocol: 'openai',
    model: settings.model,
    async complete(request: ModelRequest, call: ModelCallOptions = {}): Promise<ModelResponse> {
      const body = openAIRequestJson(settings, request, caches);
      const response = await postJson(url, headers, body, { ...settings.retry, signal: call.signal, isContextError });
      return stream ? readStream(response, call) : readWhole(response);
    },
  };
}

async function readWhole(response: ProviderResponse): Promise<ModelResponse> {
  const json = (await readJson(response)) as {
    choices?: Array<{
      message?: {
        content?: string | null;
        tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
      };
      finish_reason?: string;
    }>;
    usage?: { prompt_tokens?: number; completion_tokens?: number };
  };
  const choice = json.choices?.[0];
  if (!choice?.message)
    throw new HarnessError('HARNESS_MODEL_PROTOCOL', 'the Chat Completions answer has no choices[0].message');
  const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).map((c) => ({
    id: c.id,
    name: c.function.name,
    arguments: parseArguments(c.function.name, c.function.arguments ?? ''),
  }));
  return {
    text: choice.message.content ?? '',
    toolCalls,
    stopReason: toolCalls.length > 0 ? 'tool_calls' : stopReason(choice.finish_reason),
    usage: { inputTokens: json.usage?.prompt_tokens ?? 0, outputTokens: json.usage?.completion_tokens ?? 0 },
  };
}

interface Chunk {
  choices?: Array<{
    delta?: {
      content?: string | null;
      tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>;
    };
    finish_reason?: string | null;
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}

async function readStream(response: ProviderResponse, call: ModelCallOptions): Promise<ModelResponse> {
  let text = '';
  let finish: string | null | undefined;
  const usage = { inputTokens: 0, outputTokens: 0 };
  const calls = new Map<number, { id: string; name: string; args: string }>();
  await forEachEvent(response, (data) => {
    const chunk = data as Chunk;
    if (chunk.error)
      throw new HarnessError(
        'HARNESS_MODEL_HTTP',
        `the provider reported an error mid-stream: ${chunk.error.message ?? 'unknown'}`,
      );
    if (chunk.usage) {
      usage.inputTokens = chunk.usage.prompt_tokens ?? usage.inputTokens;
      usage.outputTokens = chunk.usage.completion_tokens ?? usage.outputTokens;
    }
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const delta = choice.delta;
    if (delta?.content) {
      text += delta.content;
      call.onText?.(delta.content);
    }
    for (const part of delta?.tool_calls ?? []) {
      const entry = calls.get(part.index) ?? { id: '', name: '', args: '' };
      if (part.id) entry.id = part.id;
      if (part.function?.name) entry.name += part.function.name;
      if (part.function?.arguments) entry.args += part.function.arguments;
      calls.set(part.index, entry);
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  });
  const toolCalls = [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, c]) => ({ id: c.id, name: c.name, arguments: parseArguments(c.name, c.args) }));
  return { text, toolCalls, stopReason: toolCalls.length > 0 ? 'tool_calls' : stopReason(finish), usage };
}
