// A scripted model server on 127.0.0.1 that speaks both real protocols, streamed and whole:
// OpenAI Chat Completions (POST /v1/chat/completions) and Anthropic Messages (POST /v1/messages).
// Each request takes the next step of the script; every request is recorded for assertions.
// Tests start it in process; scripts start dist/scripted-model.js (src/scripted-model.ts).
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer. */
export interface ScriptStep {
  text?: string;
  toolCalls?: Array<{ id?: string; name: string; arguments: unknown }>;
  /** Answer with this HTTP status and `body` instead (an error). */
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  stop?: 'end' | 'max_tokens';
  usage?: { input: number; output: number };
  /** Streaming only: send the text, then hold the response open without finishing it (a slow model) until the client goes away. */
  stall?: boolean;
  /** Hold the answer this many ms (lets concurrent requests overlap, for {@link ScriptedServer.maxInFlight}). */
  delayMs?: number;
}

/** A request the server received. */
export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The body as sent, byte for byte (decoded as UTF-8). */
  raw: string;
}

/** A running scripted server. */
export interface ScriptedServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: RecordedRequest[];
  /** Steps not yet served. */
  remaining(): number;
  /** The most requests the server was answering at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

function sse(res: ServerResponse, events: Array<{ event?: string; data: unknown }>, holdAfter?: number) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of holdAfter === undefined ? events : events.slice(0, holdAfter))
    res.write(
      `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`,
    );
  if (holdAfter === undefined) res.end();
}

function openai(step: ScriptStep, stream: boolean, res: ServerResponse, n: number) {
  const usage = { prompt_tokens: step.usage?.input ?? 10, completion_tokens: step.usage?.output ?? 5 };
  const calls = (step.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `call_${n}_${i}`,
    name: c.name,
    args: JSON.stringify(c.arguments),
  }));
  const finish = calls.length > 0 ? 'tool_calls' : step.stop === 'max_tokens' ? 'length' : 'stop';
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: `cmpl-${n}`,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: step.text ?? null,
              ...(calls.length
                ? {
                    tool_calls: calls.map((c) => ({
                      id: c.id,
                      type: 'function',
                      function: { name: c.name, arguments: c.args },
                    })),
                  }
                : {}),
            },
            finish_reason: finish,
          },
        ],
        usage,
      }),
    );
    return;
  }
  const events: Array<{ data: unknown }> = [];
  const chunk = (delta: unknown, finish_reason: string | null = null) => ({
    data: { id: `cmpl-${n}`, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason }] },
  });
  events.push(chunk({ role: 'assistant', content: '' }));
  const text = step.text ?? '';
  // Split the text and each call's arguments into small pieces, as real servers do.
  for (let i = 0; i < text.length; i += 7) events.push(chunk({ content: text.slice(i, i + 7) }));
  const textEnd = events.length;
  calls.forEach((c, index) => {
    events.push(
      chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }),
    );
    for (let i = 0; i < c.args.length; i += 5)
      events.push(chunk({ tool_calls: [{ index, function: { arguments: c.args.slice(i, i + 5) } }] }));
  });
  events.push(chunk({}, finish));
  events.push({ data: { id: `cmpl-${n}`, object: 'chat.completion.chunk', choices: [], usage } });
  events.push({ data: '[DONE]' });
  sse(res, events, step.stall ? textEnd : undefined);
}

function anthropic(step: ScriptStep, stream: boolean, res: ServerResponse, n: number) {
  const calls = (step.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `toolu_${n}_${i}`,
    name: c.name,
    input: c.arguments,
  }));
  const stop = calls.length > 0 ? 'tool_use' : step.stop === 'max_tokens' ? 'max_tokens' : 'end_turn';
  const usage = { input_tokens: step.usage?.input ?? 10, output_tokens: step.usage?.output ?? 5 };
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    const content = [
      ...(step.text ? [{ type: 'text', text: step.text }] : []),
      ...calls.map((c) => ({ type: 'tool_use', ...c })),
    ];
    res.end(JSON.stringify({ id: `msg_${n}`, type: 'message', role: 'assistant', content, stop_reason: stop, usage }));
    return;
  }
  const events: Array<{ event: string; data: unknown }> = [];
  const ev = (event: string, data: Record<string, unknown>) => events.push({ event, data: { type: event, ...data } });
  ev('message_start', {
    message: {
      id: `msg_${n}`,
      type: 'message',
      role: 'assistant',
      content: [],
      usage: { input_tokens: usage.input_tokens, output_tokens: 1 },
    },
  });
  let index = 0;
  if (step.text) {
    ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
    ev('ping', {});
    for (let i = 0; i < step.text.length; i += 7)
      ev('content_block_delta', { index, delta: { type: 'text_delta', text: step.text.slice(i, i + 7) } });
    ev('content_block_stop', { index });
    index++;
  }
  const textEnd = events.length - (step.text ? 1 : 0);
  for (const c of calls) {
    ev('content_block_start', { index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } });
    const json = JSON.stringify(c.input);
    for (let i = 0; i < json.length; i += 5)
      ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: json.slice(i, i + 5) } });
    ev('content_block_stop', { index });
    index++;
  }
  ev('message_delta', {
    delta: { stop_reason: stop, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  ev('message_stop', {});
  sse(res, events, step.stall ? textEnd : undefined);
}

/** Starts the server on 127.0.0.1 (`port` 0, the default, picks a free one); `close()` it in a finally or afterEach. */
export async function startScriptedServer(
  script: ScriptStep[],
  options: { port?: number } = {},
): Promise<ScriptedServer> {
  const queue = [...script];
  const requests: RecordedRequest[] = [];
  let served = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        body = JSON.parse(raw);
      } catch {
        res.writeHead(400).end('{"error":{"message":"body is not JSON"}}');
        return;
      }
      requests.push({ path: req.url ?? '', headers: req.headers, body, raw });
      const step = queue.shift();
      served++;
      if (!step) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"script exhausted"}}');
        return;
      }
      if (step.status) {
        res
          .writeHead(step.status, { 'content-type': 'application/json', ...step.headers })
          .end(step.body ?? '{"error":{"message":"scripted error"}}');
        return;
      }
      const stream = body.stream === true;
      const n = served;
      const answer = () => {
        if (req.url === '/v1/chat/completions') openai(step, stream, res, n);
        else if (req.url === '/v1/messages') anthropic(step, stream, res, n);
        else res.writeHead(404).end();
      };
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.once('close', () => inFlight--);
      if (step.delayMs) setTimeout(answer, step.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(options.port ?? 0, '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    remaining: () => queue.length,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
