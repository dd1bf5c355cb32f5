import { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { HarnessError } from './errors.js';
import { httpsRequest } from './lazy-https.js';
import { createParser } from 'eventsource-parser';

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

/** Response headers as `fetch` (`Headers`) or `node:http` (`IncomingHttpHeaders`) gives them. */
export type ResponseHeaders = Headers | IncomingHttpHeaders;

function header(headers: ResponseHeaders, name: string): string | null {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const value = (headers as IncomingHttpHeaders)[name];
  return value === undefined ? null : Array.isArray(value) ? (value[0] ?? null) : value;
}

/** The wait a server asked for in `retry-after-ms` or `retry-after` (seconds or an HTTP date), in ms. */
export function retryAfterMs(headers: ResponseHeaders, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms);
  const value = header(headers, 'retry-after');
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

/**
 * A provider's successful answer: status, headers and the body as a node stream. The attempt's
 * timer and the caller's abort keep guarding the body until {@link readJson} or
 * {@link readEvents} has read it.
 */
export interface ProviderResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /** Stops the attempt's timer (called once the body has been read or failed). */
  release(): void;
  /** The error to report when reading the body failed: a timeout, the caller's abort, or `error`. */
  failure(error: unknown): HarnessError;
}

/** One attempt in flight: the request, and its response once the headers arrived. */
interface Attempt {
  request: ClientRequest;
  response?: IncomingMessage;
  headers: Promise<IncomingMessage>;
}

/**
 * One POST over `node:http` / `node:https`. Hand-written rather than `fetch`: on Node 20 the first
 * `fetch` of a process loads undici, ~75 ms before the first byte is sent (measured here: first
 * request 90–98 ms with fetch, 17–27 ms with node:http, same server), which alone broke the cold
 * start target of `agentlang run --runtime harness`. Keep-alive comes from the global agents.
 * No `signal` option: a timeout or an abort destroys the attempt directly ({@link postJson}), which
 * spares an AbortController, a stream abort hook and an end-of-stream watcher per request
 * (~40 µs CPU of the ~100 µs the client added over a bare request, bench 700).
 */
function send(post: typeof httpRequest, url: URL, headers: Record<string, string>, payload: string): Attempt {
  const attempt = {} as Attempt;
  attempt.headers = new Promise((resolvePromise, reject) => {
    const request = post(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (response) => {
        attempt.response = response;
        resolvePromise(response);
      },
    );
    attempt.request = request;
    request.on('error', reject);
    request.end(payload);
  });
  return attempt;
}

/** A body read to its end; a body destroyed before its end (timeout, abort) rejects. */
function readText(body: IncomingMessage): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => {
      ended = true;
      resolvePromise(Buffer.concat(chunks).toString('utf8'));
    });
    body.once('error', reject);
    body.once('close', () => {
      if (!ended) reject(new Error('the response body ended early'));
    });
  });
}

let lastUrl: string | undefined;
let lastTarget: URL | undefined;

/** The URL of a provider endpoint, parsed once per endpoint (a client posts to the same one every turn). */
function parseTarget(url: string): URL {
  if (url !== lastUrl || lastTarget === undefined) {
    lastTarget = new URL(url);
    lastUrl = url;
  }
  return lastTarget;
}

/**
 * The time limits of the attempts in flight, all watched by one timer, and one abort listener per
 * caller's signal. Hand-written rather than a `setTimeout` and an `addEventListener('abort')` per
 * attempt: those two cost ~20 µs CPU per model request together (A/B of the client against a bare
 * POST to bench 700's server: +58 µs with both, +33 µs with neither) — Node drops the emptied 120 s
 * timer list at each clearTimeout and rebuilds it at the next setTimeout, and AbortSignal is an
 * EventTarget. Here an attempt costs a Set insert and delete of each.
 */
