import { type EventSourceMessage, EventSourceParserStream } from 'eventsource-parser/stream';

/** The server-sent events of a response body, parsed by `eventsource-parser` (the WHATWG rules). */
export function createSseStream(body: ReadableStream<Uint8Array>): AsyncIterable<EventSourceMessage> {
  const stream = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  return stream as unknown as AsyncIterable<EventSourceMessage>;
}
