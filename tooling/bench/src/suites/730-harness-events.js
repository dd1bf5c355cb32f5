// Events and traces (issue 13 §3): what the typed event stream costs a run, and what an unset
// OTEL_EXPORTER_OTLP_ENDPOINT costs (nothing: the OpenTelemetry SDK is not imported).
// 1. runLoop against an in-process model (no HTTP, so the loop's own work is the floor; it yields to
//    the event loop once per request, as a real one does) that makes
//    `steps - 1` tool calls then answers, streaming 20 text pieces per turn: without onEvent (floor)
//    and with every event stamped and written as a JSON line to /dev/null (createEventSink +
//    jsonlEventWriter, as `agentlang run --events`). Interleaved, medians; reported per event.
// 2. node importing the harness and calling startOtelExport with the variable unset, against node
//    importing the harness alone (floor), and with it set (the SDK loaded and an exporter built;
//    no span is sent): the unset path should cost nothing over the floor.
// AGENTLANG_BENCH_ROUNDS sets the rounds (default 15).
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { interleave, median, root, row } from '../harness.js';

const SUITE = 'events';
const harnessUrl = pathToFileURL(join(root, 'packages/harness/dist/index.js')).href;

function model(steps) {
  return {
    protocol: 'openai',
    model: 'bench',
    async complete(request, options = {}) {
      // A real request yields to the event loop (and lets the events file drain); so does this one.
      await new Promise((resolve) => setImmediate(resolve));
      const done = request.messages.filter((m) => m.role === 'tool').length >= steps - 1;
      for (let i = 0; i < 20; i++) options.onText?.(`piece ${i} `);
      return done
        ? { text: 'The answer.', toolCalls: [], stopReason: 'end', usage: { inputTokens: 10, outputTokens: 3 } }
        : {
            text: '',
            toolCalls: [{ id: `c${request.messages.length}`, name: 'noop', arguments: { i: request.messages.length } }],
            stopReason: 'tool_calls',
            usage: { inputTokens: 10, outputTokens: 3 },
          };
    },
  };
}

async function eventStream(harness, rounds) {
  const steps = 20;
  const noop = {
    spec: { name: 'noop', description: 'does nothing', inputSchema: { type: 'object' } },
    execute: async () => ({ ok: true, content: 'ok' }),
  };
  const out = createWriteStream('/dev/null');
  let count = 0;
  const base = {
    model: model(steps),
    system: 'You are a benchmark.',
    prompt: 'Go.',
    tools: [noop],
    limits: { maxTurns: steps + 1, maxRepeats: 1000 },
  };
  const plain = () => harness.runLoop(base);
  const streamed = () => {
    const write = harness.jsonlEventWriter(out);
    const sink = harness.createEventSink({ runId: 'bench', model: 'bench', listeners: [write, () => count++] });
    return harness.runLoop({ ...base, onEvent: (e) => sink.loopEvent(e) });
  };
  const t = { plain: [], streamed: [] };
  for (let i = 0; i < rounds * 4 + 10; i++) {
    for (const [label, fn] of [
      ['plain', plain],
      ['streamed', streamed],
    ]) {
      count = 0;
      const start = process.hrtime.bigint();
      await fn();
      if (i >= 10) t[label].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const events = count;
  await new Promise((r) => out.end(r));
  return { plain: median(t.plain), streamed: median(t.streamed), events };
}

export async function run() {
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 15);
  const harness = await import(harnessUrl);
  const rows = [];
  const e = await eventStream(harness, rounds);
  const perEventUs = ((e.streamed - e.plain) / e.events) * 1000;
  rows.push(
    row(SUITE, 'event stream cost per event (JSONL to /dev/null)', {
      value: perEventUs.toFixed(2),
      unit: 'µs',
      ratio: e.streamed / e.plain,
      target: '≤ 5 µs per event',
      pass: perEventUs <= 5,
      note: `20-step run, ${e.events} events: ${e.streamed.toFixed(2)} ms with the stream vs ${e.plain.toFixed(2)} ms without (medians of ${rounds * 4})`,
    }),
  );
  const script = (call, env) => [
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const h = await import(${JSON.stringify(harnessUrl)});${call ? ` const o = await h.startOtelExport(process.env, { agent: 'a', provider: 'openai' }); await o?.shutdown();` : ''}`,
    ],
    { env: { PATH: process.env.PATH, ...env } },
  ];
  const t = interleave(
    {
      floor: script(false, {}),
      unset: script(true, {}),
      set: script(true, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }),
    },
    { rounds },
  );
  rows.push(
    row(SUITE, 'OTel unset: start-up over importing the harness', {
      value: (t.unset - t.floor).toFixed(1),
      unit: 'ms',
      ratio: t.unset / t.floor,
      target: '≤ 1.05× the floor',
      pass: t.unset / t.floor <= 1.05,
      note: `import + startOtelExport unset ${t.unset.toFixed(1)} ms vs import alone ${t.floor.toFixed(1)} ms; set (SDK loaded, exporter built): ${t.set.toFixed(1)} ms (medians of ${rounds})`,
    }),
  );
  return rows;
}
