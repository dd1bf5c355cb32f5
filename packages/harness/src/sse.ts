import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * The server-sent events of a response body, parsed by `eventsource-parser` (the WHATWG rules).
 * The body is read directly and fed to the parser rather than piped through TextDecoderStream and
 * the package's EventSourceParserStream: two web-stream transforms per response cost
 * milliseconds per model request on Node 20 (bench 700).
 */
export async function* createSseStream(body: ReadableStream<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (pending.length > 0) yield pending.shift() as EventSourceMessage;
    }
    parser.feed(decoder.decode());
    while (pending.length > 0) yield pending.shift() as EventSourceMessage;
  } finally {
    reader.releaseLock();
  }
}