interface Deadline {
  /** `performance.now()` time at which the attempt times out. */
  at: number;
  expire: () => void;
}
const deadlines = new Set<Deadline>();
let watchdog: ReturnType<typeof setTimeout> | undefined;
let watchdogAt = Number.POSITIVE_INFINITY;

/** (Re)arms the one timer for `at` unless it already fires no later. Unref'd: a request in flight keeps the process alive by its socket. */
function arm(at: number): void {
  if (watchdog !== undefined && watchdogAt <= at) return;
  if (watchdog !== undefined) clearTimeout(watchdog);
  watchdogAt = at;
  watchdog = setTimeout(expireDue, Math.max(1, Math.ceil(at - performance.now())));
  watchdog.unref();
}

function expireDue(): void {
  watchdog = undefined;
  watchdogAt = Number.POSITIVE_INFINITY;
  const now = performance.now();
  let next = Number.POSITIVE_INFINITY;
  for (const d of deadlines) {
    if (d.at <= now) {
      deadlines.delete(d);
      d.expire();
    } else if (d.at < next) next = d.at;
  }
  if (next !== Number.POSITIVE_INFINITY) arm(next);
}

function watch(deadline: Deadline): void {
  deadlines.add(deadline);
  arm(deadline.at);
}

/** Per caller's signal, the attempts to stop when it aborts (one listener on the signal, added once). */
const aborters = new WeakMap<AbortSignal, Set<() => void>>();

function onAbort(signal: AbortSignal, stop: () => void): void {
  let stops = aborters.get(signal);
  if (stops === undefined) {
    const set = new Set<() => void>();
    aborters.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        for (const f of set) f();
        set.clear();
      },
      { once: true },
    );
    stops = set;
  }
  stops.add(stop);
}

/** A POST of a JSON `payload` to a provider, with retries that honour `retry-after`, a per-attempt timeout and abort. */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  payload: string,
  options: RetryOptions & { signal?: AbortSignal; isContextError?: (status: number, text: string) => boolean },
): Promise<ProviderResponse> {
  const maxRetries = options.maxRetries ?? 2;
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const target = parseTarget(url);
  const post = target.protocol === 'https:' ? await httpsRequest() : httpRequest;
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new HarnessError('HARNESS_CONFIG', `the provider URL ${url} is not http or https`, { details: { url } });
  }
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw abortError();
    // A timer and the caller's abort destroy the attempt (request and response body) directly.
    let timedOut = false;
    let inFlight: Attempt | undefined;
    const stop = () => {
      const error = timedOut
        ? new Error(`no answer within ${timeoutMs} ms`)
        : new Error('the model request was cancelled');
      inFlight?.response?.destroy(error);
      inFlight?.request.destroy(error);
    };
    const deadline: Deadline = {
      at: performance.now() + timeoutMs,
      expire: () => {
        timedOut = true;
        stop();
      },
    };
    watch(deadline);
    if (options.signal) onAbort(options.signal, stop);
    const release = () => {
      deadlines.delete(deadline);
      if (options.signal) aborters.get(options.signal)?.delete(stop);
    };
    const failure = (error: unknown): HarnessError => {
      if (error instanceof HarnessError) return error;
      if (options.signal?.aborted) return abortError();
      if (timedOut)
        return new HarnessError('HARNESS_TIMEOUT', `no answer from ${url} within ${timeoutMs} ms`, {
          details: { url, timeoutMs },
        });
      return new HarnessError('HARNESS_MODEL_HTTP', `the answer from ${url} broke off: ${(error as Error).message}`, {
        cause: error,
        details: { url },
      });
    };
    let response: IncomingMessage;
    try {
      inFlight = send(post, target, headers, payload);
      response = await inFlight.headers;
    } catch (error) {
      release();
      if (options.signal?.aborted) throw abortError();
      if (attempt < maxRetries) {
        await sleep(Math.random() * Math.min(cap, base * 2 ** attempt), options.signal);
        continue;
      }
      throw timedOut
        ? new HarnessError('HARNESS_TIMEOUT', `no answer from ${url} within ${timeoutMs} ms`, {
            details: { url, timeoutMs },
          })
        : new HarnessError('HARNESS_MODEL_HTTP', `could not reach ${url}: ${(error as Error).message}`, {
            cause: error,
            details: { url },
          });
    }
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      // The timer keeps guarding the body until it has been read: the reader releases it.
      return { status, headers: response.headers, body: response, release, failure };
    }
    const text = await readText(response).catch(() => '');
    release();
    if (options.isContextError?.(status, text)) {
      throw new HarnessError(
        'HARNESS_CONTEXT_TOO_LONG',
        `the provider refused the conversation as too long: ${text.slice(0, 300)}`,
        {
          details: { url, status },
        },
      );
    }
    if (retryable(status) && attempt < maxRetries) {
      const asked = retryAfterMs(response.headers);
      await sleep(
        asked !== undefined ? Math.min(cap, asked) : Math.random() * Math.min(cap, base * 2 ** attempt),
        options.signal,
      );
      continue;
    }
    throw new HarnessError('HARNESS_MODEL_HTTP', `${url} answered ${status}: ${text.slice(0, 300)}`, {
      details: { url, status, attempts: attempt + 1 },
    });
  }
}

