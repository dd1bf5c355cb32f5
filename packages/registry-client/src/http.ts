import { type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { RegistryClientError } from './errors.js';

/** One HTTP exchange; `body` is a factory so a retry can send the bytes again. */
export interface HttpCall {
  method: string;
  url: URL;
  headers?: Record<string, string | number>;
  body?: () => Buffer | Readable;
  /** Milliseconds without any socket activity before the call fails (default 60 s). */
  timeoutMs?: number;
}

/** A response whose body has not been read yet. */
export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  stream: IncomingMessage;
}

/** Sends one request; resolves as soon as the response headers arrive (even mid-upload). */
export function sendRequest(call: HttpCall): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const send = call.url.protocol === 'https:' ? httpsRequest : httpRequest;
    let answered = false;
    const req = send(call.url, { method: call.method, headers: call.headers ?? {} }, (res) => {
      answered = true;
      resolve({ status: res.statusCode ?? 0, headers: res.headers, stream: res });
    });
    req.setTimeout(call.timeoutMs ?? 60_000, () =>
      req.destroy(new Error(`no activity for ${call.timeoutMs ?? 60_000} ms`)),
    );
    req.on('error', (error) => {
      // A server that answers early (413, 409, 401) and closes may make our write fail afterwards;
      // the answer is what counts.
      if (!answered) reject(error);
    });
    const body = call.body?.();
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      body.on('error', (error) => req.destroy(error));
      // An early answer (413, 409) may close the request mid-upload: release the file too.
      req.once('close', () => body.destroy());
      body.pipe(req);
    }
  });
}

/** Reads a whole (small) response body, refusing more than `limit` bytes. */
export async function readBody(answer: HttpAnswer, limit = 16 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer.stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      answer.stream.destroy();
      throw new RegistryClientError('REGISTRY_BAD_RESPONSE', `response body exceeds ${limit} bytes`, {
        details: { limit },
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Options of {@link withRetries}. */
export interface RetryOptions {
  /** Attempts after the first (default 3). */
  retries?: number;
  /** First backoff in ms, doubled each time with jitter (default 200). */
  backoffMs?: number;
  /** Called before each retry. */
  onRetry?: (attempt: number, reason: string) => void;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Runs an idempotent exchange, retrying network failures and 408/429/5xx with exponential backoff
 * and jitter. Returns the last answer (the caller turns non-2xx into an error).
 */
export async function withRetries(
  call: () => Promise<HttpAnswer>,
  where: string,
  options: RetryOptions = {},
): Promise<HttpAnswer> {
  const retries = options.retries ?? 3;
  const base = options.backoffMs ?? 200;
  for (let attempt = 0; ; attempt++) {
    let reason: string;
    try {
      const answer = await call();
      if (!RETRY_STATUS.has(answer.status) || attempt >= retries) return answer;
      answer.stream.resume();
      reason = `HTTP ${answer.status}`;
    } catch (error) {
      reason = (error as Error).message;
      if (attempt >= retries) {
        throw new RegistryClientError(
          'REGISTRY_NETWORK',
          `cannot reach the registry at ${where} after ${attempt + 1} attempts: ${reason}; is it running and is the URL right?`,
          { details: { url: where, attempts: attempt + 1 }, cause: error },
        );
      }
    }
    options.onRetry?.(attempt + 1, reason);
    const delay = base * 2 ** attempt * (0.5 + Math.random());
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * Turns a non-2xx answer into a RegistryClientError carrying the server's own code and message
 * (`{ error: { code, message } }`), or REGISTRY_HTTP when the body is not a registry error.
 */
export async function failureOf(answer: HttpAnswer, action: string): Promise<RegistryClientError> {
  let text = '';
  try {
    text = (await readBody(answer, 64 << 10)).toString('utf8');
  } catch {
    // Too large or cut off: report the status alone.
  }
  try {
    const { error } = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    if (
      error &&
      typeof error.code === 'string' &&
      /^REGISTRY_[A-Z0-9_]+$/.test(error.code) &&
      typeof error.message === 'string'
    ) {
      return new RegistryClientError(
        error.code as `REGISTRY_${string}`,
        `${action} failed (HTTP ${answer.status} ${error.code}): ${error.message}`,
        {
          details: {
            status: answer.status,
            serverCode: error.code,
            ...(typeof error.details === 'object' && error.details !== null ? { server: error.details } : {}),
          },
        },
      );
    }
  } catch {
    // Not JSON: fall through.
  }
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return new RegistryClientError(
    'REGISTRY_HTTP',
    `${action} failed: HTTP ${answer.status}${snippet ? ` — ${snippet}` : ''}`,
    { details: { status: answer.status } },
  );
}
