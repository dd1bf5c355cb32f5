import { HarnessError } from './errors.js';
import { createSseStream } from './sse.js';

/** How a provider request is retried and timed out. */
export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** First backoff in ms, doubled each retry, with full jitter (default 500). */
  baseDelayMs?: number;
  /** Longest wait between attempts, also the cap on a server's `retry-after` (default 30 s). */
  maxDelayMs?: number;
  /** Time limit of one attempt, until the response headers arrive and between stream chunks (default 120 s). */
  timeoutMs?: number;
}

/** Statuses worth another attempt: timeouts, conflicts, rate limits and server errors. */
function retryable(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The wait a server asked for in `retry-after-ms` or `retry-after` (seconds or an HTTP date), in ms. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms);
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(): HarnessError {
  return new HarnessError('HARNESS_ABORTED', 'the model request was cancelled');
}

/** A JSON POST to a provider, with retries that honour `retry-after`, a per-attempt timeout and abort. */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  options: RetryOptions & { signal?: AbortSignal; isContextError?: (status: number, text: string) => boolean },
): Promise<Response> {
  const maxRetries = options.maxRetries ?? 2;
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const payload = JSON.stringify(body);
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw abortError();
    // One controller per attempt, aborted by a timer or the caller: AbortSignal.any/timeout cost
    // more per request on Node 20 (measured in bench 700) and AbortSignal.any leaks there.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const release = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload, signal: controller.signal });
    } catch (error) {
      release();
      if (options.signal?.aborted) throw abortError();
      if (attempt < maxRetries) {
        await sleep(Math.random() * Math.min(cap, base * 2 ** attempt), options.signal);
        continue;
      }
      throw timedOut
        ? new HarnessError('HARNESS_TIMEOUT', `no answer from ${url} within ${timeoutMs} ms`, { details: { url, timeoutMs } })
        : new HarnessError('HARNESS_MODEL_HTTP', `could not reach ${url}: ${(error as Error).message}`, { cause: error, details: { url } });
    }
    if (response.ok) {
      // The timer keeps guarding the body until it has been read: the caller gets it released.
      return withRelease(response, release);
    }
    release();
    const text = await response.text().catch(() => '');
    if (options.isContextError?.(response.status, text)) {
      throw new HarnessError('HARNESS_CONTEXT_TOO_LONG', `the provider refused the conversation as too long: ${text.slice(0, 300)}`, {
        details: { url, status: response.status },
      });
    }
    if (retryable(response.status) && attempt < maxRetries) {
      const asked = retryAfterMs(response.headers);
      await sleep(asked !== undefined ? Math.min(cap, asked) : Math.random() * Math.min(cap, base * 2 ** attempt), options.signal);
      continue;
    }
    throw new HarnessError('HARNESS_MODEL_HTTP', `${url} answered ${response.status}: ${text.slice(0, 300)}`, {
      details: { url, status: response.status, attempts: attempt + 1 },
    });
  }
}

const releases = new WeakMap<Response, () => void>();

function withRelease(response: Response, release: () => void): Response {
  releases.set(response, release);
  return response;
}

/** Stops the attempt's timer once a successful response's body has been read (or failed). */
function released(response: Response): void {
  releases.get(response)?.();
  releases.delete(response);
}

/** Parses a JSON response body, or fails with HARNESS_MODEL_PROTOCOL. */
export async function readJson(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } finally {
    released(response);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HarnessError('HARNESS_MODEL_PROTOCOL', `the provider's answer is not JSON: ${text.slice(0, 200)}`, { cause: error });
  }
}

/** The server-sent events of a streamed response, each `data` parsed as JSON (`[DONE]` ends the stream). */
export async function* readEvents(response: Response): AsyncGenerator<{ event: string | undefined; data: unknown }> {
  if (!response.body) throw new HarnessError('HARNESS_MODEL_PROTOCOL', 'the provider sent a streamed answer without a body');
  try {
    yield* parseEvents(response.body);
  } finally {
    released(response);
  }
}

async function* parseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string | undefined; data: unknown }> {
  let finished = false;
  // Read to the end even after [DONE]: a body left unread keeps undici from reusing the
  // connection, and a new TCP connection per model request cost ~2 ms per step (bench 700).
  for await (const message of createSseStream(body)) {
    if (finished) continue;
    if (message.data === '[DONE]') {
      finished = true;
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(message.data);
    } catch (error) {
      throw new HarnessError('HARNESS_MODEL_PROTOCOL', `a stream event is not JSON: ${message.data.slice(0, 200)}`, { cause: error });
    }
    yield { event: message.event, data };
  }
}