/** Parses a JSON response body, or fails with HARNESS_MODEL_PROTOCOL. */
export async function readJson(response: ProviderResponse): Promise<unknown> {
  let text: string;
  try {
    text = await readText(response.body);
  } catch (error) {
    throw response.failure(error);
  } finally {
    response.release();
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HarnessError('HARNESS_MODEL_PROTOCOL', `the provider's answer is not JSON: ${text.slice(0, 200)}`, {
      cause: error,
    });
  }
}

/**
 * Hands each server-sent event of a streamed response to `onData`, its `data` parsed as JSON
 * (`[DONE]` ends the stream), and resolves when the body has ended. Callbacks rather than async
 * generators: a generator chain (body → SSE messages → JSON events → the client's loop) costs a few
 * promise turns per event, ~100 µs CPU over a streamed model request (bench 700). `onData` runs
 * synchronously; what it throws (a mid-stream error) rejects, and the body is dropped. The body is
 * read to its end even after [DONE]: a body left unread keeps the connection from being reused, and
 * a new TCP connection per model request cost ~2 ms per step (bench 700).
 */
export function forEachEvent(response: ProviderResponse, onData: (data: unknown) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const body = response.body;
    let finished = false;
    let ended = false;
    let failed = false;
    let thrown: unknown;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      response.release();
      reject(response.failure(error));
      body.destroy();
    };
    const parser = createParser({
      onEvent: (message) => {
        if (finished || thrown !== undefined) return;
        if (message.data === '[DONE]') {
          finished = true;
          return;
        }
        try {
          let data: unknown;
          try {
            data = JSON.parse(message.data);
          } catch (error) {
            throw new HarnessError(
              'HARNESS_MODEL_PROTOCOL',
              `a stream event is not JSON: ${message.data.slice(0, 200)}`,
              { cause: error },
            );
          }
          onData(data);
        } catch (error) {
          thrown = error;
        }
      },
    });
    // Node's own UTF-8 decoding (a character split across chunks is kept for the next one): a
    // TextDecoder per response cost ~2 µs to create (ICU converter) plus its decode calls (bench 700).
    body.setEncoding('utf8');
    const feed = (text: string): boolean => {
      parser.feed(text);
      if (thrown === undefined) return true;
      fail(thrown);
      return false;
    };
    body.on('data', (chunk: string) => {
      if (!failed) feed(chunk);
    });
    body.once('end', () => {
      ended = true;
      if (failed) return;
      response.release();
      resolvePromise();
    });
    body.once('error', fail);
    body.once('close', () => {
      if (!ended) fail(new Error('the response body ended early'));
    });
  });
}
