/** A tool call the model asked for: `id` binds its result (and any approval) to this exact call. */
export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model sent them, parsed from JSON (an object for every well-formed call). */
  arguments: unknown;
}

/** One message of the provider-neutral conversation the loop keeps. */
export type Message =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string; isError?: boolean };

/** A tool as offered to the model: its name, what it is for, and a JSON Schema of its input. */
export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** Tokens a model request used, as the provider reported them. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** Why the model stopped, normalised across providers. */
export type StopReason = 'end' | 'tool_calls' | 'max_tokens' | 'other';

/** What one model request produced. */
export interface ModelResponse {
  text: string;
  toolCalls: ToolCall[];
  stopReason: StopReason;
  usage: Usage;
}

/** One request to a model: the system prompt, the conversation so far and the tools on offer. */
export interface ModelRequest {
  system: string;
  messages: Message[];
  tools: ToolSpec[];
}

/** Per-request controls. */
export interface ModelCallOptions {
  signal?: AbortSignal;
  /** Receives text as it streams in. */
  onText?: (delta: string) => void;
}

/** A chat model behind one provider protocol. */
export interface ModelClient {
  /** `openai` (Chat Completions) or `anthropic` (Messages). */
  readonly protocol: 'openai' | 'anthropic';
  /** The model id sent to the provider. */
  readonly model: string;
  /**
   * One request. The built-in clients serialise each message and tool spec once per object and
   * reuse that JSON on later requests: do not change a message or a spec in place once it has been
   * sent (append new messages, or replace one with a new object, as compaction does).
   */
  complete(request: ModelRequest, options?: ModelCallOptions): Promise<ModelResponse>;
}
