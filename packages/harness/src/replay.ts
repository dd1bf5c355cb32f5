import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { HarnessError } from './errors.js';
import type { ModelClient, ModelRequest, ModelResponse } from './types.js';

/** The first line of a recording file. */
export interface RecordingHeader {
  format: 'agentlang.model-recording/v1';
  protocol: 'openai' | 'anthropic';
  model: string;
}

/**
 * One model exchange: the provider-neutral request (system prompt, messages, tool specs — no
 * credentials, which live in the client), the streamed text pieces and the response.
 */
export interface ModelExchange {
  request: ModelRequest;
  deltas: string[];
  response: ModelResponse;
}

/** A recording: its header and its exchanges, in order. */
export interface ModelRecording extends RecordingHeader {
  exchanges: ModelExchange[];
}

/**
 * Wraps a client so every exchange is recorded: `onExchange` gets each one as it completes (a
 * failed request records nothing). With `file`, the header and one JSON line per exchange are
 * written as they happen, so an interrupted run keeps what it got.
 */
export function recordingClient(
  client: ModelClient,
  options: { file?: string; onExchange?: (exchange: ModelExchange) => void } = {},
): ModelClient {
  const header: RecordingHeader = {
    format: 'agentlang.model-recording/v1',
    protocol: client.protocol,
    model: client.model,
  };
  if (options.file) writeFileSync(options.file, `${JSON.stringify(header)}\n`);
  return {
    protocol: client.protocol,
    model: client.model,
    async complete(request, callOptions = {}) {
      const deltas: string[] = [];
      const onText = callOptions.onText;
      const response = await client.complete(request, {
        ...callOptions,
        onText: (d) => {
          deltas.push(d);
          onText?.(d);
        },
      });
      const exchange: ModelExchange = { request: structuredClone(request), deltas, response };
      if (options.file) appendFileSync(options.file, `${JSON.stringify(exchange)}\n`);
      options.onExchange?.(exchange);
      return response;
    },
  };
}

/** Reads a recording file written by {@link recordingClient}. */
export function readRecording(file: string): ModelRecording {
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
  } catch (cause) {
    throw new HarnessError('HARNESS_REPLAY', `cannot read the recording ${file}: ${(cause as Error).message}`, {
      cause,
      details: { file },
    });
  }
  try {
    const header = JSON.parse(lines[0] ?? 'null') as RecordingHeader | null;
    if (header?.format !== 'agentlang.model-recording/v1')
      throw new Error(`its first line is not a agentlang.model-recording/v1 header`);
    return { ...header, exchanges: lines.slice(1).map((l) => JSON.parse(l) as ModelExchange) };
  } catch (cause) {
    throw new HarnessError('HARNESS_REPLAY', `${file} is not a model recording: ${(cause as Error).message}`, {
      cause,
      details: { file },
    });
  }
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * A unified line diff of two texts (`-` expected, `+` actual) with `context` unchanged lines
 * around each change; lines far from a change are elided as `…`.
 */
export function lineDiff(expected: string, actual: string, context = 3): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  // Longest common subsequence table, from the ends (inputs are one request: small).
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      (lcs[i] as number[])[j] =
        a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, lcs[i]?.[j + 1] ?? 0);
    }
  }
  const ops: Array<{ op: ' ' | '-' | '+'; line: string }> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ op: ' ', line: a[i] as string });
      i++;
      j++;
    } else if (i < a.length && (j >= b.length || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0)))
      ops.push({ op: '-', line: a[i++] as string });
    else ops.push({ op: '+', line: b[j++] as string });
  }
  const near = ops.map((_, k) => ops.slice(Math.max(0, k - context), k + context + 1).some((o) => o.op !== ' '));
  const out: string[] = [];
  ops.forEach((o, k) => {
    if (near[k]) out.push(`${o.op} ${o.line}`);
    else if (out[out.length - 1] !== '  …') out.push('  …');
  });
  return out.join('\n');
}

/**
 * A client that answers from a recording instead of a provider: request n must equal the recorded
 * request n (key order and absent fields aside) or the call fails with `HARNESS_REPLAY_MISMATCH`
 * and a diff of the two; a request past the recording's end fails the same way. Streamed text is
 * replayed piece by piece through `onText`.
 */
export function replayClient(recording: ModelRecording | string): ModelClient {
  const rec = typeof recording === 'string' ? readRecording(recording) : recording;
  let next = 0;
  return {
    protocol: rec.protocol,
    model: rec.model,
    async complete(request, options = {}) {
      if (options.signal?.aborted)
        throw new HarnessError('HARNESS_ABORTED', 'the request was aborted', { details: {} });
      const index = next++;
      const exchange = rec.exchanges[index];
      if (!exchange) {
        throw new HarnessError(
          'HARNESS_REPLAY_MISMATCH',
          `replay: model request ${index + 1} has no recorded exchange (the recording holds ${rec.exchanges.length}); the run asks the model more often than the recorded one did`,
          {
            details: { request: index + 1, recorded: rec.exchanges.length },
          },
        );
      }
      const expected = JSON.stringify(canonical(exchange.request), null, 2);
      const actual = JSON.stringify(canonical(request), null, 2);
      if (expected !== actual) {
        const diff = lineDiff(expected, actual);
        throw new HarnessError(
          'HARNESS_REPLAY_MISMATCH',
          `replay: model request ${index + 1} no longer matches the recording (- recorded, + this run):\n${diff}`,
          {
            details: { request: index + 1, diff },
          },
        );
      }
      for (const d of exchange.deltas) options.onText?.(d);
      return structuredClone(exchange.response);
    },
  };
}
